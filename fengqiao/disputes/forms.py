"""Forms of the case pages. They parse and check input; the services apply the business rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory, grouped_category_choices
from fengqiao.core.formfields import (
    CheckedForm,
    IdNumberField,
    IdOrCreditCodeField,
    MobileField,
    PastDateTimeField,
    StyledForm,
)
from fengqiao.core.validators import DISPUTE_EARLIEST, STORABLE_LATEST, validate_date_range
from fengqiao.disputes import queues, routing
from fengqiao.disputes.choices import (
    CaseStatus,
    CourtProcedure,
    IntakeChannel,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
)
from fengqiao.disputes.selectors import (
    CaseFilters,
    dispatch_org_choices,
    intake_regions_for_user,
    leader_choices,
    mediator_choices,
)
from fengqiao.orgs.models import Organization, Person
from fengqiao.orgs.selectors import org_list_for_user
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import region_for_filter

FLAGS = [
    ("group", _("涉群体")),
    ("criminal_risk", _("民转刑风险")),
    ("petition_risk", _("越级上访风险")),
    ("vulnerable", _("涉弱势群体")),
    ("sensitive", _("敏感时期")),
]
REFERRAL_TARGETS = ReferralTarget.choices
# Intake on staff pages; online applications come from the public portal.
STAFF_CHANNELS = [(c.value, c.label) for c in IntakeChannel if c != IntakeChannel.PORTAL]


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        if obj.level == RegionLevel.GRID:
            return f"\u3000└ {obj.name}"
        return obj.name


# --- Intake -------------------------------------------------------------------------------------


class PlaceMixin(StyledForm):
    """The place select: villages and grids under the user's register scope."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = intake_regions_for_user(user)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if not self.is_bound:
            first_two = list(regions[:2])
            if len(first_two) == 1:
                self.initial.setdefault("region", first_two[0].pk)


def intake_category_choices() -> list[tuple[Any, Any]]:
    """The categories an intake form offers, starting blank: the registrant chooses one (a
    preselected first option, 婚姻家庭, was filed whenever it was skipped)."""
    return [("", _("请选择纠纷类别")), *grouped_category_choices()]


class IntakeForm(PlaceMixin):
    """登记纠纷 — the staff intake form."""

    channel = forms.ChoiceField(label=_("受理渠道"), choices=STAFF_CHANNELS)
    category = forms.ChoiceField(label=_("纠纷类别"), choices=intake_category_choices)
    title = forms.CharField(label=_("纠纷简述"), max_length=200)
    facts = forms.CharField(label=_("纠纷事实"), widget=forms.Textarea(attrs={"rows": 4}))
    claims = forms.CharField(
        label=_("当事人诉求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    region = RegionChoiceField(label=_("发生地（村/社区、网格）"), queryset=Region.objects.none())
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    occurred_at = PastDateTimeField(label=_("发生时间"), required=False)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=2)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=100)
    applicant_id_number = IdNumberField(label=_("申请人身份证号"), required=False)
    applicant_phone = MobileField(label=_("申请人手机号"))
    respondent_name = forms.CharField(label=_("被申请人姓名/名称"), max_length=100)
    respondent_id_number = IdOrCreditCodeField(
        label=_("被申请人身份证号/统一社会信用代码"), required=False
    )
    respondent_phone = MobileField(label=_("被申请人手机号"), required=False)


class QuickReportForm(PlaceMixin):
    """网格员快速上报 — one column, six inputs, done in under a minute."""

    large = True

    category = forms.ChoiceField(label=_("纠纷类别"), choices=intake_category_choices)
    title = forms.CharField(
        label=_("一句话说明"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：张家与李家因排水沟起争执")}),
    )
    region = RegionChoiceField(label=_("发生地"), queryset=Region.objects.none())
    applicant_name = forms.CharField(label=_("反映人姓名"), max_length=100)
    applicant_phone = MobileField(label=_("反映人手机号"))
    respondent_name = forms.CharField(label=_("对方姓名/名称"), max_length=100)
    facts = forms.CharField(
        label=_("简要情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DuplicateChoiceForm(CheckedForm):
    """The registrant's answer when the intake found possible duplicates: link the report to
    one of them (``link_to``: its case id) or confirm it is a new dispute."""

    confirm_new = forms.BooleanField(required=False)
    link_to = forms.IntegerField(required=False, min_value=1)


# --- Case actions ---------------------------------------------------------------------------------


class CaseActionForm(StyledForm):
    """An action on a case; ``version`` is the case version the form was rendered at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        self.setup()

    def setup(self) -> None:
        """Choices that depend on the case or the user."""

    def service_kwargs(self) -> dict[str, Any]:
        """The service's keyword arguments besides ``actor``: the case and the cleaned fields,
        each field named as the service names its parameter (a form whose fields differ says
        so by overriding this)."""
        return {"case_id": self.case.pk, **self.cleaned_data}


class AssessForm(CaseActionForm):
    category = forms.ChoiceField(label=_("纠纷类别"), choices=grouped_category_choices)
    grade = forms.ChoiceField(
        label=_("风险等级"),
        choices=RiskGrade.choices,
        help_text=_("系统按风险研判规则评定；改为其他等级即为人工调整，请在研判意见中写明理由。"),
    )
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    flags = forms.MultipleChoiceField(
        label=_("风险标识"), choices=FLAGS, required=False, widget=forms.CheckboxSelectMultiple
    )
    lead_leader = forms.ModelChoiceField(
        label=_("包案领导"), queryset=Person.objects.none(), required=False
    )
    # Court 委托 (post-filing) cases only: the procedure sets the limit (15 or 7 days).
    procedure = forms.ChoiceField(
        label=_("审理程序"),
        choices=CourtProcedure.choices,
        help_text=_("普通程序委托调解15日，简易程序7日。"),
    )
    note = forms.CharField(
        label=_("研判意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def setup(self) -> None:
        case = self.case
        if case.channel != IntakeChannel.COURT_POST:
            del self.fields["procedure"]
        for name, value in {
            "category": case.category,
            "grade": case.grade,
            "people_count": case.people_count,
            "amount": case.amount,
            "flags": [code for code, _label in FLAGS if getattr(case, f"flag_{code}")],
            "lead_leader": case.lead_leader_id,
            "procedure": case.procedure or CourtProcedure.ORDINARY,
        }.items():
            self.initial.setdefault(name, value)
        self.fields["lead_leader"].queryset = leader_choices(  # type: ignore[attr-defined]
            self.user, case
        )


class DispatchForm(CaseActionForm):
    orgs = forms.ModelMultipleChoiceField(
        label=_("承办单位"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("选择多个单位即为联合调处。"),
        error_messages={"required": _("请选择承办单位。")},
    )
    lead = forms.ModelChoiceField(
        label=_("主调方（联合调处）"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("不指定时，先受理的单位主调；有行业属性的由行业性调委会主调。"),
    )
    suggested_mediator = forms.ModelChoiceField(
        label=_("建议调解员"), queryset=Person.objects.none(), required=False
    )

    def setup(self) -> None:
        orgs = dispatch_org_choices(self.user, self.case)
        self.fields["orgs"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["lead"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["suggested_mediator"].queryset = mediator_choices(  # type: ignore[attr-defined]
            self.user, self.case
        )
        # One 任务要求 per org (联合调处: the lead's and each coordinating org's own task),
        # shown under the org's checkbox and saved to its 交办单.
        self.task_orgs = list(orgs)
        for org in self.task_orgs:
            self.fields[self.task_field(org.pk)] = forms.CharField(
                label=_("任务要求：%(org)s") % {"org": org.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "class": "form-control form-control-sm",
                        "placeholder": _("该单位的任务要求，如：负责提供证据材料、参加联合调处会"),
                    }
                ),
            )
        if not self.is_bound:
            # Preselect the platform's recommendation; the dispatcher confirms or changes it.
            advice = self.advice
            if advice.top_org is not None:
                self.initial.setdefault("orgs", [advice.top_org.pk])
            if advice.top_mediator is not None:
                self.initial.setdefault("suggested_mediator", advice.top_mediator.pk)

    @cached_property
    def advice(self) -> routing.DispatchAdvice:
        """交办推荐 shown above the fields (computed only when the form is rendered)."""
        return routing.dispatch_advice(
            self.case,
            org_choices=self.fields["orgs"].queryset,  # type: ignore[attr-defined]
            mediator_choices=self.fields["suggested_mediator"].queryset,  # type: ignore[attr-defined]
        )

    @staticmethod
    def task_field(org_pk: int) -> str:
        return f"task_{org_pk}"

    def org_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """Each org checkbox with its task input, for the template."""
        tasks = {org.pk: self[self.task_field(org.pk)] for org in self.task_orgs}
        return [(box, tasks[int(str(box.data["value"]))]) for box in self["orgs"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, orgs = data.get("lead"), data.get("orgs")
        if lead is not None and orgs is not None and lead not in orgs:
            self.add_error("lead", _("主调方必须是所选承办单位之一。"))
        # The tasks of the chosen orgs; text typed for an org left unchecked is not sent.
        data["tasks"] = {org.pk: data.get(self.task_field(org.pk)) or "" for org in (orgs or [])}
        return data

    def service_kwargs(self) -> dict[str, Any]:
        # The task inputs reach the service as ``tasks`` (only those of the chosen orgs).
        kwargs = {k: v for k, v in super().service_kwargs().items() if not k.startswith("task_")}
        kwargs["orgs"] = list(kwargs["orgs"])
        return kwargs


def _reason(label: Any = None, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label or _("理由"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(CaseActionForm):
    note = _reason(_("说明"), required=False)


class EscalateForm(CaseActionForm):
    reason = _reason(_("上报理由"))


class SuspendForm(CaseActionForm):
    reason = _reason(_("中止理由"))


class WithdrawForm(CaseActionForm):
    reason = _reason(_("撤回理由"))


class ExtendForm(CaseActionForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=60, initial=15)
    applicant_consents = forms.BooleanField(label=_("申请人同意延期"), required=False)
    respondent_consents = forms.BooleanField(label=_("被申请人同意延期"), required=False)
    note = _reason(_("说明"), required=False)


class ReferForm(CaseActionForm):
    target = forms.ChoiceField(label=_("转出方向"), choices=REFERRAL_TARGETS)
    receiver = forms.CharField(label=_("接收单位"), max_length=200)
    note = _reason(_("说明"), required=False)


class RejectForm(CaseActionForm):
    reason = _reason(_("不予受理理由"))
    receiver = forms.CharField(label=_("告知/移送单位"), max_length=200, required=False)


class ArchiveForm(CaseActionForm):
    pass


# --- Dispatch orders and filters ---------------------------------------------------------------


class OrderForm(StyledForm):
    """An answer to a 交办单 (受理, 退回); ``version`` is the case version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, order: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order

    def service_kwargs(self) -> dict[str, Any]:
        return {"dispatch_id": self.order.pk, **self.cleaned_data}


class AcceptOrderForm(OrderForm):
    pass


class ReturnOrderForm(OrderForm):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=2000,
        error_messages={"required": _("退回必须说明理由。")},
    )


def validate_filter_day(value: Any) -> None:
    """A day to filter cases by: no case was registered before 1949-10-01 and none is stored
    after the storable range, so such a day is dropped like any invalid filter."""
    validate_date_range(value, earliest=DISPUTE_EARLIEST, latest=STORABLE_LATEST)


class CaseFilterForm(CheckedForm):
    """The list filters; an invalid value is dropped rather than refused."""

    status = forms.ChoiceField(required=False, choices=[("", ""), *CaseStatus.choices])
    category = forms.ChoiceField(required=False, choices=[("", ""), *DisputeCategory.choices])
    grade = forms.ChoiceField(required=False, choices=[("", ""), *RiskGrade.choices])
    channel = forms.ChoiceField(required=False, choices=[("", ""), *IntakeChannel.choices])
    region = forms.CharField(required=False, max_length=15)
    overdue = forms.BooleanField(required=False)
    # Cases are registered from 1949 on; beyond the storable range a filter can match nothing.
    since = forms.DateField(required=False, validators=[validate_filter_day])
    until = forms.DateField(required=False, validators=[validate_filter_day])
    q = forms.CharField(required=False, max_length=100)
    # The 统计分析 drill-down's: the cases an org, or one of its mediators, answers for.
    org = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    handler = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647)


@dataclass(frozen=True)
class CaseListQuery:
    """The case list's selection as its page and its ledger (纠纷台账, 调解记录, 调解协议) read
    it from one query string: the filters, the region they name, the landing page's queue."""

    filters: CaseFilters
    region: Region | None
    queue: str
    org: Organization | None = None
    handler: Any = None


def case_list_query(user: Any, params: Mapping[str, Any]) -> CaseListQuery:
    """Parse the case list's query string (an invalid value is dropped, as on the page)."""
    form = CaseFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    region = region_for_filter(user, data.get("region") or "")
    # An org or person the user may not see is dropped, as a region is.
    org = org_list_for_user(user).filter(pk=data["org"]).first() if data.get("org") else None
    handler = (
        get_user_model().objects.filter(pk=data["handler"]).only("real_name", "username").first()
        if data.get("handler")
        else None
    )
    filters = CaseFilters(
        status=data.get("status") or "",
        category=data.get("category") or "",
        grade=data.get("grade") or "",
        channel=data.get("channel") or "",
        region=region,
        overdue=bool(data.get("overdue")),
        since=data.get("since"),
        until=data.get("until"),
        query=data.get("q") or "",
        org_id=org.pk if org else None,
        handler_id=handler.pk if handler else None,
    )
    queue = str(params.get("queue", "") or "")
    return CaseListQuery(
        filters, region, queue if queue in queues.LIST_LABELS else "", org=org, handler=handler
    )
