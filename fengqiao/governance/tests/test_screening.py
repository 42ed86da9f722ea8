"""排查 (screening): periods and due times across month ends and holidays, filing (findings,
零报告, 迟报, double submit), the board, the chase sweep (once per period), the scope, and the
supervision selector — on the cast's county (fengqiao/conftest.py: the org structure
seed_demo builds), with two grids under 东村."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.disputes.models import CalendarOverride
from fengqiao.governance import selectors, services_screening
from fengqiao.governance.choices import ScreeningCadence, ScreeningState
from fengqiao.governance.models import ScreeningChase, ScreeningPlan, ScreeningReport
from fengqiao.governance.periods import (
    screening_due_at,
    screening_period,
    screening_periods,
)
from fengqiao.governance.policy import screening_filing_org
from fengqiao.governance.services import AlreadyRecorded, GovernanceRefused
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.tests.factories import make_region

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _span(cadence: str, day: date) -> tuple[date, date]:
    period = screening_period(cadence, day)
    return period.start, period.end


def _plan(level: int) -> ScreeningPlan:
    return ScreeningPlan.objects.get(level=level)


@pytest.fixture
def grids(world: Any) -> list[Any]:
    code = world.village_east.code
    return [
        make_region(f"{code}001", "东村第一网格", world.village_east),
        make_region(f"{code}002", "东村第二网格", world.village_east),
    ]


# --- Periods and due times ----------------------------------------------------------------------


def test_the_migration_loads_the_seed_cadence() -> None:
    assert {p.level: p.cadence for p in ScreeningPlan.objects.all()} == {
        RegionLevel.COUNTY: ScreeningCadence.MONTHLY,
        RegionLevel.TOWNSHIP: ScreeningCadence.SEMI_MONTHLY,
        RegionLevel.VILLAGE: ScreeningCadence.WEEKLY,
        RegionLevel.GRID: ScreeningCadence.DAILY,
    }


def test_periods_across_month_ends() -> None:
    semi = ScreeningCadence.SEMI_MONTHLY
    # February: the second half ends on the 28th, or the 29th in a leap year.
    assert _span(semi, date(2027, 2, 20)) == (date(2027, 2, 16), date(2027, 2, 28))
    assert _span(semi, date(2028, 2, 29)) == (date(2028, 2, 16), date(2028, 2, 29))
    assert _span(semi, date(2026, 1, 31)) == (date(2026, 1, 16), date(2026, 1, 31))
    assert _span(semi, date(2026, 3, 15)) == (date(2026, 3, 1), date(2026, 3, 15))
    # A week runs Monday to Sunday, across a month and a year end.
    week = screening_period(ScreeningCadence.WEEKLY, date(2026, 12, 31))
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    month = screening_period(ScreeningCadence.MONTHLY, date(2026, 4, 30))
    assert (month.start, month.end) == (date(2026, 4, 1), date(2026, 4, 30))
    # Going back one period at a time covers every day once.
    halves = screening_periods(semi, date(2026, 3, 3), 4)
    assert [(p.start, p.end) for p in halves] == [
        (date(2026, 3, 1), date(2026, 3, 15)),
        (date(2026, 2, 16), date(2026, 2, 28)),
        (date(2026, 2, 1), date(2026, 2, 15)),
        (date(2026, 1, 16), date(2026, 1, 31)),
    ]
    days = screening_periods(ScreeningCadence.DAILY, date(2026, 3, 1), 2)
    assert [p.start for p in days] == [date(2026, 3, 1), date(2026, 2, 28)]


def test_a_report_is_due_at_noon_of_the_first_working_day_after_its_period() -> None:
    noon = 12
    # September 2025 ends on a Tuesday; 1–8 October are the National Day holidays.
    september = screening_period(ScreeningCadence.MONTHLY, date(2025, 9, 10))
    assert timezone.localtime(screening_due_at(september)) == _at(date(2025, 10, 9), noon)
    # Friday 10 October's daily report: Saturday the 11th is a 调休 working day.
    friday = screening_period(ScreeningCadence.DAILY, date(2025, 10, 10))
    assert timezone.localtime(screening_due_at(friday)) == _at(date(2025, 10, 11), noon)
    # An ordinary week: due Monday noon.
    week = screening_period(ScreeningCadence.WEEKLY, date(2026, 11, 18))
    assert timezone.localtime(screening_due_at(week)) == _at(date(2026, 11, 23), noon)
    # A day the administrator marks off (CalendarOverride) moves it on.
    CalendarOverride.objects.create(day=date(2026, 11, 23), is_workday=False, note="测试")
    assert timezone.localtime(screening_due_at(week)) == _at(date(2026, 11, 24), noon)


# --- Who files ----------------------------------------------------------------------------------


def test_who_files_for_which_unit(cast: Any, world: Any, grids: list[Any]) -> None:
    grid = grids[0]
    assert screening_filing_org(cast.grid_worker, grid) == world.committee_east
    assert screening_filing_org(cast.grid_worker, world.village_east) == world.committee_east
    assert screening_filing_org(cast.mediator_east, grid) == world.committee_east
    assert screening_filing_org(cast.mediator_west, grid) is None
    assert screening_filing_org(cast.mediator_west, world.village_east) is None
    assert screening_filing_org(cast.dispatcher, world.town_a) == world.town_a_platform
    assert screening_filing_org(cast.dispatcher, world.village_east) is None
    assert screening_filing_org(cast.county_dispatcher, world.town_a) is None
    assert screening_filing_org(cast.county_dispatcher, world.county) == world.county_platform
    for name in ("leader", "police", "judge", "court_clerk", "citizen", "outsider", "auditor"):
        assert screening_filing_org(getattr(cast, name), world.village_east) is None


def _file(actor: Any, unit: Any, *, level: int, day: date, **kw: Any) -> ScreeningReport:
    plan = _plan(level)
    return services_screening.screening_report_file(
        actor=actor,
        unit_id=unit.pk,
        plan_id=plan.pk,
        period_start=screening_period(plan.cadence, day).start,
        **kw,
    )


def test_a_zero_report_counts_as_filed_and_twice_is_one_report(
    cast: Any, world: Any, grids: list[Any]
) -> None:
    today = timezone.localdate()
    report = _file(cast.grid_worker, grids[0], level=RegionLevel.GRID, day=today, zero=True)
    assert report.is_zero
    assert not report.is_late
    with pytest.raises(AlreadyRecorded):
        _file(cast.grid_worker, grids[0], level=RegionLevel.GRID, day=today, zero=True)
    with pytest.raises(AlreadyRecorded):
        _file(cast.mediator_east, grids[0], level=RegionLevel.GRID, day=today, descriptions=["x"])
    assert ScreeningReport.objects.filter(unit=grids[0]).count() == 1
    board = selectors.screening_board(cast.mediator_east, level=RegionLevel.GRID)
    cells = {row.unit.pk: row.cells[0] for row in board.rows}
    assert cells[grids[0].pk].state == ScreeningState.ZERO
    assert cells[grids[1].pk].state == ScreeningState.PENDING
    assert board.counts[board.periods[0].start][ScreeningState.ZERO] == 1


def test_refusals(cast: Any, world: Any, grids: list[Any]) -> None:
    today = timezone.localdate()
    with pytest.raises(GovernanceRefused, match="排查报送人员"):
        _file(cast.mediator_west, grids[0], level=RegionLevel.GRID, day=today, zero=True)
    with pytest.raises(GovernanceRefused, match="尚未开始"):
        _file(
            cast.grid_worker,
            grids[0],
            level=RegionLevel.GRID,
            day=today + timedelta(days=1),
            zero=True,
        )
    with pytest.raises(GovernanceRefused, match="零报告"):
        _file(cast.grid_worker, grids[0], level=RegionLevel.GRID, day=today)
    with pytest.raises(GovernanceRefused, match="零报告不能"):
        _file(
            cast.grid_worker,
            grids[0],
            level=RegionLevel.GRID,
            day=today,
            zero=True,
            descriptions=["邻里纠纷"],
        )
    # A village plan's period for a grid: refused.
    with pytest.raises(GovernanceRefused, match="排查计划"):
        _file(cast.grid_worker, grids[0], level=RegionLevel.VILLAGE, day=today, zero=True)
    assert not ScreeningReport.objects.exists()


def test_a_finding_links_the_case_registered_from_it(
    cast: Any, world: Any, grids: list[Any]
) -> None:
    from fengqiao.disputes.choices import IntakeChannel, PartyRole
    from fengqiao.disputes.services.errors import PartyInput
    from fengqiao.disputes.services.intake import IntakeReport, case_intake

    outcome = case_intake(
        actor=cast.grid_worker,
        report=IntakeReport(
            channel=IntakeChannel.GRID,
            category="neighbour",
            region=grids[0],
            title="张家与李家因排水沟起争执",
            parties=(
                PartyInput(role=PartyRole.APPLICANT, name="张三"),
                PartyInput(role=PartyRole.RESPONDENT, name="李四"),
            ),
        ),
        confirm_new=True,
    )
    case = outcome.case
    assert case is not None
    report = _file(
        cast.grid_worker,
        grids[0],
        level=RegionLevel.GRID,
        day=timezone.localdate(),
        case_ids=[case.pk],
        descriptions=["另有一户反映宅基地边界问题"],
    )
    findings = list(report.findings.order_by("pk"))
    assert [f.case_id for f in findings] == [case.pk, None]
    assert findings[0].description == "张家与李家因排水沟起争执"


# --- Late, missing, chased once --------------------------------------------------------------


def test_a_missing_report_is_on_the_board_and_chased_once_per_period(
    cast: Any, world: Any, grids: list[Any]
) -> None:
    # A Wednesday; the village plan's last week came due on Monday at noon.
    now = _at(date(2026, 11, 25), 10)
    last_week = screening_period(ScreeningCadence.WEEKLY, date(2026, 11, 18))
    # 西村 filed on time with a finding; 东村 did not file; 南村 filed late.
    services_screening.screening_report_file(
        actor=cast.mediator_west,
        unit_id=world.village_west.pk,
        plan_id=_plan(RegionLevel.VILLAGE).pk,
        period_start=last_week.start,
        descriptions=["土地流转租金支付争议"],
        now=_at(date(2026, 11, 23), 9),
    )
    south = _file_south_late(cast, world, last_week.start)
    assert south.is_late

    board = selectors.screening_board(cast.county_dispatcher, level=RegionLevel.VILLAGE, now=now)
    column = [p.start for p in board.periods].index(last_week.start)
    states = {row.unit.name: row.cells[column].state for row in board.rows}
    assert states == {
        "东村": ScreeningState.MISSING,
        "西村": ScreeningState.FILED,
        "南村": ScreeningState.LATE,
    }
    counts = board.counts[last_week.start]
    assert counts[ScreeningState.MISSING] == 1
    assert counts[ScreeningState.LATE] == 1

    unfiled = selectors.unfiled_screening(cast.county_dispatcher, now=now)
    east = [r for r in unfiled.rows if r.unit == world.village_east]
    assert len(east) == 1
    assert east[0].period.start == last_week.start
    assert east[0].orgs == [world.committee_east]
    assert world.village_west not in [r.unit for r in unfiled.rows]

    first = services_screening.screening_chase(now=now)
    second = services_screening.screening_chase(now=now + timedelta(minutes=5))
    assert first.chased >= 1
    assert second.chased == 0
    chases = ScreeningChase.objects.filter(
        unit=world.village_east, plan=_plan(RegionLevel.VILLAGE), period_start=last_week.start
    )
    assert chases.count() == 1
    to_east = Notification.objects.filter(
        recipient__in=[cast.mediator_east, cast.grid_worker], kind=NotificationKind.SCREENING
    )
    village_messages = [n for n in to_east if "东村 " in n.title]
    # One message each for 东村's week (the grids' days are chased too, each once).
    assert len([n for n in village_messages if n.recipient_id == cast.mediator_east.pk]) == 1
    assert not Notification.objects.filter(
        recipient=cast.mediator_west, title__contains="西村"
    ).exists()


def _file_south_late(cast: Any, world: Any, start: date) -> ScreeningReport:
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.tests.factories import UserFactory, grant

    south = UserFactory(username="mediator_south")
    grant(south, BuiltinRole.MEDIATOR, world.committee_south)
    return services_screening.screening_report_file(
        actor=south,
        unit_id=world.village_south.pk,
        plan_id=_plan(RegionLevel.VILLAGE).pk,
        period_start=start,
        zero=True,
        now=_at(date(2026, 11, 24), 15),
    )


def test_the_sweep_reads_only_what_is_due(
    cast: Any, world: Any, grids: list[Any], django_assert_max_num_queries: Any
) -> None:
    now = _at(date(2026, 11, 25), 13)
    services_screening.screening_chase(now=now)
    # A second sweep finds every unit chased: a bounded number of reads, whatever the units.
    with django_assert_max_num_queries(40):
        assert services_screening.screening_chase(now=now).chased == 0


# --- Access -------------------------------------------------------------------------------------


def test_a_village_never_sees_another_villages_reports(
    cast: Any, world: Any, grids: list[Any], client_for: Any
) -> None:
    today = timezone.localdate()
    east = _file(
        cast.mediator_east, world.village_east, level=RegionLevel.VILLAGE, day=today, zero=True
    )
    west = _file(
        cast.mediator_west, world.village_west, level=RegionLevel.VILLAGE, day=today, zero=True
    )
    seen = {
        name: set(selectors.screening_reports_for_user(user).values_list("pk", flat=True))
        for name, user in cast.all().items()
    }
    assert seen["mediator_east"] == {east.pk}
    assert seen["mediator_west"] == {west.pk}
    assert seen["grid_worker"] == {east.pk}
    assert seen["county_dispatcher"] == {east.pk, west.pk}
    assert seen["leader"] == {east.pk, west.pk}
    assert seen["dispatcher"] == {east.pk, west.pk}
    for name in ("police", "judge", "court_clerk", "citizen", "outsider", "system_admin"):
        assert seen[name] == set(), name
    west_page = client_for(cast.mediator_east).get(
        reverse("governance:screening_report", args=[west.pk])
    )
    assert west_page.status_code == 404
    assert (
        client_for(cast.county_dispatcher)
        .get(reverse("governance:screening_report", args=[west.pk]))
        .status_code
        == 200
    )
    board = client_for(cast.mediator_east).get(reverse("governance:screening") + "?level=5")
    assert "东村" in board.content.decode()
    assert "西村" not in board.content.decode()
    # 南村's unit is not in 甲镇's dispatcher's board; it is in the county's.
    assert (
        "南村"
        not in client_for(cast.dispatcher)
        .get(reverse("governance:screening") + "?level=5")
        .content.decode()
    )
    assert (
        "南村"
        in client_for(cast.county_dispatcher)
        .get(reverse("governance:screening") + "?level=5")
        .content.decode()
    )


def test_the_filing_page_files_a_zero_report_once(
    cast: Any, world: Any, grids: list[Any], client_for: Any
) -> None:
    client = client_for(cast.grid_worker)
    home = client.get("/")
    assert "我的排查报告" in home.content.decode()
    plan = _plan(RegionLevel.GRID)
    start = timezone.localdate().isoformat()
    data = {"unit": grids[0].pk, "plan": plan.pk, "period": start, "result": "zero"}
    response = client.post(reverse("governance:screening_file"), data)
    assert response.status_code == 302
    again = client.post(reverse("governance:screening_file"), data)
    assert again.status_code == 302
    assert ScreeningReport.objects.filter(unit=grids[0]).count() == 1
    # Another village's mediator may not file for 东村's grid.
    refused = client_for(cast.mediator_west).get(
        reverse("governance:screening_file") + f"?unit={grids[1].pk}&plan={plan.pk}&period={start}"
    )
    assert refused.status_code == 403


def test_the_board_page_has_a_query_ceiling(
    cast: Any, world: Any, grids: list[Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.county_dispatcher)
    for code in range(3, 9):
        make_region(f"{world.village_west.code}{code:03d}", f"西村第{code}网格", world.village_west)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("governance:screening") + "?level=6")
    assert page.status_code == 200
    assert "西村第8网格" in page.content.decode()


def test_a_campaign_is_filed_daily_by_its_units(cast: Any, world: Any, client_for: Any) -> None:
    today = timezone.localdate()
    campaign = services_screening.screening_campaign_create(
        actor=cast.county_dispatcher,
        organizer_id=world.county_platform.pk,
        region_id=world.county.pk,
        title="春节前专项排查",
        starts_on=today,
        ends_on=today + timedelta(days=6),
        unit_level=RegionLevel.TOWNSHIP,
        categories=["labour"],
    )
    with pytest.raises(GovernanceRefused):
        services_screening.screening_campaign_create(
            actor=cast.dispatcher,
            organizer_id=world.town_a_platform.pk,
            region_id=world.county.pk,
            title="越权",
            starts_on=today,
            ends_on=today,
            unit_level=RegionLevel.VILLAGE,
        )
    todo = [t for t in selectors.screening_todo(cast.dispatcher) if t.campaign == campaign]
    assert [t.unit for t in todo] == [world.town_a]
    services_screening.screening_report_file(
        actor=cast.dispatcher,
        unit_id=world.town_a.pk,
        campaign_id=campaign.pk,
        period_start=today,
        zero=True,
    )
    board = selectors.screening_board(cast.county_dispatcher, level=0, campaign=campaign)
    states = {row.unit: row.cells[0].state for row in board.rows}
    assert states[world.town_a] == ScreeningState.ZERO
    assert states[world.town_b] == ScreeningState.PENDING
    page = client_for(cast.county_dispatcher).get(
        reverse("governance:screening") + f"?campaign={campaign.pk}"
    )
    assert "春节前专项排查" in page.content.decode()


def test_the_platforms_and_the_filers_find_screening_in_the_menu(
    cast: Any, client_for: Any
) -> None:
    def menu(user: Any) -> set[str]:
        return {str(item.label) for item in client_for(user).get("/").context["nav_items"]}

    for user in (cast.county_dispatcher, cast.dispatcher, cast.leader, cast.grid_worker):
        assert "排查" in menu(user)
    for user in (cast.police, cast.court_clerk, cast.system_admin):
        assert "排查" not in menu(user)
