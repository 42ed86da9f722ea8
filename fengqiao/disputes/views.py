"""The case pages. Each view parses, authorizes, calls one service or selector and renders; a
refusal from a service (stale form, business rule, workflow, permission) is shown to the user
with what they typed kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm, require
from fengqiao.accounts.models import User
from fengqiao.core.choices import DisputeCategory, grouped_category_choices
from fengqiao.core.validators import is_credit_code
from fengqiao.disputes import deadlines, forms, queues, selectors
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    IntakeChannel,
    PartyKind,
    PartyRole,
    RiskGrade,
    Satisfaction,
)
from fengqiao.disputes.duplicates import (
    DuplicateList,
    find_duplicates,
    flagged_at_intake,
    repeat_reports_of,
)
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch_with_tasks,
    case_escalate,
    dispatch_accept,
    dispatch_return,
)
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, PartyInput, StaleCase
from fengqiao.disputes.services.handling import (
    case_extend,
    case_resume,
    case_suspend,
    mediation_start,
)
from fengqiao.disputes.services.intake import case_intake, case_repeat_report
from fengqiao.disputes.services.outcomes import (
    case_agree,
    case_archive,
    case_fail,
    case_refer,
    case_reject,
    case_withdraw,
    follow_up_correct,
    follow_up_record,
)
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation.views import EVENT_LABELS as MEDIATION_EVENT_LABELS
from fengqiao.mediation.views import panel_context
from fengqiao.regions.selectors import region_for_filter

PAGE_SIZE = 30
# What a service may refuse with; each carries a message for the user.
REFUSALS = (StaleCase, CaseRuleError, TransitionNotAllowed, PermissionDenied)

ACTION_LABELS: dict[str, Any] = {
    **{a.value: a.label for a in CaseAction},
    "escalate": gettext_lazy("上报"),
    "extend": gettext_lazy("延期"),
    "follow_up": gettext_lazy("回访"),
    "follow_up_correct": gettext_lazy("更正回访"),
}
# Timeline entries that are not workflow actions.
EVENT_LABELS: dict[str, Any] = {
    **ACTION_LABELS,
    "register": gettext_lazy("登记"),
    "join": gettext_lazy("加入联合调处"),
    "remind": gettext_lazy("催办"),
    "repeat_report": gettext_lazy("重复反映"),
    "duplicate_check": gettext_lazy("疑似重复提示"),
    "supervise": gettext_lazy("督办"),
    "report_back": gettext_lazy("办结反馈"),
    "report_overdue": gettext_lazy("逾期未办结报告"),
    "deadline_recomputed": gettext_lazy("期限重算"),
    "deemed_failed": gettext_lazy("视为调解不成"),
    "arbitration_open": gettext_lazy("可申请仲裁告知"),
}
STATUS_LABELS = dict(CaseStatus.choices)


def _actor(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _refusal_message(exc: Exception) -> str:
    return str(exc) or _("您无权办理该案件。")


def _refusal_status(exc: Exception) -> int:
    if isinstance(exc, StaleCase):
        return 409
    if isinstance(exc, PermissionDenied):
        return 403
    return 400


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- Actions on a case --------------------------------------------------------------------------

Run = Callable[[User, Case, dict[str, Any]], object]


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.CaseActionForm]
    run: Run
    done: Any


def _assess(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_assess(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        category=d["category"],
        grade=d["grade"],
        people_count=d["people_count"],
        amount=d["amount"],
        flags=d["flags"],
        lead_leader=d["lead_leader"],
        procedure=d.get("procedure", ""),
        note=d["note"],
    )


def _dispatch(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_dispatch_with_tasks(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        orgs=list(d["orgs"]),
        tasks=d["tasks"],
        lead=d["lead"],
        suggested_mediator=d["suggested_mediator"],
    )


def _escalate(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_escalate(actor=actor, case_id=case.pk, version=d["version"], reason=d["reason"])


def _start(actor: User, case: Case, d: dict[str, Any]) -> object:
    return mediation_start(actor=actor, case_id=case.pk, version=d["version"], note=d["note"])


def _suspend(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_suspend(actor=actor, case_id=case.pk, version=d["version"], reason=d["reason"])


def _resume(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_resume(actor=actor, case_id=case.pk, version=d["version"], note=d["note"])


def _extend(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_extend(
        actor=actor,
        case_id=case.pk,
        days=d["days"],
        applicant_consents=d["applicant_consents"],
        respondent_consents=d["respondent_consents"],
        note=d["note"],
        version=d["version"],
    )


def _agree(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_agree(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        kind=d["kind"],
        terms=d["terms"],
        facts=d["facts"],
        disputed_points=d["disputed_points"],
        responsibilities=d["responsibilities"],
        performance_method=d["performance_method"],
        performance_place=d["performance_place"],
        performance_deadline=d["performance_deadline"],
    )


def _fail(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_fail(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        undisputed_facts=d["undisputed_facts"],
        note=d["note"],
    )


def _refer(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_refer(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        target=d["target"],
        receiver=d["receiver"],
        note=d["note"],
    )


def _reject(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_reject(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        reason=d["reason"],
        receiver=d["receiver"],
    )


def _withdraw(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_withdraw(actor=actor, case_id=case.pk, version=d["version"], reason=d["reason"])


def _follow_up(actor: User, case: Case, d: dict[str, Any]) -> object:
    return follow_up_record(
        actor=actor,
        case_id=case.pk,
        satisfaction=d["satisfaction"],
        comment=d["comment"],
        version=d["version"],
    )


def _follow_up_correct(actor: User, case: Case, d: dict[str, Any]) -> object:
    return follow_up_correct(
        actor=actor,
        follow_up_id=d["follow_up"],
        satisfaction=d["satisfaction"],
        comment=d["comment"],
        reason=d["reason"],
        version=d["version"],
    )


def _archive(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_archive(actor=actor, case_id=case.pk, version=d["version"])


ACTIONS: dict[str, ActionSpec] = {
    "assess": ActionSpec(forms.AssessForm, _assess, gettext_lazy("研判结果已保存。")),
    "dispatch": ActionSpec(forms.DispatchForm, _dispatch, gettext_lazy("已交办。")),
    "escalate": ActionSpec(forms.EscalateForm, _escalate, gettext_lazy("已上报上级平台。")),
    "start": ActionSpec(forms.NoteForm, _start, gettext_lazy("已开始调解。")),
    "suspend": ActionSpec(forms.SuspendForm, _suspend, gettext_lazy("调解已中止，期限暂停计算。")),
    "resume": ActionSpec(forms.NoteForm, _resume, gettext_lazy("调解已恢复。")),
    "extend": ActionSpec(forms.ExtendForm, _extend, gettext_lazy("调解期限已延长。")),
    "agree": ActionSpec(forms.AgreeForm, _agree, gettext_lazy("已记录调解协议，案件调解成功。")),
    "fail": ActionSpec(forms.FailForm, _fail, gettext_lazy("已记录调解不成。")),
    "refer": ActionSpec(forms.ReferForm, _refer, gettext_lazy("案件已转出。")),
    "reject": ActionSpec(forms.RejectForm, _reject, gettext_lazy("已不予受理。")),
    "withdraw": ActionSpec(forms.WithdrawForm, _withdraw, gettext_lazy("案件已撤回。")),
    "follow_up": ActionSpec(forms.FollowUpForm, _follow_up, gettext_lazy("回访已记录。")),
    "follow_up_correct": ActionSpec(
        forms.FollowUpCorrectForm, _follow_up_correct, gettext_lazy("回访记录已更正。")
    ),
    "archive": ActionSpec(forms.ArchiveForm, _archive, gettext_lazy("案件已归档。")),
}
# Shown last and in red: they end the case without mediating it.
ENDING_ACTIONS = {"reject", "withdraw"}


def _action_form(name: str, case: Case, user: User, data: Any = None) -> forms.CaseActionForm:
    return ACTIONS[name].form(data, case=case, user=user, auto_id=f"id_{name}_%s")


def _render_detail(
    request: HttpRequest,
    pk: int,
    *,
    failed: tuple[str, forms.CaseActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _actor(request)
    detail = selectors.case_detail_for_user(user, pk)
    names = [a for a in detail.actions if a in ACTIONS]
    names.sort(key=lambda a: a in ENDING_ACTIONS)
    action_forms = []
    for name in names:
        is_failed = failed is not None and failed[0] == name
        form = failed[1] if failed is not None and is_failed else None
        action_forms.append(
            {
                "name": name,
                "label": ACTION_LABELS[name],
                "form": form or _action_form(name, detail.case, user),
                "open": is_failed,
                "ending": name in ENDING_ACTIONS,
            }
        )
    if failed is not None and failed[0] not in names:
        for error in failed[1].non_field_errors():
            messages.error(request, str(error))
    return render(
        request,
        "disputes/case_detail.html",
        {
            "detail": detail,
            "case": detail.case,
            "action_forms": action_forms,
            "event_labels": {**EVENT_LABELS, **MEDIATION_EVENT_LABELS},
            "status_labels": STATUS_LABELS,
            "role_labels": dict(PartyRole.choices),
            "satisfaction_labels": dict(Satisfaction.choices),
            "grade_labels": dict(RiskGrade.choices),
            "category_labels": dict(DisputeCategory.choices),
            "flagged": flagged_at_intake(user, detail.timeline),
            "repeat_reports": repeat_reports_of(detail.case),
            **panel_context(user, detail.case),
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    return _render_detail(request, pk)


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(request.user, VIEW_CASE)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    user = _actor(request)
    case = selectors.case_get_for_user(user, pk)
    form = _action_form(action, case, user, request.POST)
    status = 400
    if form.is_valid():
        try:
            spec.run(user, case, form.cleaned_data)
        except AlreadyDone as done:
            # The same form again (a double click, a second tab): done once, not saved twice.
            messages.info(request, str(done))
            return redirect("disputes:case_detail", pk=case.pk)
        except REFUSALS as exc:
            message = _refusal_message(exc)
            status = _refusal_status(exc)
            form.add_error(None, message)
            if isinstance(exc, StaleCase):
                messages.error(request, message)
        else:
            messages.success(request, f"{case.number}：{spec.done}")
            return redirect("disputes:case_detail", pk=case.pk)
    return _render_detail(request, pk, failed=(action, form), status=status)


# --- Dispatch orders (受理 / 退回) --------------------------------------------------------------


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def order_accept(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    order = selectors.dispatch_order_for_user(request.user, pk)
    back = _next_url(request, reverse("disputes:case_detail", args=[order.case_id]))
    try:
        dispatch_accept(actor=_actor(request), dispatch_id=order.pk, version=_version(request))
    except REFUSALS as exc:
        messages.error(request, _refusal_message(exc))
    else:
        messages.success(
            request,
            _("%(org)s已受理案件%(n)s。") % {"org": order.to_org.name, "n": order.case.number},
        )
    return redirect(back)


@login_required
@require_POST
def order_return(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    order = selectors.dispatch_order_for_user(request.user, pk)
    back = _next_url(request, reverse("disputes:case_detail", args=[order.case_id]))
    form = forms.ReturnOrderForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        dispatch_return(
            actor=_actor(request), dispatch_id=order.pk, reason=form.cleaned_data["reason"]
        )
    except REFUSALS as exc:
        messages.error(request, _refusal_message(exc))
    else:
        messages.success(request, _("已退回案件%(n)s。") % {"n": order.case.number})
    return redirect(back)


# --- Lists --------------------------------------------------------------------------------------


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_CASE)
    work = selectors.worklist_for_user(request.user)
    states = selectors.due_states(work.to_mediate)
    order_states = {o.pk: selectors.due_state(o.accept_by) for o in work.to_accept}
    return render(
        request,
        "disputes/my_work.html",
        {
            "work": work,
            "states": states,
            "order_states": order_states,
            "calendar_years": deadlines.known_years(),
            "return_form": forms.ReturnOrderForm(),
            "can_register": has_perm(request.user, REGISTER_CASE),
        },
    )


def _category_groups() -> list[dict[str, Any]]:
    """The category filter's options: each sub-kind under its parent's ``<optgroup>``."""
    groups: list[dict[str, Any]] = []
    for key, item in grouped_category_choices():
        if isinstance(item, list):
            groups.append({"group": key, "options": item})
        else:
            groups.append({"group": "", "options": [(key, item)]})
    return groups


def _filters(request: HttpRequest) -> tuple[selectors.CaseFilters, Any]:
    form = forms.CaseFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    region = region_for_filter(request.user, data.get("region") or "")
    filters = selectors.CaseFilters(
        status=data.get("status") or "",
        category=data.get("category") or "",
        grade=data.get("grade") or "",
        channel=data.get("channel") or "",
        region=region,
        overdue=bool(data.get("overdue")),
        since=data.get("since"),
        until=data.get("until"),
        query=data.get("q") or "",
    )
    return filters, region


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_CASE)
    filters, region = _filters(request)
    qs = selectors.case_list_page(request.user, filters)
    # A queue of the landing page (待研判 … 已超期): the same definition as its count.
    queue = request.GET.get("queue", "")
    if queue in queues.LIST_LABELS:
        qs = qs.filter(queues.queue_q(request.user, queue, timezone.now()))
    else:
        queue = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/case_list.html",
        {
            "page_obj": page,
            "states": selectors.due_states(page.object_list),
            "filters": request.GET,
            "region": region,
            "queue": queue,
            "queue_label": queues.LIST_LABELS.get(queue, ""),
            "statuses": CaseStatus.choices,
            "categories": _category_groups(),
            "grades": RiskGrade.choices,
            "channels": IntakeChannel.choices,
        },
    )


# --- Intake -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What an intake form reported, in the services' terms."""

    channel: str
    parties: list[PartyInput]
    fields: dict[str, Any]


@dataclass
class IntakeOutcome:
    """One of: registered ``case``, ``linked`` repeat report, ``duplicates`` to show, or
    nothing (the form carries the error)."""

    case: Case | None = None
    linked: Any = None
    duplicates: DuplicateList | None = None


def _report_of_intake_form(d: dict[str, Any]) -> Report:
    return Report(
        channel=d["channel"],
        parties=[
            PartyInput(
                role=PartyRole.APPLICANT,
                name=d["applicant_name"],
                id_number=d["applicant_id_number"],
                phone=d["applicant_phone"],
            ),
            PartyInput(
                role=PartyRole.RESPONDENT,
                # A company or other organisation is recorded by its 统一社会信用代码.
                kind=(
                    PartyKind.ORGANIZATION
                    if is_credit_code(d["respondent_id_number"])
                    else PartyKind.PERSON
                ),
                name=d["respondent_name"],
                id_number=d["respondent_id_number"],
                phone=d["respondent_phone"],
            ),
        ],
        fields={
            "title": d["title"],
            "category": d["category"],
            "facts": d["facts"],
            "claims": d["claims"],
            "address": d["address"],
            "occurred_at": d["occurred_at"],
            "amount": d["amount"],
            "people_count": d["people_count"],
        },
    )


def _report_of_quick_form(d: dict[str, Any]) -> Report:
    return Report(
        channel=IntakeChannel.GRID,
        parties=[
            PartyInput(
                role=PartyRole.APPLICANT, name=d["applicant_name"], phone=d["applicant_phone"]
            ),
            PartyInput(role=PartyRole.RESPONDENT, name=d["respondent_name"]),
        ],
        fields={"title": d["title"], "category": d["category"], "facts": d["facts"]},
    )


def _duplicates_for(user: User, region: Any, report: Report) -> DuplicateList:
    return find_duplicates(
        user=user,
        category=report.fields["category"],
        region=region,
        parties=report.parties,
        address=report.fields.get("address", ""),
    )


def _submit_intake(request: HttpRequest, form: forms.PlaceMixin, report: Report) -> IntakeOutcome:
    """A valid intake form, with the registrant's answer to the duplicate check (if any):
    ``link_to`` records it on that case as 重复反映; ``confirm_new`` registers it; neither
    checks for duplicates first and registers only if there are none."""
    user = _actor(request)
    region = form.cleaned_data["region"]
    choice = forms.DuplicateChoiceForm(request.POST)
    choice.is_valid()
    link_to = choice.cleaned_data.get("link_to")
    if link_to:
        try:
            linked = case_repeat_report(
                actor=user,
                case_id=link_to,
                channel=report.channel,
                region=region,
                parties=report.parties,
                **report.fields,
            )
        except REFUSALS as exc:
            form.add_error(None, _refusal_message(exc))
            return IntakeOutcome(duplicates=_duplicates_for(user, region, report))
        return IntakeOutcome(linked=linked)
    platform = selectors.intake_platform_for(user, region)
    if platform is None:
        form.add_error(None, _("未找到您所属的综治中心（平安办），无法登记。请联系系统管理员。"))
        return IntakeOutcome()
    if not choice.cleaned_data.get("confirm_new"):
        found = _duplicates_for(user, region, report)
        if found or found.has_hidden:
            return IntakeOutcome(duplicates=found)
    try:
        result = case_intake(
            actor=user,
            platform=platform,
            region=region,
            channel=report.channel,
            parties=report.parties,
            **report.fields,
        )
    except REFUSALS as exc:
        form.add_error(None, _refusal_message(exc))
        return IntakeOutcome()
    return IntakeOutcome(case=result.case)


def _linked_message(report: Any) -> str:
    return _(
        "已作为重复反映并入案件%(n)s，不另行登记、不重复交办；该案的平安办和承办单位已收到通知。"
    ) % {"n": report.case.number}


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require(request.user, REGISTER_CASE)
    user = _actor(request)
    form = forms.IntakeForm(request.POST or None, user=user)
    outcome = IntakeOutcome()
    if request.method == "POST" and form.is_valid():
        outcome = _submit_intake(request, form, _report_of_intake_form(form.cleaned_data))
        if outcome.case is not None:
            case = outcome.case
            messages.success(request, _("已登记，案件编号：%(n)s") % {"n": case.number})
            if selectors.case_visible_to(user, case.pk):
                return redirect("disputes:case_detail", pk=case.pk)
            return redirect("disputes:case_new")
        if outcome.linked is not None:
            messages.success(request, _linked_message(outcome.linked))
            if selectors.case_visible_to(user, outcome.linked.case_id):
                return redirect("disputes:case_detail", pk=outcome.linked.case_id)
            return redirect("disputes:case_new")
    return render(
        request,
        "disputes/case_new.html",
        {
            "form": form,
            "platform": selectors.intake_platform_for(user),
            "duplicates": outcome.duplicates,
        },
        status=200 if not form.is_bound or outcome.duplicates is not None else 400,
    )


@login_required
def case_report(request: HttpRequest) -> HttpResponse:
    """网格员快速上报 (mobile first)."""
    require(request.user, REGISTER_CASE)
    user = _actor(request)
    form = forms.QuickReportForm(request.POST or None, user=user)
    outcome = IntakeOutcome()
    if request.method == "POST" and form.is_valid():
        outcome = _submit_intake(request, form, _report_of_quick_form(form.cleaned_data))
        if outcome.case is not None:
            case = outcome.case
            if selectors.case_visible_to(user, case.pk):
                return redirect("disputes:report_done", pk=case.pk)
            messages.success(request, _("已上报，案件编号：%(n)s") % {"n": case.number})
            return redirect("disputes:case_report")
        if outcome.linked is not None:
            if selectors.case_visible_to(user, outcome.linked.case_id):
                return redirect("disputes:report_linked", pk=outcome.linked.case_id)
            messages.success(request, _linked_message(outcome.linked))
            return redirect("disputes:case_report")
    return render(
        request,
        "disputes/case_report.html",
        {"form": form, "duplicates": outcome.duplicates},
        status=200 if not form.is_bound or outcome.duplicates is not None else 400,
    )


@login_required
def report_done(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    case = selectors.case_get_for_user(request.user, pk)
    return render(request, "disputes/report_done.html", {"case": case})


@login_required
def report_linked(request: HttpRequest, pk: int) -> HttpResponse:
    """After a quick report was linked to an earlier case: which case it went to."""
    require(request.user, VIEW_CASE)
    case = selectors.case_get_for_user(request.user, pk)
    return render(request, "disputes/report_done.html", {"case": case, "linked": True})
