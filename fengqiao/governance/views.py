"""会议与任务 and 法治宣传 pages: parse, authorize (``policy.governance_may``), call a service
or a selector, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance import forms, selectors, services
from fengqiao.governance.exports import MEETING_LEDGER
from fengqiao.governance.models import Meeting
from fengqiao.governance.policy import (
    COMPLETE,
    CONVENE,
    RECORD,
    governance_may,
    platforms_for,
)
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization

# The orgs a platform convenes or holds activities with (not every committee of its villages).
PARTNER_FAMILIES = (
    OrgFamily.PLATFORM,
    OrgFamily.COURT,
    OrgFamily.POLICE,
    OrgFamily.JUSTICE,
    OrgFamily.PETITION,
    OrgFamily.PROCURATORATE,
    OrgFamily.DEPARTMENT,
    OrgFamily.MASS_ORG,
)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _platforms(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=[o.pk for o in platforms_for(user)]).order_by("pk")


def _partners(user: User) -> QuerySet[Organization]:
    """The orgs a platform user may name as partners: those of their platforms' counties."""
    paths = {services.county_path(org) for org in platforms_for(user)}
    where = Q(pk__in=[])
    for path in paths:
        where |= Q(region__path__startswith=path)
    orgs = Organization.objects.filter(where, is_active=True, kind__family__in=PARTNER_FAMILIES)
    return orgs.order_by("kind__family", "region__path", "pk")


def _errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """会议与任务 — the meetings the user sees, the open tasks they answer for."""
    user = _actor(request)
    require(user, VIEW_CASE)
    return render(
        request,
        "governance/home.html",
        {
            "meetings": selectors.meeting_list(user),
            "may_convene": governance_may(user, CONVENE),
            "can_export": MEETING_LEDGER.may_export(user),
            **selectors.work_tasks(user),
        },
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """安排或登记会议 (a platform's)."""
    user = _actor(request)
    if not governance_may(user, CONVENE):
        raise PermissionDenied(_("只有综治中心（平安办）的工作人员可以召集会议。"))
    platforms = _platforms(user)
    form = forms.MeetingForm(
        request.POST or None,
        request.FILES or None,
        platforms=platforms,
        partners=_partners(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=user,
                meeting_type_id=data["meeting_type"].pk,
                convening_org_id=data["convening_org"].pk,
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                participant_ids=[o.pk for o in data["participants"]],
                held=data["held"],
                minutes=data["minutes"],
                attachments=forms.uploads_of(data["attachments"]),
                submit_key=data["submit_key"] or None,
            )
        except services.AlreadyRecorded as again:
            messages.info(request, str(again))
            return redirect("governance:meeting_detail", pk=again.obj.pk)
        except services.GovernanceRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("会议已登记。"))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return render(request, "governance/meeting_new.html", {"form": form})


def _meeting_orgs(meeting: Meeting) -> QuerySet[Organization]:
    ids = [meeting.convening_org_id, *meeting.participants.values_list("pk", flat=True)]
    return Organization.objects.filter(pk__in=ids).order_by("pk")


def _meeting_users(orgs: QuerySet[Organization]) -> QuerySet[User]:
    """Who may be named a task's owner person: the active users of the meeting's orgs (the
    service checks they act for the owner org chosen)."""
    return (
        User.objects.filter(role_grants__org__in=orgs, is_active=True)
        .distinct()
        .order_by("real_name", "pk")
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    meeting = selectors.meeting_get_for_user(user, pk)
    context: dict[str, Any] = {"meeting": meeting, **selectors.meeting_detail(meeting)}
    if governance_may(user, RECORD, meeting):
        orgs = _meeting_orgs(meeting)
        context["minutes_form"] = forms.MinutesForm(initial={"minutes": meeting.minutes})
        context["attendance_form"] = forms.AttendanceForm(orgs=orgs, prefix="att")
        context["resolution_form"] = forms.ResolutionForm(
            orgs=orgs, users=_meeting_users(orgs), prefix="res"
        )
    context["today"] = timezone.localdate()
    return render(request, "governance/meeting_detail.html", context)


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """纪要 (minutes), 出席 (attendance), 决定事项 (resolution → task) of a meeting."""
    user = _actor(request)
    require(user, VIEW_CASE)
    if action not in ("minutes", "attendance", "resolution"):
        raise Http404
    meeting = selectors.meeting_get_for_user(user, pk)
    if not governance_may(user, RECORD, meeting):
        raise PermissionDenied(_("只有召集会议的平台工作人员可以记录会议情况。"))
    back = redirect("governance:meeting_detail", pk=meeting.pk)
    orgs = _meeting_orgs(meeting)
    form: Any
    try:
        if action == "minutes":
            form = forms.MinutesForm(request.POST, request.FILES)
            if not form.is_valid():
                _errors(request, form)
                return back
            services.meeting_record(
                actor=user,
                meeting_id=meeting.pk,
                minutes=form.cleaned_data["minutes"],
                attachments=forms.uploads_of(form.cleaned_data["attachments"]),
            )
            done = _("会议纪要已保存。")
        elif action == "attendance":
            form = forms.AttendanceForm(request.POST, orgs=orgs, prefix="att")
            if not form.is_valid():
                _errors(request, form)
                return back
            data = form.cleaned_data
            services.attendance_add(
                actor=user,
                meeting_id=meeting.pk,
                org_id=data["org"].pk,
                name=data["name"],
                position=data["position"],
                present=data["present"],
                absence_reason=data["absence_reason"],
            )
            done = _("出席情况已登记。")
        else:
            form = forms.ResolutionForm(
                request.POST, orgs=orgs, users=_meeting_users(orgs), prefix="res"
            )
            if not form.is_valid():
                _errors(request, form)
                return back
            data = form.cleaned_data
            task = services.resolution_add(
                actor=user,
                meeting_id=meeting.pk,
                text=data["text"],
                owner_org_id=data["owner_org"].pk,
                due_date=data["due_date"],
                owner_user_id=data["owner_user"].pk if data["owner_user"] else None,
            )
            done = _("决定事项已登记，已向%(org)s交办。") % {"org": task.owner_org.name}
    except services.AlreadyRecorded as again:
        messages.info(request, str(again))
    except services.GovernanceRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return back


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    status = request.GET.get("status", "")
    return render(
        request,
        "governance/task_list.html",
        {
            "tasks": selectors.task_list(user, status=status),
            "status": status,
            "today": timezone.localdate(),
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task, and 办结 with its evidence for whoever answers for it."""
    user = _actor(request)
    require(user, VIEW_CASE)
    task = selectors.task_get_for_user(user, pk)
    may_complete = governance_may(user, COMPLETE, task)
    form = forms.CompleteForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_complete and task.status == "open":
            raise PermissionDenied(_("只有责任单位的工作人员可以登记办结。"))
        if form.is_valid():
            try:
                services.task_complete(
                    actor=user,
                    task_id=task.pk,
                    evidence_text=form.cleaned_data["evidence_text"],
                    evidence_files=forms.uploads_of(form.cleaned_data["evidence_files"]),
                )
            except services.AlreadyRecorded as again:
                messages.info(request, str(again))
                return redirect("governance:task_detail", pk=task.pk)
            except services.GovernanceRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已登记办结。"))
                return redirect("governance:task_detail", pk=task.pk)
    return render(
        request,
        "governance/task_detail.html",
        {
            "task": task,
            "form": form if may_complete else None,
            "files": list(task.files.all()),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """本期应开会议: each required meeting of each platform in the user's area, held or not."""
    user = _actor(request)
    require(user, VIEW_CASE)
    rows = selectors.due_meetings(user)
    return render(
        request,
        "governance/due.html",
        {"rows": rows, "missing": sum(1 for r in rows if r.held is None)},
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
@require_GET
def publicity(request: HttpRequest) -> HttpResponse:
    """法治宣传 — the activities of a year and each township's count against the target."""
    user = _actor(request)
    require(user, VIEW_CASE)
    year = _year(request)
    return render(
        request,
        "governance/publicity.html",
        {
            "year": year,
            "activities": selectors.publicity_list(user, year),
            "targets": selectors.publicity_targets(user, year),
            "target": selectors.PUBLICITY_YEARLY_TARGET,
            "may_convene": governance_may(user, CONVENE),
        },
    )


@login_required
def publicity_new(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    if not governance_may(user, CONVENE):
        raise PermissionDenied(_("只有综治中心（平安办）的工作人员可以登记法治宣传活动。"))
    form = forms.PublicityForm(
        request.POST or None,
        request.FILES or None,
        platforms=_platforms(user),
        partners=_partners(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.publicity_record(
                actor=user,
                organizer_id=data["organizer"].pk,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                org_ids=[o.pk for o in data["orgs"]],
                audience=data["audience"],
                note=data["note"],
                photos=forms.uploads_of(data["photos"]),
                submit_key=data["submit_key"] or None,
            )
        except services.AlreadyRecorded as again:
            messages.info(request, str(again))
            return redirect("governance:publicity")
        except services.GovernanceRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("法治宣传活动已登记。"))
            return redirect("governance:publicity")
    return render(request, "governance/publicity_new.html", {"form": form})


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    found = selectors.file_get_for_user(user, pk)
    response = FileResponse(
        services.file_open(actor=user, file=found),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
