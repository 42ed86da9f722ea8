"""The case pages. Each view parses, authorizes, calls one service or selector and renders; a
refusal from a service (stale form, business rule, workflow, permission) is shown to the user
with what they typed kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm, require
from fengqiao.accounts.models import User
from fengqiao.core.choices import DisputeCategory, grouped_category_choices
from fengqiao.disputes import deadlines, disclosure, forms, queues, selectors
from fengqiao.disputes.choices import (
    CaseStatus,
    IntakeChannel,
    RiskGrade,
    Satisfaction,
)
from fengqiao.disputes.duplicates import flagged_at_intake
from fengqiao.disputes.exports import case_ledger_export
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch_with_tasks,
    case_escalate,
    dispatch_accept,
    dispatch_return,
)
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, StaleCase
from fengqiao.disputes.services.handling import (
    case_extend,
    case_resume,
    case_suspend,
    mediation_start,
)
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_refer,
    case_reject,
    case_withdraw,
)
from fengqiao.disputes.timeline import action_label
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation.views import panel_context
from fengqiao.orgs.permissions import EXPORT_REPORTS
from fengqiao.regions.selectors import region_for_filter

PAGE_SIZE = 30
# What a service may refuse with; each carries a message for the user.
REFUSALS = (StaleCase, CaseRuleError, TransitionNotAllowed, PermissionDenied)

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
    "refer": ActionSpec(forms.ReferForm, _refer, gettext_lazy("案件已转出。")),
    "reject": ActionSpec(forms.RejectForm, _reject, gettext_lazy("已不予受理。")),
    "withdraw": ActionSpec(forms.WithdrawForm, _withdraw, gettext_lazy("案件已撤回。")),
    "archive": ActionSpec(forms.ArchiveForm, _archive, gettext_lazy("案件已归档。")),
}
# Shown last and in red: they end the case without mediating it.
ENDING_ACTIONS = {"reject", "withdraw"}


def register_actions(specs: dict[str, ActionSpec]) -> None:
    """Add the actions of an app above disputes (mediation: 达成协议, 调解不成, 回访), from its
    ``AppConfig.ready``: disputes does not import their services. A name taken is refused."""
    taken = set(ACTIONS) & set(specs)
    if any(ACTIONS[name] != specs[name] for name in taken):
        raise ImproperlyConfigured(f"case actions declared twice: {sorted(taken)}")
    ACTIONS.update(specs)


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
                "label": action_label(name),
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
            "status_labels": STATUS_LABELS,
            "satisfaction_labels": dict(Satisfaction.choices),
            "grade_labels": dict(RiskGrade.choices),
            "category_labels": dict(DisputeCategory.choices),
            "flagged": flagged_at_intake(user, detail.timeline),
            "repeat_reports": detail.repeat_reports,
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
@never_cache
def party_reveal(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """A party's full phone (and ID number) for a user whose side needs them; the service
    audits the viewing. The values are sent once, never cached and never logged."""
    require(request.user, VIEW_CASE)
    case = selectors.case_get_for_user(request.user, pk)
    revealed = disclosure.party_reveal(actor=_actor(request), case=case, party_id=party_pk)
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "disputes/_party_row.html" if partial else "disputes/party_revealed.html",
        {
            "case": case,
            "p": revealed.shown,
            "full_id_number": revealed.id_number,
            "full_phone": revealed.phone,
            "revealed": True,
        },
    )


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
    if request.GET.get("format") == "xlsx":
        require(request.user, EXPORT_REPORTS)
        exported = case_ledger_export(actor=_actor(request), cases=qs, filters=request.GET)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/case_list.html",
        {
            "page_obj": page,
            "states": selectors.due_states(page.object_list),
            "party_names": selectors.case_party_names(request.user, page.object_list),
            "can_export": has_perm(request.user, EXPORT_REPORTS),
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
