"""Forms of the org admin's pages. They parse and check input (the shared validators of
``core``); the services in ``orgs.services`` apply the rules and the region check."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.core.choices import Gender, grouped_category_choices
from fengqiao.core.formfields import (
    CreditCodeField,
    IdNumberField,
    LongTextField,
    MobileField,
    PastDateField,
    StyledForm,
    TextField,
)
from fengqiao.core.validators import validate_date_range
from fengqiao.orgs.choices import (
    Background,
    MediatorGrade,
    PersonRole,
    Position,
    TrainingKind,
    VolunteerKind,
)
from fengqiao.orgs.models import OFFICER_COUNT_MAX, Organization, OrgKind, Person
from fengqiao.regions.models import Region


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name}（{obj.code}）"


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.region.name}）"


class OrgsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.region.name}）"


class RegionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name}（{obj.code}）"


class OrgForm(StyledForm):
    """新建/修改单位."""

    name = TextField(label=_("名称"), max_length=100)
    code = forms.CharField(
        label=_("单位代码"),
        max_length=30,
        required=False,
        help_text=_("统一社会信用代码或本地编码，批量导入时按此识别同一单位"),
    )
    kind = forms.ModelChoiceField(label=_("类型"), queryset=OrgKind.objects.all())
    region = RegionField(label=_("所在区划"), queryset=Region.objects.none())
    parent = OrgField(
        label=_("上级/主管单位"), queryset=Organization.objects.none(), required=False
    )
    categories = forms.MultipleChoiceField(
        label=_("受理纠纷类别（属事）"),
        choices=grouped_category_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    address = TextField(label=_("地址"), max_length=200, required=False)
    liaison = forms.ModelChoiceField(
        label=_("联络员"), queryset=Person.objects.none(), required=False
    )
    paired = OrgsField(
        label=_("结对单位"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("如人民法庭与其指导的村（社区）调委会"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    officer_count = forms.IntegerField(
        label=_("民警人数"),
        required=False,
        min_value=0,
        max_value=OFFICER_COUNT_MAX,
        help_text=_("派出所填写：民警20名以上的派出所应设立派驻人民调解工作室"),
    )
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        regions: Any,
        parents: Any,
        members: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if members is None:
            for name in ("liaison", "paired", "officer_count", "is_active"):
                del self.fields[name]
        else:
            self.fields["liaison"].queryset = members  # type: ignore[attr-defined]
            self.fields["paired"].queryset = parents  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data.get("code", "").split()).upper()
        # A credit code is checked like every other; a shorter local code is taken as is.
        if len(code) == 18:
            CreditCodeField().clean(code)
        return code


class PersonForm(StyledForm):
    """新建/修改人员."""

    name = TextField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    region = RegionField(label=_("所属区划"), queryset=Region.objects.none())
    id_number = IdNumberField(label=_("身份证号"), required=False)
    phone = MobileField(label=_("手机号"), required=False)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False, min_value=1900)
    background = forms.ChoiceField(label=_("背景"), choices=Background.choices)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    volunteer_kind = forms.ChoiceField(
        label=_("志愿者类别"), choices=VolunteerKind.choices, required=False
    )

    username = forms.CharField(
        label=_("登录账户（用户名）"),
        max_length=150,
        required=False,
        help_text=_("此人已有平台账户时填写，其任职决定“我的任职”等页面；清空即解除关联"),
    )

    def __init__(self, *args: Any, regions: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if editing:
            for name in ("id_number", "phone"):
                self.fields[name].help_text = _("不修改请留空（已登记的号码不在此显示）")
        else:
            del self.fields["username"]

    def clean_username(self) -> Any:
        username = self.cleaned_data.get("username", "").strip()
        if not username:
            return None
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("没有这个用户名的在用账户。"))
        return user

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("出生年份不能晚于今年。"))
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        year = cleaned.get("birth_year")
        if id_number and year and int(id_number[6:10]) != year:
            self.add_error("birth_year", _("出生年份与身份证号不一致。"))
        return cleaned


class MembershipForm(StyledForm):
    """登记任职."""

    org = OrgField(label=_("单位"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=PersonRole.choices)
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices, initial=Position.MEMBER)
    is_full_time = forms.BooleanField(label=_("专职"), required=False)
    started_on = PastDateField(label=_("任职日期"), initial=timezone.localdate)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class PersonCreateForm(PersonForm):
    """新建人员, with the first post in one go (optional)."""

    org = OrgField(label=_("任职单位"), queryset=Organization.objects.none(), required=False)
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", "—"), *PersonRole.choices], required=False
    )
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices, initial=Position.MEMBER)
    is_full_time = forms.BooleanField(label=_("专职"), required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("org")) != bool(cleaned.get("role")):
            self.add_error("role", _("登记任职须同时选择任职单位和角色。"))
        return cleaned


class MembershipEditForm(StyledForm):
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices)
    is_full_time = forms.BooleanField(label=_("专职"), required=False)


class MembershipEndForm(StyledForm):
    ended_on = PastDateField(label=_("离任日期"), initial=timezone.localdate)


class ProfileForm(StyledForm):
    """调解员档案."""

    specialties = forms.MultipleChoiceField(
        label=_("擅长领域"),
        choices=grouped_category_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    grade = forms.ChoiceField(label=_("等级"), choices=MediatorGrade.choices)
    stars = forms.IntegerField(label=_("星级"), min_value=0, max_value=5, initial=0)
    studio_name = TextField(label=_("个人调解工作室"), max_length=100, required=False)
    certified_on = PastDateField(label=_("聘任日期"), required=False)
    grids = RegionsField(
        label=_("包联网格"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, grids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = grids  # type: ignore[attr-defined]


class TrainingForm(StyledForm):
    """登记培训."""

    held_on = PastDateField(label=_("培训日期"))
    kind = forms.ChoiceField(label=_("形式"), choices=TrainingKind.choices)
    title = TextField(label=_("主题"), max_length=200)
    hours = forms.DecimalField(
        label=_("学时"), min_value=0, max_value=999, decimal_places=1, initial=0
    )
    organizer = OrgField(label=_("组织单位"), queryset=Organization.objects.none(), required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = orgs  # type: ignore[attr-defined]

    def clean_held_on(self) -> Any:
        value = self.cleaned_data.get("held_on")
        validate_date_range(value, earliest=date(2000, 1, 1))
        return value


class RecusalForm(StyledForm):
    """回避声明."""

    subject_name = TextField(label=_("利害关系人/单位"), max_length=100)
    relation = TextField(label=_("关系"), max_length=100)
    note = LongTextField(label=_("说明"), required=False)
