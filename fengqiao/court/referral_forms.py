"""The referral pages' forms (parse only: the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import StyledForm
from fengqiao.court.models import RosterMember
from fengqiao.disputes.choices import CourtProcedure
from fengqiao.orgs.models import Organization


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RosterMember) -> str:
        if obj.mediator is not None:
            return f"{obj.mediator.name}（{_('特邀调解员')}，{obj.org.name}）"
        return f"{obj.org.name}（{_('特邀调解组织')}）"


class ReferralSendForm(StyledForm):
    member = MemberChoiceField(queryset=RosterMember.objects.none(), label=_("委派给"))
    court_case_number = forms.CharField(
        label=_("法院案号（委托调解必填）"), max_length=60, required=False
    )
    procedure = forms.ChoiceField(
        label=_("审理程序（委托调解）"),
        choices=[("", "—"), *CourtProcedure.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("委派说明"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class FileForm(StyledForm):
    filed_number = forms.CharField(label=_("立案案号"), max_length=60)


class NumberForm(StyledForm):
    """补录案号 of a 委托 the platform dispatched (the service checks the 案号's shape)."""

    court_case_number = forms.CharField(
        label=_("法院案号"),
        max_length=60,
        help_text=_("如：（2026）浙0102民初123号"),
        error_messages={"required": _("请填写法院案号。")},
    )
    procedure = forms.ChoiceField(
        label=_("审理程序"),
        choices=[("", "—"), *CourtProcedure.choices],
        error_messages={"required": _("请选择普通程序或简易程序。")},
    )


WITHDRAW_OTHER = "other"
WITHDRAW_REASONS = [
    ("parties", _("当事人申请撤回")),
    ("court", _("法院决定自行审理")),
    (WITHDRAW_OTHER, _("其他原因")),
]


class WithdrawForm(StyledForm):
    """撤回 of an open 委派/委托: a reason, and the case version the page showed (so a second
    click is recognised)."""

    reason = forms.ChoiceField(
        label=_("撤回原因"),
        choices=WITHDRAW_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择撤回原因。")},
    )
    detail = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea({"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == WITHDRAW_OTHER and not (data.get("detail") or "").strip():
            self.add_error("detail", _("选择“其他原因”时请说明撤回原因。"))
        return data

    def reason_text(self) -> str:
        """The reason as the timeline, the referral and the mediators read it."""
        data = self.cleaned_data
        detail = (data.get("detail") or "").strip()
        if data["reason"] == WITHDRAW_OTHER:
            return detail
        label = str(dict(WITHDRAW_REASONS)[data["reason"]])
        return f"{label}：{detail}" if detail else label


class RosterApplyForm(StyledForm):
    court = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("申请加入的法院名册")
    )
    org = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("特邀调解组织"))
    as_mediator = forms.BooleanField(label=_("以本人名义申请为特邀调解员"), required=False)

    def __init__(self, *args: Any, courts: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class RosterDecideForm(StyledForm):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("批准入册")),
            ("reject", _("不予入册")),
            ("review", _("年度复核")),
            ("remove", _("除名")),
        ],
        label=_("操作"),
    )
    review_due = forms.DateField(
        label=_("下次复核日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    reason = forms.CharField(label=_("理由"), max_length=1000, required=False)

    def clean_review_due(self) -> Any:
        value = self.cleaned_data.get("review_due")
        if value is not None and value.year > timezone.localdate().year + 5:
            raise forms.ValidationError(_("复核日期不应晚于五年后。"))
        return value
