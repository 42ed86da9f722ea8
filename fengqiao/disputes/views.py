"""The case pages. Each view parses, authorizes, calls one service or selector and renders; a
refusal from a service (stale form, business rule, workflow, permission) is shown to the user
with what they typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm, require
from fengqiao.accounts.models import User
from fengqiao.core.choices import DisputeCategory, grouped_category_choices
from fengqiao.disputes import actions, deadlines, disclosure, forms, queues, selectors
from fengqiao.disputes.actions import ActionSpec
from fengqiao.disputes.choices import (
    CaseStatus,
    IntakeChannel,
    RiskGrade,
    Satisfaction,
)
from fengqiao.disputes.duplicates import flagged_at_intake
from fengqiao.disputes.exports import CASE_LEDGER
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.services.dispatch import dispatch_accept, dispatch_return
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, StaleCase
from fengqiao.disputes.timeline import action_label
from fengqiao.disputes.workflow import TransitionNotAllowed

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


# --- Actions on a case (declared in actions.py) ------------------------------------------------


def _render_detail(
    request: HttpRequest,
    pk: int,
    *,
    failed: tuple[ActionSpec, forms.CaseActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _actor(request)
    detail = selectors.case_detail_for_user(user, pk)
    case = detail.case
    # Offered: what the policy allows this user now (``detail.actions``, in its order),
    # 不予受理/撤回 last.
    rank = {name: i for i, name in enumerate(detail.actions)}
    offered = [s for s in actions.all_actions() if s.policy in rank]
    offered.sort(key=lambda s: (s.ending, rank[s.policy]))
    failed_name = failed[0].name if failed is not None else ""
    case_forms = {s.name: s.make_form(case, user) for s in offered if s.name != failed_name}
    if failed is not None and failed_name in {s.name for s in offered}:
        case_forms[failed_name] = failed[1]
    elif failed is not None:
        for error in failed[1].non_field_errors():
            messages.error(request, str(error))
    context: dict[str, Any] = {
        "detail": detail,
        "case": case,
        "case_forms": case_forms,
        "open_action": failed_name,
        "action_forms": [
            {
                "name": s.name,
                "label": action_label(s.name),
                "form": case_forms[s.name],
                "open": s.name == failed_name,
                "ending": s.ending,
            }
            for s in offered
            if not s.panel
        ],
        "panel_templates": [p.template for p in actions.panels()],
        "status_labels": STATUS_LABELS,
        "satisfaction_labels": dict(Satisfaction.choices),
        "grade_labels": dict(RiskGrade.choices),
        "category_labels": dict(DisputeCategory.choices),
        "flagged": flagged_at_intake(user, detail.timeline),
        "repeat_reports": detail.repeat_reports,
    }
    for panel in actions.panels():
        context.update(panel.context(user, case))
    return render(request, "disputes/case_detail.html", context, status=status)


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
    """Every action on a case: parse its form, call its service with the form's version, go
    back to the case with what happened. A refusal re-renders the page with the form open and
    what was typed kept; the same submit again says it was not saved twice."""
    require(request.user, VIEW_CASE)
    spec = actions.get(action)
    if spec is None:
        raise Http404
    user = _actor(request)
    case = selectors.case_get_for_user(user, pk)
    form = spec.make_form(case, user, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            spec.run(user, form)
        except AlreadyDone as done:
            # The same form again (a double click, a second tab): done once, not saved twice.
            messages.info(request, str(done))
            return redirect("disputes:case_detail", pk=case.pk)
        except REFUSALS as exc:
            message = _refusal_message(exc)
            status = _refusal_status(exc)
            form.add_error(None, message)
            # A stale page is told at the top; a panel may not show the form at all now.
            if isinstance(exc, StaleCase) or spec.panel:
                messages.error(request, message)
        else:
            messages.success(request, f"{case.number}：{spec.done}")
            return redirect("disputes:case_detail", pk=case.pk)
    return _render_detail(request, pk, failed=(spec, form), status=status)


# --- Dispatch orders (受理 / 退回) --------------------------------------------------------------

# Each answer to a 交办单 declared once: its form (which names the service's arguments) and
# service, and what the page says when it is done.
ORDER_ACTIONS: dict[str, tuple[type[forms.OrderForm], Callable[..., object], Any]] = {
    "accept": (forms.AcceptOrderForm, dispatch_accept, gettext_lazy("%(org)s已受理案件%(n)s。")),
    "return": (forms.ReturnOrderForm, dispatch_return, gettext_lazy("已退回案件%(n)s。")),
}


@login_required
@require_POST
def order_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(request.user, VIEW_CASE)
    if action not in ORDER_ACTIONS:
        raise Http404
    form_class, service, done = ORDER_ACTIONS[action]
    order = selectors.dispatch_order_for_user(request.user, pk)
    back = _next_url(request, reverse("disputes:case_detail", args=[order.case_id]))
    form = form_class(request.POST, order=order)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        service(actor=_actor(request), **form.service_kwargs())
    except AlreadyDone as again:
        messages.info(request, str(again))
    except REFUSALS as exc:
        messages.error(request, _refusal_message(exc))
    else:
        messages.success(request, done % {"org": order.to_org.name, "n": order.case.number})
    return redirect(back)


# --- Lists --------------------------------------------------------------------------------------


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_CASE)
    work = selectors.worklist_for_user(request.user)
    states = selectors.due_states(work.to_mediate)
    order_states = {o.pk: selectors.due_state(o.accept_by) for o in work.to_accept}
    context: dict[str, Any] = {
        "work": work,
        "states": states,
        "order_states": order_states,
        "calendar_years": deadlines.known_years(),
        "can_register": has_perm(request.user, REGISTER_CASE),
        "work_panel_templates": [],
    }
    # The sections apps above disputes add (履行跟踪 …), each only when it has something.
    for panel in actions.work_panels():
        part = panel.context(request.user)
        if part:
            context.update(part)
            context["work_panel_templates"].append(panel.template)
    return render(request, "disputes/my_work.html", context)


def _category_groups() -> list[dict[str, Any]]:
    """The category filter's options: each sub-kind under its parent's ``<optgroup>``."""
    groups: list[dict[str, Any]] = []
    for key, item in grouped_category_choices():
        if isinstance(item, list):
            groups.append({"group": key, "options": item})
        else:
            groups.append({"group": "", "options": [(key, item)]})
    return groups


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_CASE)
    # The same parse as the ledgers of this list (disputes/exports.py, mediation/exports.py).
    query = forms.case_list_query(request.user, request.GET)
    qs = selectors.case_list_page(request.user, query.filters, queue=query.queue)
    region, queue = query.region, query.queue
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/case_list.html",
        {
            "page_obj": page,
            "states": selectors.due_states(page.object_list),
            "party_names": selectors.case_party_names(request.user, page.object_list),
            "can_export": CASE_LEDGER.may_export(request.user),
            "filters": request.GET,
            "region": region,
            "org": query.org,
            "handler": query.handler,
            "queue": queue,
            "queue_label": queues.LIST_LABELS.get(queue, ""),
            "statuses": CaseStatus.choices,
            "categories": _category_groups(),
            "grades": RiskGrade.choices,
            "channels": IntakeChannel.choices,
        },
    )
