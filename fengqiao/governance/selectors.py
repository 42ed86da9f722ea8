"""Every read of meetings, tasks and 法治宣传 a user triggers, with the data scope applied
(``accounts.access.restrict`` under ``disputes.view_case``: the meeting's region, and the orgs
that take part in it or own one of its tasks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fengqiao.accounts.access import grant_org_ids, orgs_with, require, restrict, scope_for
from fengqiao.core.paths import PATH_SEGMENT, subtree_q
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance.choices import (
    Cadence,
    MeetingStatus,
    ScreeningCadence,
    ScreeningState,
    TaskStatus,
)
from fengqiao.governance.models import (
    SCREENING_LEVELS,
    GovernanceFile,
    Meeting,
    MeetingType,
    PublicityActivity,
    ResolutionTask,
    ScreeningCampaign,
    ScreeningFinding,
    ScreeningPlan,
    ScreeningReport,
)
from fengqiao.governance.periods import (
    Period,
    latest_due_periods,
    period_of,
    screening_due_times,
    screening_periods,
)
from fengqiao.governance.policy import (
    filer_orgs_of_regions,
    filing_region_expr,
    platforms_for,
    screening_filer_orgs,
    screening_filing_regions,
)
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

PAGE = 50
WORK_ROWS = 20
# 法治宣传: 各方每年联合举办法治宣传教育活动不少于二次 (seed 000 §四(八)).
PUBLICITY_YEARLY_TARGET = 2
# A reminder this many days before a task's deadline (tasks.py).
REMIND_DAYS = 3


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    return restrict(Meeting.objects.all(), user, VIEW_CASE)


def meeting_list(user: Any) -> list[Meeting]:
    return list(meeting_rows_for_user(user)[:PAGE])


def meeting_rows_for_user(user: Any) -> QuerySet[Meeting]:
    """The meetings of 会议与任务, newest first, with what a row shows (its ledger reads this:
    governance/exports.py)."""
    qs = meetings_for_user(user).select_related("meeting_type", "convening_org")
    return qs.annotate(resolution_count=Count("resolutions")).order_by("-held_on", "-pk")


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


# --- 排查 (screening) ----------------------------------------------------------------------------

BOARD_ROWS = 50
BOARD_PERIODS = 6
BOARD_DAILY_PERIODS = 7
UNFILED_LIMIT = 50
FINDING_CASES = 20


def screening_plans() -> dict[int, ScreeningPlan]:
    """The active plans by unit level."""
    return {p.level: p for p in ScreeningPlan.objects.filter(is_active=True)}


def campaigns_for_unit(unit: Region, day: date) -> list[ScreeningCampaign]:
    """The 专项排查 running on ``day`` whose subtree holds ``unit`` at their filing level."""
    paths = [*unit.ancestor_paths(), unit.path]
    return list(
        ScreeningCampaign.objects.filter(
            region__path__in=paths, unit_level=unit.level, starts_on__lte=day, ends_on__gte=day
        ).order_by("starts_on", "pk")
    )


@dataclass(frozen=True)
class ScreeningDue:
    """One report a filer owes (or filed): a unit, a plan or a campaign, a period."""

    unit: Region
    plan: ScreeningPlan | None
    campaign: ScreeningCampaign | None
    period: Period
    due_at: datetime
    report: ScreeningReport | None

    @property
    def source_label(self) -> str:
        if self.campaign is not None:
            return f"专项排查：{self.campaign.title}"
        return str(self.plan)

    @property
    def overdue(self) -> bool:
        return self.report is None and self.due_at <= timezone.now()

    @property
    def query(self) -> str:
        """The filing page's query string for this report."""
        which = f"campaign={self.campaign.pk}" if self.campaign else f"plan={self.plan.pk}"  # type: ignore[union-attr]
        return f"unit={self.unit.pk}&{which}&period={self.period.start.isoformat()}"


def filing_units(user: Any) -> list[Region]:
    """The units ``user`` files 排查 reports for (``policy.screening_filing_regions``)."""
    own, villages = screening_filing_regions(user)
    if not own and not villages:
        return []
    units = Region.objects.filter(Q(pk__in=own) | Q(parent_id__in=villages, level=RegionLevel.GRID))
    return list(units.order_by("path"))


def screening_todo(user: Any, now: datetime | None = None) -> list[ScreeningDue]:
    """What a filer owes: for each of their units, this period and the one before it (late
    filing allowed) of the unit's plan and of each running 专项排查, with the report when
    filed. A few queries whatever the number of units."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    units = filing_units(user)
    if not units:
        return []
    plans = screening_plans()
    wanted: list[tuple[Region, ScreeningPlan | None, ScreeningCampaign | None, Period]] = []
    campaigns_by_level: dict[int, list[ScreeningCampaign]] = {}
    for unit in units:
        plan = plans.get(unit.level)
        if plan is not None:
            for period in screening_periods(plan.cadence, today, 2):
                wanted.append((unit, plan, None, period))
        if unit.level not in campaigns_by_level:
            campaigns_by_level[unit.level] = list(
                ScreeningCampaign.objects.filter(
                    unit_level=unit.level,
                    starts_on__lte=today,
                    ends_on__gte=today - timedelta(days=1),
                ).select_related("region")
            )
        for campaign in campaigns_by_level[unit.level]:
            if not unit.path.startswith(campaign.region.path):
                continue
            for period in screening_periods(ScreeningCadence.DAILY, today, 2):
                if campaign.starts_on <= period.start <= campaign.ends_on:
                    wanted.append((unit, None, campaign, period))
    due = screening_due_times(p for *_x, p in wanted)
    reports = {
        (r.unit_id, r.plan_id, r.campaign_id, r.period_start): r
        for r in ScreeningReport.objects.filter(
            unit__in=[u.pk for u in units],
            period_start__gte=min(p.start for *_x, p in wanted) if wanted else today,
        )
    }
    return [
        ScreeningDue(
            unit,
            plan,
            campaign,
            period,
            due[period.end],
            reports.get(
                (
                    unit.pk,
                    plan.pk if plan else None,
                    campaign.pk if campaign else None,
                    period.start,
                )
            ),
        )
        for unit, plan, campaign, period in wanted
    ]


def screening_due_for(
    user: Any, *, unit_id: int, plan_id: int | None, campaign_id: int | None, start: date
) -> ScreeningDue | None:
    """One item of ``screening_todo`` (the filing page's), or None if the user owes no such
    report."""
    for item in screening_todo(user):
        if (
            item.unit.pk == unit_id
            and (item.plan.pk if item.plan else None) == plan_id
            and (item.campaign.pk if item.campaign else None) == campaign_id
            and item.period.start == start
        ):
            return item
    return None


def finding_cases(user: Any, unit: Region, period: Period) -> list[Case]:
    """Cases registered in ``unit`` during ``period`` (快速上报 and 登记纠纷 go through the
    intake service) that the user sees: the disputes a report may list as found."""
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    qs = restrict(
        Case.objects.filter(
            subtree_q([unit.path], field="region_path"),
            registered_at__gte=start,
            registered_at__lt=end,
        ),
        user,
        VIEW_CASE,
    )
    return list(qs.order_by("-registered_at", "-pk")[:FINDING_CASES])


def screening_reports_for_user(user: Any) -> QuerySet[ScreeningReport]:
    return restrict(ScreeningReport.objects.all(), user, VIEW_CASE)


def screening_report_get_for_user(user: Any, pk: int) -> ScreeningReport:
    report = (
        screening_reports_for_user(user)
        .select_related("unit", "plan", "campaign", "filing_org", "filed_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def screening_findings(user: Any, report: ScreeningReport) -> list[tuple[ScreeningFinding, bool]]:
    """A report's findings, each with whether the user may open its case."""
    findings = list(report.findings.select_related("case"))
    case_ids = [f.case_id for f in findings if f.case_id]
    visible = set(
        restrict(Case.objects.filter(pk__in=case_ids), user, VIEW_CASE).values_list("pk", flat=True)
    )
    return [(f, f.case_id in visible) for f in findings]


def campaigns_for_user(user: Any) -> list[ScreeningCampaign]:
    """The 专项排查 the user sees: those deployed over their area or by their platform, and
    those whose subtree holds their area."""
    scope = scope_for(user, VIEW_CASE)
    qs = restrict(ScreeningCampaign.objects.all(), user, VIEW_CASE)
    if not scope.everything and scope.region_paths:
        above = {
            p[:i] for p in scope.region_paths for i in range(PATH_SEGMENT, len(p) + 1, PATH_SEGMENT)
        }
        qs = ScreeningCampaign.objects.filter(Q(pk__in=qs.values("pk")) | Q(region__path__in=above))
    return list(qs.select_related("organizer", "region").order_by("-starts_on", "-pk")[:PAGE])


@dataclass(frozen=True)
class BoardCell:
    period: Period
    state: str
    report: ScreeningReport | None


@dataclass(frozen=True)
class BoardRow:
    unit: Region
    cells: list[BoardCell]


@dataclass
class ScreeningBoard:
    level: int
    plan: ScreeningPlan | None
    campaign: ScreeningCampaign | None
    periods: list[Period]
    due: dict[date, datetime]
    rows: list[BoardRow]
    unit_count: int
    page: int
    pages: int
    # Per period (by start): state → count, over every unit in scope (not only this page).
    counts: dict[date, dict[str, int]]

    @property
    def columns(self) -> list[tuple[Period, dict[str, int]]]:
        return [(p, self.counts[p.start]) for p in self.periods]

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)


def _cell_state(report: ScreeningReport | None, due_at: datetime, now: datetime) -> str:
    if report is not None:
        return report.state
    return ScreeningState.MISSING if due_at <= now else ScreeningState.PENDING


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if 0 < number < 2**31 else default


def board_levels(user: Any) -> list[tuple[int, str]]:
    """The unit levels the board offers: from the user's highest place down to grids."""
    scope = require(user, VIEW_CASE)
    top: int = RegionLevel.COUNTY
    if not scope.everything:
        levels = [o.region.level for o in orgs_with(user, VIEW_CASE)]
        top = max(RegionLevel.COUNTY, min(levels, default=RegionLevel.COUNTY))
    return [(level, str(label)) for level, label in SCREENING_LEVELS if level >= top]


@dataclass(frozen=True)
class BoardQuery:
    """The 报送情况 board's selection from its query string: the level, a 专项排查, the page
    (its page and its ledger parse it here: views_screening.py, exports.py)."""

    levels: list[tuple[int, str]]
    level: int
    campaigns: list[ScreeningCampaign]
    campaign: ScreeningCampaign | None
    page: int


def board_query(user: Any, params: Mapping[str, Any]) -> BoardQuery:
    """Parse the board's query string (404 for a campaign the user does not see)."""
    levels = board_levels(user)
    level_values = [lv for lv, _label in levels]
    default = level_values[1] if len(level_values) > 1 else level_values[0]
    level = _int(params.get("level"), default) or default
    if level not in level_values:
        level = default
    campaigns = campaigns_for_user(user)
    campaign = None
    campaign_id = _int(params.get("campaign"))
    if campaign_id is not None:
        campaign = next((c for c in campaigns if c.pk == campaign_id), None)
        if campaign is None:
            raise Http404
    return BoardQuery(levels, level, campaigns, campaign, _int(params.get("page"), 1) or 1)


def board_reports(user: Any, query: BoardQuery) -> QuerySet[ScreeningReport]:
    """The reports filed by the board's units (the same units as its rows, every period, not
    only its columns), of the level's plan or of the 专项排查, newest period first."""
    campaign = query.campaign
    level = campaign.unit_level if campaign is not None else query.level
    units = _board_units(user, level, campaign)
    reports = ScreeningReport.objects.filter(unit__in=units.values("pk"))
    if campaign is not None:
        reports = reports.filter(campaign=campaign)
    else:
        plan = screening_plans().get(level)
        reports = reports.filter(plan=plan) if plan is not None else reports.none()
    return reports.order_by("-period_start", "unit__path", "pk")


def _board_units(user: Any, level: int, campaign: ScreeningCampaign | None) -> QuerySet[Region]:
    units = restrict(Region.objects.filter(level=level), user, VIEW_CASE)
    if campaign is not None:
        units = units.filter(subtree_q([campaign.region.path]))
    return units


def screening_board(
    user: Any,
    *,
    level: int,
    campaign: ScreeningCampaign | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> ScreeningBoard:
    """排查台账: the units of ``level`` in the user's scope (of a campaign's subtree), a page of
    them as rows, the recent periods of their plan (or the campaign's days) as columns, each
    cell 已报 / 零报告 / 迟报 / 未报 / 未到期, and each column's counts over every unit in
    scope. A fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    plan = None
    if campaign is not None:
        level = campaign.unit_level
        last = min(today, campaign.ends_on)
        periods = (
            [
                p
                for p in screening_periods(ScreeningCadence.DAILY, last, BOARD_DAILY_PERIODS)
                if p.start >= campaign.starts_on
            ]
            if last >= campaign.starts_on
            else []
        )
    else:
        plan = screening_plans().get(level)
        periods = (
            screening_periods(
                plan.cadence,
                today,
                BOARD_DAILY_PERIODS if plan.cadence == ScreeningCadence.DAILY else BOARD_PERIODS,
            )
            if plan is not None
            else []
        )
    due = screening_due_times(periods)
    units_qs = _board_units(user, level, campaign)
    unit_count = units_qs.count()
    pages = max(1, -(-unit_count // BOARD_ROWS))
    page = min(max(page, 1), pages)
    units = list(units_qs.order_by("path")[(page - 1) * BOARD_ROWS : page * BOARD_ROWS])
    source = {"campaign": campaign} if campaign is not None else {"plan": plan}
    counts: dict[date, dict[str, int]] = {
        p.start: dict.fromkeys(ScreeningState.values, 0) for p in periods
    }
    rows: list[BoardRow] = []
    if periods and (plan is not None or campaign is not None):
        starts = [p.start for p in periods]
        reports = {
            (r.unit_id, r.period_start): r
            for r in ScreeningReport.objects.filter(
                unit__in=[u.pk for u in units], period_start__in=starts, **source
            )
        }
        rows = [
            BoardRow(
                unit,
                [
                    BoardCell(
                        p,
                        _cell_state(reports.get((unit.pk, p.start)), due[p.end], now),
                        reports.get((unit.pk, p.start)),
                    )
                    for p in periods
                ],
            )
            for unit in units
        ]
        totals = (
            ScreeningReport.objects.filter(
                unit__in=units_qs.values("pk"), period_start__in=starts, **source
            )
            .values_list("period_start", "is_zero", "is_late")
            .annotate(n=Count("pk"))
        )
        by_start = {p.start: p for p in periods}
        for start, is_zero, is_late, n in totals:
            state = (
                ScreeningState.LATE
                if is_late
                else (ScreeningState.ZERO if is_zero else ScreeningState.FILED)
            )
            counts[start][state] += n
        for start, bucket in counts.items():
            filed = (
                bucket[ScreeningState.FILED]
                + bucket[ScreeningState.ZERO]
                + bucket[ScreeningState.LATE]
            )
            missing = max(unit_count - filed, 0)
            period = by_start[start]
            bucket[ScreeningState.MISSING if due[period.end] <= now else ScreeningState.PENDING] = (
                missing
            )
    return ScreeningBoard(
        level, plan, campaign, periods, due, rows, unit_count, page, pages, counts
    )


# --- For the supervision board (督办): the reports that came due and are missing -----------------


@dataclass(frozen=True)
class UnfiledRow:
    unit: Region
    orgs: list[Organization]  # the unit's filing orgs (平安办 / 村调委会)
    plan: ScreeningPlan | None
    campaign: ScreeningCampaign | None
    period: Period
    due_at: datetime


@dataclass(frozen=True)
class UnfiledScreening:
    rows: list[UnfiledRow]
    count: int


def missing_units(
    *,
    plan: ScreeningPlan | None = None,
    campaign: ScreeningCampaign | None = None,
    period: Period,
    units: QuerySet[Region] | None = None,
) -> QuerySet[Region]:
    """The units of a plan's level (or a campaign's, in its subtree) with no report for
    ``period``: an anti-join on the report's unique index, ordered by path."""
    if campaign is not None:
        base = Region.objects.filter(subtree_q([campaign.region.path]), level=campaign.unit_level)
        source: dict[str, Any] = {"campaign": campaign}
    else:
        base = Region.objects.filter(level=plan.level)  # type: ignore[union-attr]
        source = {"plan": plan}
    if units is not None:
        base = base.filter(pk__in=units.values("pk"))
    filed = ScreeningReport.objects.filter(period_start=period.start, **source)
    return base.exclude(pk__in=filed.values("unit_id")).order_by("path")


Due = tuple[ScreeningPlan | None, ScreeningCampaign | None, Period, datetime]


def _due_screening(now: datetime) -> list[Due]:
    """What has come due by ``now``: each active plan's latest period and each running 专项排查's
    latest day, with its due time (plans by level). The calendar is read once."""
    today = timezone.localtime(now).date()
    plans = sorted(screening_plans().values(), key=lambda p: p.level)
    campaigns = list(
        ScreeningCampaign.objects.filter(
            starts_on__lte=today, ends_on__gte=today - timedelta(days=10)
        ).select_related("region")
    )
    latest = latest_due_periods(
        [p.cadence for p in plans] + ([ScreeningCadence.DAILY] if campaigns else []), now
    )
    found: list[Due] = []
    for plan in plans:
        if (due := latest[plan.cadence]) is not None:
            found.append((plan, None, *due))
    for campaign in campaigns:
        due = latest[ScreeningCadence.DAILY]
        if due is not None and campaign.starts_on <= due[0].start <= campaign.ends_on:
            found.append((None, campaign, *due))
    return found


def _scope_units(user: Any, filers: QuerySet[Organization] | None) -> QuerySet[Region]:
    """The units in ``user``'s scope — of which one of ``filers`` files, if given."""
    units = restrict(Region.objects.all(), user, VIEW_CASE)
    if filers is None:
        return units
    return units.alias(filing=filing_region_expr()).filter(filing__in=filers.values("region_id"))


def unfiled_screening(
    user: Any,
    *,
    limit: int = UNFILED_LIMIT,
    now: datetime | None = None,
    filers: QuerySet[Organization] | None = None,
) -> UnfiledScreening:
    """未按期报送的排查报告, within the user's data scope: for each active plan and each 专项排查
    running, the units whose report for the latest period that has come due is missing (unit,
    its filing orgs, period, due time), at most ``limit`` rows (by plan level, then region
    path), and how many there are in all. Reads are bounded: one anti-join per plan/campaign
    on the reports' unique index (unit, plan, period_start), LIMIT ``limit``. With
    ``filers``, only the units one of those orgs files for."""
    now = now or timezone.now()
    if scope_for(user, VIEW_CASE).is_empty:
        return UnfiledScreening([], 0)
    scope_units = _scope_units(user, filers)
    rows: list[tuple[Region, ScreeningPlan | None, ScreeningCampaign | None, Period, datetime]] = []
    count = 0
    for source_plan, source_campaign, period, due_at in _due_screening(now):
        missing = missing_units(
            plan=source_plan, campaign=source_campaign, period=period, units=scope_units
        )
        room = limit - len(rows)
        if room > 0:
            page = list(missing[:room])
            rows += [(unit, source_plan, source_campaign, period, due_at) for unit in page]
            count += len(page) if len(page) < room else missing.count()
        else:
            count += missing.count()
    filing = screening_filer_orgs([r[0] for r in rows])
    # The board shows an org's name and links by its id: nothing else is read.
    orgs = Organization.objects.only("pk", "name").in_bulk(
        {pk for ids in filing.values() for pk in ids}
    )
    return UnfiledScreening(
        [
            UnfiledRow(unit, [orgs[pk] for pk in filing[unit.pk]], plan, campaign, period, due_at)
            for unit, plan, campaign, period, due_at in rows
        ],
        count,
    )


def unfiled_screening_counts(
    user: Any, *, now: datetime | None = None, filers: QuerySet[Organization] | None = None
) -> dict[int, int]:
    """How many of ``unfiled_screening``'s reports each filing org owes (a unit's first filing
    org, as its rows list them), every one counted: per plan or campaign, one anti-join grouped
    by the filing region in SQL, then one read of the regions' filing orgs. A unit with no
    filing org to hold to it is not counted."""
    now = now or timezone.now()
    if scope_for(user, VIEW_CASE).is_empty:
        return {}
    scope_units = _scope_units(user, filers)
    grouped = [
        missing_units(plan=plan, campaign=campaign, period=period, units=scope_units)
        .order_by()
        .annotate(filing=filing_region_expr())
        .values_list("filing")
        .annotate(n=Count("pk"))
        for plan, campaign, period, _due_at in _due_screening(now)
    ]
    if not grouped:
        return {}
    per_region: dict[int, int] = {}
    # One round trip: the sources' grouped anti-joins, UNION ALL.
    for region_id, n in grouped[0].union(*grouped[1:], all=True):
        per_region[region_id] = per_region.get(region_id, 0) + n
    counts: dict[int, int] = {}
    for region_id, org_ids in filer_orgs_of_regions(per_region).items():
        if org_ids:
            counts[org_ids[0]] = counts.get(org_ids[0], 0) + per_region[region_id]
    return counts
