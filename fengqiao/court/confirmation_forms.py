"""The forms of judicial confirmation (司法确认): filing, the court's decisions, service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import LongTextField, PastDateTimeField, StyledForm, TextField
from fengqiao.court.models.confirmation import ServiceMethod
from fengqiao.court.selectors.confirmation import court_choices
from fengqiao.disputes.models import Case, Party
from fengqiao.orgs.models import Organization


class PartyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from fengqiao.core.masking import mask_name

        return f"{obj.get_role_display()} {mask_name(obj.name)}"


class FileForm(StyledForm):
    """申请司法确认 (就地申请)."""

    court = forms.ModelChoiceField(
        label=_("受理法院"), queryset=Organization.objects.none(), empty_label=None
    )
    applicants = PartyChoiceField(
        label=_("共同申请的当事人"),
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("司法确认须由双方当事人共同申请：勾选到场申请的每一方当事人。"),
    )
    involves_identity = forms.BooleanField(label=_("协议涉及确认身份关系"), required=False)
    involves_adoption = forms.BooleanField(label=_("协议涉及收养关系"), required=False)
    involves_marriage = forms.BooleanField(
        label=_("协议涉及婚姻关系（结婚、离婚、婚姻效力）"), required=False
    )
    scan = forms.FileField(
        label=_("签字盖章的调解协议书扫描件"),
        help_text=_("JPEG、PNG图片或PDF文件，不超过20MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    note = LongTextField(label=_("申请说明"), required=False, max_length=2000)

    def __init__(self, *args: Any, case: Case, competent: Organization | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = court_choices(case)  # type: ignore[attr-defined]
        if competent is not None:
            self.fields["court"].initial = competent.pk
        self.fields["applicants"].queryset = case.parties.filter(  # type: ignore[attr-defined]
            role__in=["applicant", "respondent"]
        )


class RefuseForm(StyledForm):
    reasons = LongTextField(label=_("不予受理的理由"), max_length=2000)


class ExtendForm(StyledForm):
    approver = TextField(label=_("批准人（院长）"), max_length=100)
    reason = LongTextField(label=_("延长理由"), max_length=2000)


class AcknowledgeForm(StyledForm):
    note = LongTextField(label=_("审查意见"), required=False, max_length=2000)


class RuleForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("裁定结果"),
        choices=[("confirmed", _("确认调解协议有效")), ("rejected", _("驳回申请"))],
        widget=forms.RadioSelect,
    )
    reasons = LongTextField(label=_("裁定理由"), max_length=4000)


class ServeForm(StyledForm):
    party = forms.ModelChoiceField(label=_("受送达人"), queryset=Party.objects.none())
    method = forms.ChoiceField(label=_("签收方式"), choices=ServiceMethod.choices)
    signature = forms.FileField(
        label=_("签名或回证扫描件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    served_at = PastDateTimeField(label=_("送达时间"), required=False)
    place = TextField(label=_("送达地点"), required=False, max_length=200)

    def __init__(self, *args: Any, case: Case, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.all()  # type: ignore[attr-defined]
        party_field = self.fields["party"]
        party_field.label_from_instance = PartyChoiceField.label_from_instance.__get__(  # type: ignore[attr-defined]
            party_field
        )
