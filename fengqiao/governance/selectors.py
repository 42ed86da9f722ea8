"""Every read of meetings, tasks and 法治宣传 a user triggers, with the data scope applied
(``accounts.access.restrict`` under ``disputes.view_case``: the meeting's region, and the orgs
that take part in it or own one of its tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance.choices import Cadence, MeetingStatus, TaskStatus
from fengqiao.governance.models import (
    GovernanceFile,
    Meeting,
    MeetingType,
    PublicityActivity,
    ResolutionTask,
)
from fengqiao.governance.periods import Period, period_of
from fengqiao.governance.policy import platforms_for
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel

PAGE = 50
WORK_ROWS = 20
# 法治宣传: 各方每年联合举办法治宣传教育活动不少于二次 (seed 000 §四(八)).
PUBLICITY_YEARLY_TARGET = 2
# A reminder this many days before a task's deadline (tasks.py).
REMIND_DAYS = 3


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    return restrict(Meeting.objects.all(), user, VIEW_CASE)


def meeting_list(user: Any) -> list[Meeting]:
    qs = meetings_for_user(user).select_related("meeting_type", "convening_org")
    return list(qs.annotate(resolution_count=Count("resolutions"))[:PAGE])


def meeting_get_for_user(user: Any, pk: int) -> Meeting:
    meeting = (
        meetings_for_user(user)
        .select_related("meeting_type", "convening_org", "region")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meeting_detail(meeting: Meeting) -> dict[str, Any]:
    """What a meeting's page shows beside the meeting (read once it is known visible)."""
    return {
        "participants": list(meeting.participants.order_by("pk")),
        "attendance": list(meeting.attendance.select_related("org")),
        "resolutions": list(
            meeting.resolutions.select_related("task__owner_org", "task__owner_user")
        ),
        "files": list(meeting.files.all()),
    }


def tasks_for_user(user: Any) -> QuerySet[ResolutionTask]:
    return restrict(ResolutionTask.objects.all(), user, VIEW_CASE)


def task_get_for_user(user: Any, pk: int) -> ResolutionTask:
    task = (
        tasks_for_user(user)
        .select_related(
            "resolution__meeting__convening_org",
            "resolution__meeting__meeting_type",
            "owner_org",
            "owner_user",
            "done_by",
        )
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def open_tasks_for(user: Any) -> QuerySet[ResolutionTask]:
    """The open tasks ``user`` answers for (an org they act for owns it, or it is theirs) or
    whose meeting one of their platforms convened."""
    orgs = grant_org_ids(user)
    platforms = [org.pk for org in platforms_for(user)]
    return ResolutionTask.objects.filter(
        Q(owner_org_id__in=orgs)
        | Q(owner_user_id=user.pk)
        | Q(resolution__meeting__convening_org_id__in=platforms),
        status=TaskStatus.OPEN,
    )


def work_tasks(user: Any) -> dict[str, Any]:
    """会议交办任务 for the work pages: the open tasks of the user's orgs and platforms, the
    earliest deadline first, until done. Nothing for whoever has none."""
    if user is None or not user.is_authenticated:
        return {}
    qs = open_tasks_for(user)
    rows = list(
        qs.select_related("resolution__meeting", "owner_org").order_by("due_date", "pk")[:WORK_ROWS]
    )
    if not rows:
        return {}
    count = len(rows) if len(rows) < WORK_ROWS else qs.count()
    return {"gov_tasks": rows, "gov_task_count": count, "gov_today": timezone.localdate()}


def task_list(user: Any, *, status: str = "") -> list[ResolutionTask]:
    qs = tasks_for_user(user).select_related("resolution__meeting", "owner_org")
    today = timezone.localdate()
    if status == "overdue":
        qs = qs.filter(status=TaskStatus.OPEN, due_date__lt=today)
    elif status in TaskStatus.values:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "due_date", "pk")[:PAGE])


def file_get_for_user(user: Any, pk: int) -> GovernanceFile:
    """A file whose meeting (an attachment), task (evidence) or activity (photo) the user
    sees; 404 otherwise."""
    found = GovernanceFile.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    visible = (
        (found.meeting_id and meetings_for_user(user).filter(pk=found.meeting_id).exists())
        or (found.task_id and tasks_for_user(user).filter(pk=found.task_id).exists())
        or (found.activity_id and publicity_for_user(user).filter(pk=found.activity_id).exists())
    )
    if not visible:
        raise Http404
    return found


# --- 本期应开会议 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    platform: Organization
    meeting_type: MeetingType
    period: Period
    held: Meeting | None


def platforms_in_scope(user: Any) -> QuerySet[Organization]:
    """The township and county platforms whose region the user sees."""
    platforms = Organization.objects.filter(
        kind__family=OrgFamily.PLATFORM,
        is_active=True,
        region__level__in=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP),
    )
    return (
        restrict(platforms, user, VIEW_CASE).select_related("region").order_by("region__path", "pk")
    )


def due_meetings(user: Any, today: date | None = None) -> list[DueRow]:
    """Each required meeting type × each platform in the user's scope, for the period holding
    ``today``, with the meeting held in it (None: not yet held). Two queries."""
    today = today or timezone.localdate()
    platforms = list(platforms_in_scope(user))
    types = [t for t in MeetingType.objects.filter(is_active=True) if t.cadence != Cadence.AD_HOC]
    earliest = min(
        (p.start for t in types if (p := period_of(t.cadence, today)) is not None),
        default=today,
    )
    held: dict[tuple[int, int], list[Meeting]] = {}
    for meeting in Meeting.objects.filter(
        convening_org__in=[p.pk for p in platforms],
        status=MeetingStatus.HELD,
        held_on__gte=earliest,
        held_on__lte=today,
    ).order_by("held_on"):
        held.setdefault((meeting.convening_org_id, meeting.meeting_type_id), []).append(meeting)
    rows = []
    for platform in platforms:
        county = platform.region.level == RegionLevel.COUNTY
        for mtype in types:
            if not (mtype.county_required if county else mtype.township_required):
                continue
            period = period_of(mtype.cadence, today)
            if period is None:
                continue
            found = [
                m
                for m in held.get((platform.pk, mtype.pk), [])
                if period.start <= m.held_on <= period.end
            ]
            rows.append(DueRow(platform, mtype, period, found[-1] if found else None))
    return rows


# --- 法治宣传 ------------------------------------------------------------------------------------


def publicity_for_user(user: Any) -> QuerySet[PublicityActivity]:
    return restrict(PublicityActivity.objects.all(), user, VIEW_CASE)


def publicity_list(user: Any, year: int) -> list[PublicityActivity]:
    qs = publicity_for_user(user).filter(held_on__year=year).select_related("organizer")
    return list(qs.prefetch_related("orgs", "files")[:PAGE])


@dataclass(frozen=True)
class PublicityTarget:
    platform: Organization
    joint: int
    target: int

    @property
    def met(self) -> bool:
        return self.joint >= self.target


def publicity_targets(user: Any, year: int) -> list[PublicityTarget]:
    """Each township platform in the user's scope: how many joint activities (organised with
    at least one other org) it held in ``year`` against the yearly target."""
    platforms = [p for p in platforms_in_scope(user) if p.region.level == RegionLevel.TOWNSHIP]
    counts: dict[int, int] = {}
    joint = (
        PublicityActivity.objects.filter(
            organizer__in=[p.pk for p in platforms], held_on__year=year
        )
        .annotate(partners=Count("orgs"))
        .filter(partners__gte=1)
        .values_list("organizer_id", flat=True)
    )
    for organizer_id in joint:
        counts[organizer_id] = counts.get(organizer_id, 0) + 1
    return [PublicityTarget(p, counts.get(p.pk, 0), PUBLICITY_YEARLY_TARGET) for p in platforms]


def tasks_to_remind(today: date) -> tuple[QuerySet[ResolutionTask], QuerySet[ResolutionTask]]:
    """The open tasks due within ``REMIND_DAYS`` not yet reminded, and the open tasks past
    their deadline not yet told so (the system's read: no user, no scope)."""
    open_tasks = ResolutionTask.objects.filter(status=TaskStatus.OPEN)
    soon = open_tasks.filter(
        due_date__gte=today, due_date__lte=today + timedelta(days=REMIND_DAYS), reminded_at=None
    )
    overdue = open_tasks.filter(due_date__lt=today, overdue_notified_at=None)
    return soon, overdue
