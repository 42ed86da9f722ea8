"""Forms of the mediation panel. They parse input; the services apply the rules."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.core.formfields import (
    CheckedForm,
    LongTextField,
    PastDateField,
    PastDateTimeField,
    StyledForm,
    TermDateField,
)
from fengqiao.disputes.choices import Satisfaction
from fengqiao.disputes.forms import CaseActionForm
from fengqiao.disputes.models import Party
from fengqiao.documents.choices import DocumentType
from fengqiao.mediation.choices import (
    PERFORMANCE_OPEN,
    AgreementKind,
    ConsentDecision,
    ContactMethod,
    PerformanceStatus,
    SessionMode,
)
from fengqiao.mediation.models import MediationSession, PerformanceItem
from fengqiao.mediation.services import handling_team
from fengqiao.orgs.models import Organization, Person
from fengqiao.orgs.selectors import people_visible_to

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(
    label: Any, *, required: bool = True, rows: int = 2, max_length: int = 20000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_role_display()} {obj.name}"


class PartyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_role_display()} {obj.name}"


class SessionChoiceField(forms.ModelChoiceField):
    """A 调解笔录 by when and how it was held (the ``__str__`` of a row is for the admin)."""

    def label_from_instance(self, obj: Any) -> str:
        held = timezone.localtime(obj.held_at).strftime("%Y-%m-%d %H:%M")
        return f"{held} {obj.get_mode_display()}"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ConsentForm(CaseActionForm):
    party = PartyChoiceField(label=_("当事人"), queryset=Party.objects.none())
    decision = forms.ChoiceField(
        label=_("调解意愿"), choices=ConsentDecision.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label=_("确认方式"), choices=ContactMethod.choices)
    online = forms.BooleanField(
        label=_("同意在线（视频）调解"),
        required=False,
        help_text=_("《人民法院在线调解规则》第四条：在线调解须经当事人同意。"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def setup(self) -> None:
        self.fields["party"].queryset = Party.objects.filter(case=self.case)  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["party_id"] = kwargs.pop("party").pk
        return kwargs


class RightsNoticeForm(CaseActionForm):
    method = forms.ChoiceField(label=_("告知方式"), choices=ContactMethod.choices)
    acknowledged = PartyMultipleChoiceField(
        label=_("已签收的当事人"),
        queryset=Party.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def setup(self) -> None:
        self.fields["acknowledged"].queryset = Party.objects.filter(case=self.case)  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["acknowledged_party_ids"] = [p.pk for p in kwargs.pop("acknowledged")]
        return kwargs


class SessionForm(CaseActionForm):
    held_at = PastDateTimeField(
        label=_("调解时间"), widget=DATETIME_WIDGET, help_text=_("实际调解的时间，不能晚于现在。")
    )
    mode = forms.ChoiceField(label=_("调解方式"), choices=SessionMode.choices)
    place = forms.CharField(label=_("调解地点"), required=False, max_length=200)
    mediators = UserMultipleChoiceField(
        label=_("共同调解员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("记录人自动列为调解员。"),
    )
    attendees = _text(_("参加人员"), required=False)
    record = _text(_("调解记录"), rows=4)
    outcome = _text(_("调解结果"), required=False)

    def setup(self) -> None:
        self.initial.setdefault("held_at", timezone.localtime())
        team = handling_team(self.case).exclude(pk=self.user.pk).order_by("username")
        self.fields["mediators"].queryset = team  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["mediators"] = list(kwargs["mediators"])
        return kwargs


class EvidenceForm(CaseActionForm):
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "JPEG、PNG图片或PDF文件，不超过10MB。图片去除拍摄位置等附加信息后保存；"
            "含脚本、自动动作或附件的PDF不予接收。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    title = forms.CharField(label=_("名称"), required=False, max_length=200)
    session = SessionChoiceField(
        label=_("所属调解笔录"),
        queryset=MediationSession.objects.none(),
        required=False,
        empty_label=_("（不属于某次调解）"),
    )

    def setup(self) -> None:
        self.fields["session"].queryset = MediationSession.objects.filter(case=self.case)  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        upload, session = kwargs["file"], kwargs.pop("session")
        kwargs.update(
            name=upload.name or "",
            size=upload.size or 0,
            session_id=session.pk if session else None,
        )
        return kwargs


class ExpertOpinionForm(CaseActionForm):
    expert = forms.ModelChoiceField(label=_("专家"), queryset=Person.objects.none())
    field = forms.CharField(label=_("专业领域"), max_length=100)
    opinion = _text(_("专家意见"), rows=3)
    given_at = PastDateTimeField(label=_("出具时间"), widget=DATETIME_WIDGET)

    def setup(self) -> None:
        self.initial.setdefault("given_at", timezone.localtime())
        self.fields["expert"].queryset = people_visible_to(self.user).order_by("name")  # type: ignore[attr-defined]


# --- How mediation ends and after (actions in the case page's actions column) ----------------


class AgreeForm(CaseActionForm):
    kind = forms.ChoiceField(
        label=_("协议形式"),
        choices=AgreementKind.choices,
        initial=AgreementKind.WRITTEN,
        widget=forms.RadioSelect,
    )
    facts = _text(_("纠纷主要事实"), required=False, max_length=2000)
    disputed_points = _text(_("争议事项"), required=False, max_length=2000)
    responsibilities = _text(_("各方当事人的责任"), required=False, max_length=2000)
    terms = forms.CharField(
        label=_("协议内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("协议内容不能为空。")},
    )
    performance_method = forms.CharField(label=_("履行方式"), max_length=200, required=False)
    performance_place = forms.CharField(label=_("履行地点"), max_length=200, required=False)
    performance_deadline = TermDateField(label=_("履行期限"), required=False)

    def setup(self) -> None:
        self.initial.setdefault("facts", self.case.facts)


class FailForm(CaseActionForm):
    undisputed_facts = _text(_("无争议事实记载"), max_length=2000)
    note = _text(_("说明"), required=False, max_length=2000)


class FollowUpForm(CaseActionForm):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = _text(_("回访意见"), required=False, max_length=2000)


class FollowUpCorrectForm(CaseActionForm):
    """更正回访: which visit, what it should say, and why."""

    follow_up = forms.TypedChoiceField(label=_("回访记录"), coerce=int, choices=[])
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = _text(_("回访意见"), required=False, max_length=2000)
    reason = _text(_("更正理由"), max_length=2000)

    def setup(self) -> None:
        visits = list(self.case.follow_ups.order_by("-visited_at", "-pk"))
        self.fields["follow_up"].choices = [  # type: ignore[attr-defined]
            (
                v.pk,
                f"{timezone.localtime(v.visited_at):%Y-%m-%d %H:%M} {v.get_satisfaction_display()}",
            )
            for v in visits
        ]
        if visits and not self.is_bound:
            self.initial.setdefault("follow_up", visits[0].pk)
            self.initial.setdefault("satisfaction", visits[0].satisfaction)
            self.initial.setdefault("comment", visits[0].comment)

    def service_kwargs(self) -> dict[str, Any]:
        # The service finds the case through the visit.
        kwargs = super().service_kwargs()
        del kwargs["case_id"]
        kwargs["follow_up_id"] = kwargs.pop("follow_up")
        return kwargs


# --- Fulfilment (履行) ------------------------------------------------------------------------


def _amount(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        **kwargs,
    )


class PerformanceItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        amount = f" {obj.amount}元" if obj.amount is not None else ""
        return f"{obj.description}{amount}（{obj.due_date:%Y-%m-%d}前）"


class _OpenItemForm(CaseActionForm):
    """A form about one obligation of the case (in ``item_states``): the service finds the
    case through it."""

    item_states: tuple[str, ...] = PERFORMANCE_OPEN
    item = PerformanceItemChoiceField(label=_("履行事项"), queryset=PerformanceItem.objects.none())

    def setup(self) -> None:
        self.fields["item"].queryset = PerformanceItem.objects.filter(  # type: ignore[attr-defined]
            case=self.case, status__in=self.item_states
        )

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        del kwargs["case_id"]
        kwargs["item_id"] = kwargs.pop("item").pk
        return kwargs


class PerformanceItemForm(CaseActionForm):
    """登记履行事项."""

    obligor = PartyChoiceField(label=_("履行义务人"), queryset=Party.objects.none())
    description = forms.CharField(label=_("履行内容"), max_length=200)
    amount = _amount(
        _("金额（元）"),
        help_text=_("金钱给付填写金额；赔礼道歉、排除妨碍等非金钱义务不填。"),
    )
    due_date = TermDateField(label=_("履行期限"))

    def setup(self) -> None:
        self.fields["obligor"].queryset = Party.objects.filter(case=self.case)  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["obligor_id"] = kwargs.pop("obligor").pk
        return kwargs


class PerformanceRecordForm(_OpenItemForm):
    """登记履行 — a payment or the act owed, with its proof."""

    item_states = (*PERFORMANCE_OPEN, PerformanceStatus.DEFAULTED)
    happened_on = PastDateField(label=_("履行日期"))
    amount = _amount(_("本次履行金额（元）"))
    proof = forms.FileField(
        label=_("履行凭证"),
        required=False,
        help_text=_(
            "收据、转账记录或照片（JPEG、PNG或PDF，不超过10MB）；没有凭证的在说明中写明履行经过。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def setup(self) -> None:
        super().setup()
        self.initial.setdefault("happened_on", timezone.localdate())

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        upload = kwargs.pop("proof")
        if upload:
            kwargs.update(proof=upload, proof_name=upload.name or "", proof_size=upload.size or 0)
        return kwargs


class PerformanceDefaultForm(_OpenItemForm):
    """登记未按期履行."""

    note = forms.CharField(
        label=_("未履行情况"),
        max_length=500,
        help_text=_("如：经电话催告，义务人仍未履行。"),
    )


class PerformanceCertificateForm(CaseActionForm):
    """出具自动履行证明书: nothing to fill, the version guards a double submit."""


class DocumentIssueForm(CheckedForm):
    """出具文书: the type, what in the case it is of (a session…), and the latest version the
    page showed (so a second click issues nothing: ``documents.case_document_issue``)."""

    doc_type = forms.ChoiceField(choices=DocumentType.choices)
    subject = forms.CharField(max_length=40, required=False)
    after = forms.IntegerField(min_value=0)


# --- 业务指导 ---------------------------------------------------------------------------------


class GuidanceAskForm(StyledForm):
    """请求业务指导: one of the orgs the policy offers (``askable_orgs``) and the question."""

    asked_org = forms.TypedChoiceField(label=_("向谁咨询"), coerce=int)
    question = LongTextField(label=_("咨询问题（法律或政策问题）"), max_length=2000)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, orgs: list[Organization], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submit_key": uuid.uuid4().hex})
        kwargs.setdefault("prefix", "guidance")
        super().__init__(*args, **kwargs)
        field = cast("forms.TypedChoiceField", self.fields["asked_org"])
        field.choices = [("", "---------")] + [(o.pk, f"{o.name}（{o.kind.name}）") for o in orgs]


class GuidanceAnswerForm(StyledForm):
    answer = LongTextField(label=_("答复意见"), max_length=4000)
    attachment = forms.FileField(
        label=_("附件（可选，JPEG、PNG或PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class RoomScheduleForm(StyledForm):
    """预约在线调解: when, how long, which parties, and others by name (staff, experts)."""

    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("预计时长"),
        coerce=int,
        choices=[(n, _("%(n)d分钟") % {"n": n}) for n in (30, 60, 90, 120, 180)],
        initial=60,
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("参加的当事人"),
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一名当事人。")},
    )
    guests = forms.CharField(
        label=_("其他参加人（可选）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如其他调解员、专家，每行一个姓名，最多5人；每人会得到一个邀请链接。"),
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parties = self.fields["parties"]
        parties.queryset = Party.objects.filter(case=case).order_by("pk")  # type: ignore[attr-defined]
        parties.label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["parties"] = list(parties.queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]

    def guest_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["guests"].splitlines() if line.strip()]
