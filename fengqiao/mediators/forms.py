"""The 调解员管理 pages' forms: they parse and bound what a user typed; the services decide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.core.formfields import (
    IdNumberField,
    LongTextField,
    MobileField,
    PastDateField,
    PhoneField,
    StyledForm,
    TermDateField,
    TextField,
)
from fengqiao.disputes.choices import RiskGrade
from fengqiao.mediators.choices import CaseOutcome, ComplaintOutcome, ComplaintSource
from fengqiao.mediators.models import AMOUNT_MAX, PLACES_MAX, RESUME_REASON_MAX, YEAR_MAX, YEAR_MIN
from fengqiao.orgs.choices import Background, MediatorGrade


def _score_field(label: Any, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )


def _percent_field(label: Any) -> forms.DecimalField:
    return _score_field(label, required=True)


def _money(label: Any, *, signed: bool = False, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=-AMOUNT_MAX if signed else Decimal(0),
        max_value=AMOUNT_MAX,
        max_digits=9,
        decimal_places=2,
    )


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.region.name} · {obj.name}"


class PostField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.name}（{obj.org.name}）"


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        person = getattr(obj, "person", None)
        return str(person.name if person is not None else obj.display_name)


class RoundForm(StyledForm):
    org = OrgField(label=_("选聘单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    title = TextField(label=_("名称"), max_length=100)
    places = forms.IntegerField(label=_("拟聘人数"), min_value=1, max_value=PLACES_MAX)
    is_full_time = forms.BooleanField(label=_("专职调解员"), required=False)
    written_weight = forms.IntegerField(
        label=_("笔试权重（%）"), min_value=0, max_value=100, initial=50
    )
    interview_weight = forms.IntegerField(
        label=_("面试权重（%）"), min_value=0, max_value=100, initial=50
    )
    pass_line = _score_field(_("合格分数线（综合成绩）"), required=True)
    term_years = forms.IntegerField(label=_("聘期（年）"), min_value=1, max_value=10, initial=3)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = orgs
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        w, i = cleaned.get("written_weight"), cleaned.get("interview_weight")
        if w is not None and i is not None and w + i != 100:
            self.add_error("interview_weight", _("笔试与面试权重之和应为100%。"))
        return cleaned


class ApplicationForm(StyledForm):
    name = TextField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    id_number = IdNumberField(label=_("身份证号"))
    phone = MobileField(label=_("手机号"), required=False)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False, min_value=1900)
    background = forms.ChoiceField(label=_("背景"), choices=Background.choices)
    experience = LongTextField(label=_("工作经历与专长"), max_length=1000, required=False)

    def clean_birth_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year - 18:
            raise forms.ValidationError(_("报名人应年满18周岁。"))
        return year


class ScoreForm(StyledForm):
    written_score = _score_field(_("笔试成绩"))
    interview_score = _score_field(_("面试成绩"))


class AppointForm(StyledForm):
    term_start = TermDateField(label=_("聘期开始"))
    term_end = TermDateField(
        label=_("聘期结束"), required=False, help_text=_("不填按选聘的聘期计算")
    )
    note = TextField(label=_("说明"), max_length=200, required=False)


class DeclineForm(StyledForm):
    note = TextField(label=_("不予聘任的理由"), max_length=200)


class ComplaintForm(StyledForm):
    post = PostField(label=_("被投诉调解员"), queryset=None)
    source = forms.ChoiceField(label=_("投诉来源"), choices=ComplaintSource.choices)
    complainant_name = TextField(label=_("投诉人（当事人姓名或单位名称）"), max_length=100)
    complainant_phone = PhoneField(label=_("联系电话"), required=False)
    case_number = TextField(label=_("相关案件编号"), max_length=40, required=False)
    summary = LongTextField(label=_("投诉事项"), max_length=2000)
    received_on = PastDateField(label=_("受理日期"))
    days = forms.IntegerField(label=_("处理期限（天）"), min_value=1, max_value=90, initial=30)

    def __init__(self, *args: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["post"]).queryset = posts
        self.fields["received_on"].initial = timezone.localdate()


class InvestigateForm(StyledForm):
    note = LongTextField(label=_("调查安排"), max_length=2000, required=False)


class ConcludeForm(StyledForm):
    investigation = LongTextField(label=_("调查情况"), max_length=2000)
    outcome = forms.ChoiceField(label=_("处理结果"), choices=ComplaintOutcome.choices)
    outcome_note = LongTextField(label=_("处理意见"), max_length=2000)
    suspended_until = TermDateField(
        label=_("暂停调解至"),
        required=False,
        help_text=_("处理结果为暂停调解工作时必填（最长一年）；期间不能为该调解员分派案件。"),
    )


class ResumeForm(StyledForm):
    reason = LongTextField(
        label=_("恢复调解的理由"),
        max_length=RESUME_REASON_MAX,
        help_text=_("恢复后即可为该调解员分派案件。"),
    )


class CriterionForm(StyledForm):
    """One star's criterion; a star left unticked is not awarded that year."""

    stars = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=5)
    enabled = forms.BooleanField(label=_("设定"), required=False)
    grade = forms.ChoiceField(label=_("等级"), choices=MediatorGrade.choices)
    min_cases = forms.IntegerField(label=_("办结≥（件）"), min_value=0, max_value=100000)
    min_success_rate = _percent_field(_("成功率≥（%）"))
    min_performance_rate = _percent_field(_("履行率≥（%）"))
    min_satisfaction_rate = _percent_field(_("满意率≥（%）"))
    min_trainings = forms.IntegerField(label=_("培训≥（次）"), min_value=0, max_value=1000)
    max_upheld_complaints = forms.IntegerField(
        label=_("成立投诉≤（件）"), min_value=0, max_value=1000
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=0, max_num=5, absolute_max=5)


class ApproveRatingForm(StyledForm):
    stars = forms.IntegerField(label=_("星级"), min_value=0, max_value=5)
    grade = forms.ChoiceField(label=_("等级"), choices=MediatorGrade.choices)
    reason = TextField(label=_("调整理由"), max_length=200, required=False)


class RuleForm(StyledForm):
    name = TextField(label=_("名称"), max_length=100)
    outcome = forms.ChoiceField(label=_("调解结果"), choices=CaseOutcome.choices)
    category = forms.ChoiceField(
        label=_("纠纷类别"), choices=[("", _("不限")), *DisputeCategory.choices], required=False
    )
    grade = forms.ChoiceField(
        label=_("风险等级"), choices=[("", _("不限")), *RiskGrade.choices], required=False
    )
    min_amount = forms.DecimalField(
        label=_("标的额不低于（元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    amount = _money(_("补贴金额（元）"))
    performance_bonus = _money(_("履行完毕加发（元）"), required=False)
    priority = forms.IntegerField(label=_("优先级"), min_value=0, max_value=1000, initial=0)
    effective_from = TermDateField(label=_("起始日期"))
    effective_to = TermDateField(label=_("截止日期"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("截止日期不能早于起始日期。"))
        return cleaned


class RuleEndForm(StyledForm):
    effective_to = TermDateField(label=_("停用日期"))


class MonthField(forms.CharField):
    """A month typed as ``YYYY-MM`` (the browser's month picker)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            year, month = (int(x) for x in text.split("-"))
            found = date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为“2026-11”。")) from None
        if not YEAR_MIN <= found.year <= YEAR_MAX:
            raise forms.ValidationError(_("月份超出允许的范围。"))
        return found


class ComputeForm(StyledForm):
    org = OrgField(label=_("单位"), queryset=None)
    month = MonthField(label=_("月份"))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = orgs


class AdjustForm(StyledForm):
    mediator = UserField(label=_("调解员"), queryset=None)
    amount = _money(_("调整金额（元，扣减填负数）"), signed=True)
    note = TextField(label=_("调整理由"), max_length=200)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["mediator"]).queryset = users
