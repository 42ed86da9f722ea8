"""The governance pages' forms: they parse, the services decide (``services``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.core.formfields import LongTextField, StyledForm, TextField
from fengqiao.core.validators import validate_date_range
from fengqiao.governance.choices import PublicityKind
from fengqiao.governance.models import SCREENING_LEVELS, MeetingType
from fengqiao.governance.services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def uploads_of(files: list[Any]) -> list[Upload]:
    return [Upload(f, f.name, f.size) for f in files]


def _key() -> str:
    return uuid.uuid4().hex


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class OrgMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MeetingForm(StyledForm):
    meeting_type = forms.ModelChoiceField(
        label=_("会议类型"), queryset=MeetingType.objects.filter(is_active=True)
    )
    convening_org = OrgChoiceField(label=_("召集单位"), queryset=None)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    held_on = forms.DateField(
        label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    participants = OrgMultipleField(
        label=_("参会单位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    held = forms.BooleanField(label=_("会议已召开（登记会议纪要）"), required=False)
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("附件（JPEG、PNG或PDF）"), required=False)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, platforms: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submit_key": _key(), "held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["convening_org"].queryset = platforms  # type: ignore[attr-defined]
        if len(platforms) == 1:  # the user's own platform: nothing to choose
            self.fields["convening_org"].empty_label = None  # type: ignore[attr-defined]
        self.fields["participants"].queryset = partners  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("held") and not (data.get("minutes") or "").strip():
            self.add_error("minutes", _("登记已召开的会议，请填写会议纪要。"))
        return data


class MinutesForm(StyledForm):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("附件（JPEG、PNG或PDF）"), required=False)


class AttendanceForm(StyledForm):
    org = OrgChoiceField(label=_("单位"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    present = forms.BooleanField(label=_("出席"), required=False, initial=True)
    absence_reason = forms.CharField(label=_("缺席原因"), max_length=200, required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("present") and not (data.get("absence_reason") or "").strip():
            self.add_error("absence_reason", _("缺席的人员请填写缺席原因。"))
        return data


class ResolutionForm(StyledForm):
    text = forms.CharField(
        label=_("决定事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    owner_org = OrgChoiceField(label=_("责任单位"), queryset=None)
    owner_user = UserChoiceField(
        label=_("责任人（可不填）"),
        queryset=None,
        required=False,
        help_text=_("须是责任单位的工作人员。"),
    )
    due_date = forms.DateField(
        label=_("办结期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, orgs: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = users  # type: ignore[attr-defined]


class CompleteForm(StyledForm):
    evidence_text = forms.CharField(
        label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence_files = MultipleFileField(label=_("办结凭证（JPEG、PNG或PDF）"), required=False)


class PublicityForm(StyledForm):
    organizer = OrgChoiceField(label=_("牵头单位"), queryset=None)
    kind = forms.ChoiceField(label=_("活动类型"), choices=PublicityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    held_on = forms.DateField(
        label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    orgs = OrgMultipleField(
        label=_("联合举办单位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.IntegerField(label=_("受众人数"), min_value=0, max_value=1_000_000)
    note = forms.CharField(
        label=_("活动情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(label=_("活动照片（JPEG、PNG或PDF）"), required=False)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, platforms: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submit_key": _key(), "held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = platforms  # type: ignore[attr-defined]
        if len(platforms) == 1:
            self.fields["organizer"].empty_label = None  # type: ignore[attr-defined]
        self.fields["orgs"].queryset = partners  # type: ignore[attr-defined]


# --- 排查 --------------------------------------------------------------------------------------

ZERO, FOUND = "zero", "found"


class ScreeningReportForm(StyledForm):
    """排查报告 — a phone-sized form: 零报告 with one tap, or the disputes found (cases
    registered here this period, or a line each)."""

    large = True

    result = forms.ChoiceField(
        label=_("本期排查结果"),
        choices=[(ZERO, _("未发现矛盾纠纷（零报告）")), (FOUND, _("发现矛盾纠纷"))],
        widget=forms.RadioSelect,
    )
    cases = forms.MultipleChoiceField(
        label=_("本期已上报的纠纷（勾选列入本次报告）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    finding_1 = TextField(label=_("其他发现（一句话说明）"), max_length=200, required=False)
    finding_2 = TextField(label=_("其他发现"), max_length=200, required=False)
    finding_3 = TextField(label=_("其他发现"), max_length=200, required=False)
    note = LongTextField(label=_("排查情况说明（可不填）"), max_length=2000, required=False)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [  # type: ignore[attr-defined]
            (str(c.pk), f"{c.number} {c.title}") for c in cases
        ]
        if not cases:
            del self.fields["cases"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        found = [data.get(f"finding_{i}") for i in (1, 2, 3)]
        if data.get("result") == FOUND and not (any(found) or data.get("cases")):
            self.add_error(None, _("请勾选或填写排查发现的纠纷，未发现请选择“零报告”。"))
        return data

    @property
    def descriptions(self) -> list[str]:
        if self.cleaned_data.get("result") != FOUND:
            return []
        return [self.cleaned_data.get(f"finding_{i}") or "" for i in (1, 2, 3)]

    @property
    def case_ids(self) -> list[int]:
        if self.cleaned_data.get("result") != FOUND:
            return []
        return [int(pk) for pk in self.cleaned_data.get("cases") or []]


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(obj.level - 3, 0)}{obj.name}"


class ScreeningCampaignForm(StyledForm):
    """部署专项排查 (a sensitive period: daily, over a date range, in a part of the area)."""

    organizer = OrgChoiceField(label=_("部署单位"), queryset=None)
    title = TextField(label=_("专项排查名称"), max_length=100)
    region = RegionChoice(label=_("排查范围"), queryset=None)
    unit_level = forms.TypedChoiceField(
        label=_("报送单位"), choices=SCREENING_LEVELS[1:], coerce=int, initial=5
    )
    starts_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    categories = forms.MultipleChoiceField(
        label=_("重点纠纷类别（可不选）"),
        choices=DisputeCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = LongTextField(label=_("工作要求"), max_length=2000, required=False)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, platforms: Any, regions: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"submit_key": _key(), "starts_on": today, "ends_on": today})
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = platforms  # type: ignore[attr-defined]
        if len(platforms) == 1:
            self.fields["organizer"].empty_label = None  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("starts_on", "ends_on"):
            try:
                validate_date_range(data.get(name), allow_future=True, latest=date(2100, 12, 31))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data
