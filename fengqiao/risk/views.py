"""风险预警 and 应急联动 pages: parse, authorize (``policy``), call a service or a selector,
render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case as SqlCase
from django.db.models import QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.routing import subject_orgs
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.risk import alerts, emergency, forms, selectors
from fengqiao.risk.exports import WARNING_LEDGER
from fengqiao.risk.models import EmergencyTask, WarningNotice
from fengqiao.risk.policy import (
    ACKNOWLEDGE,
    ADD_TASK,
    CLOSE,
    LOG,
    OPEN_EMERGENCY,
    RECORD,
    TASK_DONE,
    emergency_may,
    platforms_for,
    warning_may,
)

# The orgs an on-site response draws on (seed 000 §四(七): 平安办、人民法庭、派出所、司法所), with
# 信访 and the case's 属事 orgs (the routing rules').
TEAM_FAMILIES = (
    OrgFamily.PLATFORM,
    OrgFamily.COURT,
    OrgFamily.POLICE,
    OrgFamily.JUSTICE,
    OrgFamily.PETITION,
)
# The first tasks a response suggests: who keeps order, who mediates, who advises on the law.
SUGGESTED_TASKS = (
    (OrgFamily.POLICE, _("现场稳控，防止聚集、堵门等过激行为"), timedelta(hours=4)),
    (OrgFamily.JUSTICE, _("组织开展调解，疏导当事人情绪"), timedelta(hours=24)),
    (OrgFamily.COURT, _("提供法律指导，释法明理"), timedelta(hours=24)),
)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


# --- Warnings -----------------------------------------------------------------------------------


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    counts = selectors.warning_counts(user)
    tab = selectors.warning_tab(user, request.GET.get("tab", ""), counts)
    return render(
        request,
        "risk/warning_list.html",
        {
            "tab": tab,
            "tabs": selectors.WARNING_TABS,
            "counts": counts,
            "warnings": selectors.warning_list(user, tab),
            "can_export": WARNING_LEDGER.may_export(user),
        },
    )


@login_required
@require_GET
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    warning = selectors.warning_get_for_user(user, pk)
    detail = selectors.warning_detail(warning)
    org_ids = {n.org_id for n in detail["notices"]}
    for notice in detail["notices"]:
        notice.warning = warning
        notice.may_ack = warning_may(user, ACKNOWLEDGE, notice)
    context: dict[str, Any] = {"warning": warning, "case": warning.case, **detail}
    if warning_may(user, RECORD, warning, notice_org_ids=org_ids):
        context["action_form"] = forms.WarningActionForm()
    if warning_may(user, CLOSE, warning):
        context["close_form"] = forms.WarningCloseForm()
    context["may_open_emergency"] = warning_may(user, OPEN_EMERGENCY, warning.case)
    return render(request, "risk/warning_detail.html", context)


@login_required
@require_POST
def warning_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """签收 (acknowledge), 处置 (record a measure), 办结 (close) a warning."""
    user = _actor(request)
    require(user, VIEW_CASE)
    warning = selectors.warning_get_for_user(user, pk)
    back = redirect("risk:warning_detail", pk=warning.pk)
    try:
        if action == "ack":
            notice = WarningNotice.objects.filter(
                pk=request.POST.get("notice") or 0, warning=warning
            ).first()
            if notice is None:
                raise Http404
            alerts.warning_acknowledge(actor=user, notice_id=notice.pk)
            messages.success(request, _("已签收。请按建议措施落实处置并记录。"))
        elif action == "record":
            form: Any = forms.WarningActionForm(request.POST)
            if not form.is_valid():
                _errors(request, form)
                return back
            alerts.warning_record(
                actor=user,
                warning_id=warning.pk,
                measure=form.cleaned_data["measure"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("处置情况已记录。"))
        elif action == "close":
            form = forms.WarningCloseForm(request.POST)
            if not form.is_valid():
                _errors(request, form)
                return back
            alerts.warning_close(actor=user, warning_id=warning.pk, note=form.cleaned_data["note"])
            messages.success(request, _("预警已办结。"))
        else:
            raise Http404
    except CaseRuleError as exc:
        messages.error(request, str(exc))
    return back


# --- Emergency responses --------------------------------------------------------------------------


def _team_candidates(case: Any) -> list[Organization]:
    """The orgs a response on ``case`` may draw on: the platforms, courts, police, justice and
    信访 of its township and county (not every village's committee), and its 属事 orgs."""
    paths = [case.region_path[:i] for i in range(1, len(case.region_path) + 1)]
    regions = Region.objects.filter(path__in=paths, level__lte=RegionLevel.TOWNSHIP)
    near = Organization.objects.filter(
        region__in=regions, is_active=True, kind__family__in=TEAM_FAMILIES
    ).select_related("kind", "region")
    found = {o.pk: o for o in near}
    for org in subject_orgs(case):
        found.setdefault(org.pk, org)
    return sorted(found.values(), key=lambda o: (-o.region.level, o.kind.family, o.pk))


def _team_users(orgs: Any) -> QuerySet[User]:
    return (
        User.objects.filter(role_grants__org__in=orgs, is_active=True)
        .distinct()
        .order_by("real_name", "pk")
    )


def _suggested(orgs: list[Organization], platforms: list[Organization]) -> dict[str, Any]:
    """The form's first values: the case's platform, and for each suggested task the nearest
    org of its family (the township's 派出所, 司法所, 人民法庭 before the county's)."""
    initial: dict[str, Any] = {"orgs": [o.pk for o in platforms]}
    now = timezone.localtime()
    for i, (family, title, due) in enumerate(SUGGESTED_TASKS, start=1):
        near = [o for o in orgs if o.kind.family == family]
        if not near:
            continue
        org = max(near, key=lambda o: (len(o.region.path), -o.pk))
        initial["orgs"].append(org.pk)
        initial[f"task{i}_title"], initial[f"task{i}_org"] = title, org.pk
        initial[f"task{i}_due"] = (now + due).replace(second=0, microsecond=0)
    return initial


@login_required
def emergency_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """启动应急联动 on a case, from its warning (``?warning=``) or the case page."""
    user = _actor(request)
    require(user, VIEW_CASE)
    case = case_get_for_user(user, case_pk)
    source = request.POST if request.method == "POST" else request.GET
    warning = None
    if source.get("warning"):
        try:
            warning = selectors.warning_get_for_user(user, int(source["warning"]))
        except ValueError as exc:
            raise Http404 from exc
        if warning.case_id != case.pk:
            raise Http404
    if not warning_may(user, OPEN_EMERGENCY, case):
        raise PermissionDenied(_("只有案发地的综治中心（平安办）可以启动应急联动。"))
    chain = _team_candidates(case)
    # In the order of ``chain``: the township's own first.
    order = SqlCase(*(When(pk=o.pk, then=i) for i, o in enumerate(chain)))
    orgs = Organization.objects.filter(pk__in=[o.pk for o in chain]).order_by(order)
    leads = _team_users(
        [o.pk for o in chain if o.kind.family in (OrgFamily.PLATFORM, OrgFamily.POLICE)]
        + [o.pk for o in chain if o.kind.family in (OrgFamily.JUSTICE, OrgFamily.COURT)]
    )
    mine = [o for o in platforms_for(user) if case.region_path.startswith(o.region.path)]
    initial = {
        "title": _("%(t)s应急处置") % {"t": case.title},
        "place": " ".join(p for p in (case.region.name, case.address) if p),
        "situation": case.facts[:1000],
        "lead": user.pk,
        **_suggested(chain, mine),
    }
    form = forms.EmergencyForm(request.POST or None, orgs=orgs, users=leads, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response = emergency.emergency_open(
                actor=user,
                case_id=case.pk,
                warning_id=warning.pk if warning is not None else None,
                title=data["title"],
                place=data["place"],
                situation=data["situation"],
                lead_id=data["lead"].pk,
                org_ids=[o.pk for o in data["orgs"]],
                tasks=[
                    emergency.TaskInput(title=t, owner_org_id=o.pk, due_at=d)
                    for t, o, d in form.tasks()
                ],
            )
        except CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("应急联动已启动，参与单位已收到通知。"))
            return redirect("risk:emergency_detail", pk=response.pk)
    return render(
        request,
        "risk/emergency_new.html",
        {"form": form, "case": case, "warning": warning},
    )


@login_required
@require_GET
def emergency_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    closed = request.GET.get("tab") == "closed"
    return render(
        request,
        "risk/emergency_list.html",
        {"closed": closed, "responses": selectors.emergency_list(user, closed=closed)},
    )


def _task_form(data: Any, team_ids: list[int]) -> forms.TaskForm:
    """分派任务: to an org on the team, optionally to one of its people."""
    return forms.TaskForm(
        data,
        orgs=Organization.objects.filter(pk__in=team_ids).order_by("pk"),
        users=_team_users(team_ids),
        prefix="task",
    )


@login_required
@require_GET
def emergency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    response = selectors.emergency_get_for_user(user, pk)
    detail = selectors.emergency_detail(response)
    team_ids = {o.pk for o in detail["team"]}
    for task in detail["tasks"]:
        task.response = response
        task.may_done = emergency_may(user, TASK_DONE, task)
    context: dict[str, Any] = {"response": response, "case": response.case, **detail}
    if emergency_may(user, LOG, response, team_org_ids=team_ids):
        context["log_form"] = forms.LogForm()
    if emergency_may(user, ADD_TASK, response):
        context["task_form"] = _task_form(None, sorted(team_ids))
    if emergency_may(user, CLOSE, response):
        context["summary_form"] = forms.SummaryForm()
    context["done_form"] = forms.TaskDoneForm()
    context["now"] = timezone.now()
    return render(request, "risk/emergency_detail.html", context)


@login_required
@require_POST
def emergency_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """记录 (log), 分派任务 (task), 完成任务 (done), 结束 (close) a response."""
    user = _actor(request)
    require(user, VIEW_CASE)
    response = selectors.emergency_get_for_user(user, pk)
    back = redirect("risk:emergency_detail", pk=response.pk)
    form: Any
    try:
        if action == "log":
            form = forms.LogForm(request.POST)
            if form.is_valid():
                emergency.emergency_log(
                    actor=user, response_id=response.pk, text=form.cleaned_data["text"]
                )
                messages.success(request, _("处置情况已记录。"))
        elif action == "task":
            form = _task_form(request.POST, sorted(emergency.team_org_ids(response)))
            if form.is_valid():
                data = form.cleaned_data
                emergency.emergency_add_task(
                    actor=user,
                    response_id=response.pk,
                    task=emergency.TaskInput(
                        title=data["title"],
                        owner_org_id=data["owner_org"].pk,
                        owner_user_id=data["owner_user"].pk if data["owner_user"] else None,
                        due_at=data["due_at"],
                    ),
                )
                messages.success(request, _("任务已分派，责任单位已收到通知。"))
        elif action == "done":
            form = forms.TaskDoneForm(request.POST)
            task = EmergencyTask.objects.filter(
                pk=request.POST.get("task") or 0, response=response
            ).first()
            if task is None:
                raise Http404
            if form.is_valid():
                emergency.emergency_task_done(
                    actor=user, task_id=task.pk, result=form.cleaned_data["result"]
                )
                messages.success(request, _("任务已完成。"))
        elif action == "close":
            form = forms.SummaryForm(request.POST)
            if form.is_valid():
                emergency.emergency_close(
                    actor=user, response_id=response.pk, summary=form.cleaned_data["summary"]
                )
                messages.success(request, _("应急联动已结束。"))
        else:
            raise Http404
        if not form.is_valid():
            _errors(request, form)
    except CaseRuleError as exc:
        messages.error(request, str(exc))
    return back
