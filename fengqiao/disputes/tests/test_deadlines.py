"""The deadline engine: statutory holidays with 调休 working weekends, admin overrides, month
arithmetic (民法典 arts. 201–203), and the mediation clock through suspension and extension."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CaseStatus,
    CourtProcedure,
    DueKind,
    IntakeChannel,
    RiskGrade,
)
from fengqiao.disputes.models import CalendarOverride, Case, DeadlineLimit, DueItem, TimelineEvent
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.handling import case_extend, case_resume, case_suspend
from fengqiao.disputes.services.outcomes import case_withdraw
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, register_case, start_mediation

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def ends(moment: datetime) -> date:
    """The local day a deadline ends on (deadlines end at 23:59:59 that day)."""
    local = moment.astimezone(SHANGHAI)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    return local.date()


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with patch("django.utils.timezone.now", return_value=moment):
        yield


# --- Working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 2025 National Day + Mid-Autumn: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are 调休 workdays.
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Fri → the working Sunday
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # over the whole holiday
        (date(2025, 9, 29), 3, date(2025, 10, 10)),
        (date(2025, 10, 9), 2, date(2025, 10, 11)),  # the working Saturday counts
        (date(2025, 10, 10), 2, date(2025, 10, 13)),  # Sun Oct 12 is off again
        # 2025 Spring Festival: Jan 28–Feb 4 off; Sun Jan 26 and Sat Feb 8 are 调休 workdays.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Fri → the working Sunday
        (date(2025, 1, 26), 1, date(2025, 1, 27)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),  # 除夕 eve → over the whole holiday
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        (date(2025, 2, 5), 3, date(2025, 2, 8)),  # the working Saturday counts
        (date(2025, 2, 7), 2, date(2025, 2, 10)),  # Sun Feb 9 is off again
        # 2026 Spring Festival: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are workdays.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 27), 1, date(2026, 2, 28)),
        (date(2026, 2, 27), 2, date(2026, 3, 2)),
        # 2026 National Day: Oct 1–7 off; Sun Sep 20 and Sat Oct 10 are workdays.
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 9), 1, date(2026, 10, 10)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
    ],
)
def test_add_working_days_across_statutory_holidays(
    db: None, start: date, days: int, expected: date
) -> None:
    assert ends(deadlines.add_working_days(at(start), days)) == expected


def test_working_days_count_from_the_local_day_not_the_utc_one(db: None) -> None:
    # 00:30 on Tue Sep 30 in Shanghai is still Mon Sep 29 in UTC.
    moment = datetime(2025, 9, 30, 0, 30, tzinfo=SHANGHAI)
    assert ends(deadlines.add_working_days(moment, 1)) == date(2025, 10, 9)


def test_calendar_override_wins_for_a_year_the_package_does_not_know(db: None) -> None:
    # Without overrides 2027 falls back to Monday–Friday: New Year's Day (a Friday) "works".
    assert deadlines.is_workday(date(2027, 1, 1)) is True
    assert ends(deadlines.add_working_days(at(date(2026, 12, 31)), 1)) == date(2027, 1, 1)
    # The admin enters the 2027 holiday and a 调休 Sunday.
    CalendarOverride.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦")
    CalendarOverride.objects.create(day=date(2027, 1, 3), is_workday=True, note="调休上班")
    assert deadlines.is_workday(date(2027, 1, 1)) is False
    assert ends(deadlines.add_working_days(at(date(2026, 12, 31)), 1)) == date(2027, 1, 3)
    assert ends(deadlines.add_working_days(at(date(2026, 12, 31)), 2)) == date(2027, 1, 4)


def test_calendar_override_also_wins_over_the_package(db: None) -> None:
    # A local holiday on a day the package calls a workday, and the reverse.
    assert deadlines.is_workday(date(2025, 10, 9)) is True
    CalendarOverride.objects.create(day=date(2025, 10, 9), is_workday=False, note="地方节日")
    CalendarOverride.objects.create(day=date(2025, 10, 8), is_workday=True, note="提前上班")
    assert ends(deadlines.add_working_days(at(date(2025, 9, 30)), 1)) == date(2025, 10, 8)
    assert ends(deadlines.add_working_days(at(date(2025, 9, 30)), 2)) == date(2025, 10, 10)


def test_a_deadline_reads_the_calendar_a_month_at_a_time(
    db: None, django_assert_num_queries: Any
) -> None:
    # 20 working days from Fri Sep 26, 2025 pass over National Day: 34 calendar days, two
    # queries (imported schedules, overrides) for the first 32 days and two for the next
    # window (it used to be a query per day).
    with django_assert_num_queries(4):
        assert ends(deadlines.add_working_days(at(date(2025, 9, 26)), 20)) == date(2025, 10, 30)
    with django_assert_num_queries(2):
        assert ends(deadlines.add_working_days(at(date(2025, 9, 30)), 1)) == date(2025, 10, 9)


def test_an_override_beyond_the_first_window_is_still_honoured(db: None) -> None:
    # The walk reads the next window when it gets there: a local holiday 33 days on counts.
    assert ends(deadlines.add_working_days(at(date(2025, 9, 26)), 20)) == date(2025, 10, 30)
    CalendarOverride.objects.create(day=date(2025, 10, 29), is_workday=False, note="地方节日")
    assert ends(deadlines.add_working_days(at(date(2025, 9, 26)), 20)) == date(2025, 10, 31)
    # A period ending on a day off moves to the next working day (民法典 art. 203), also past
    # a window edge.
    moment = at(date(2025, 10, 29))
    assert ends(deadlines.next_working_day_if_off(moment)) == date(2025, 10, 30)
    assert deadlines.next_working_day_if_off(at(date(2025, 10, 30))) == at(date(2025, 10, 30))


# --- Calendar months and the 民法典 period rules --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 31), date(2026, 1, 31)),  # over the year end
        (date(2025, 2, 28), date(2025, 3, 28)),  # the corresponding day, not the month end
        (date(2025, 1, 15), date(2025, 2, 15)),
    ],
)
def test_add_months_takes_the_corresponding_day_or_the_month_end(
    start: date, expected: date
) -> None:
    assert ends(deadlines.add_months(at(start), 1)) == expected


def test_add_months_uses_the_local_date() -> None:
    # 2025-01-31 20:00 UTC is already 1 February in Shanghai.
    moment = datetime(2025, 1, 31, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert ends(deadlines.add_months(moment, 1)) == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        # Accepted Thu 15 Jan 2026. 委派 30 days → Sat 14 Feb, a 调休 workday: stays.
        (IntakeChannel.COURT_PRE, date(2026, 2, 14)),
        # 委托 15 days → Fri 30 Jan.
        (IntakeChannel.COURT_POST, date(2026, 1, 30)),
        # One month → Sun 15 Feb, inside Spring Festival: the period ends on the next workday
        # after the holiday (民法典 art. 203), Tue 24 Feb.
        (IntakeChannel.GRID, date(2026, 2, 24)),
        (IntakeChannel.WALK_IN, date(2026, 2, 24)),
    ],
)
def test_mediation_deadline_per_channel_and_rolled_off_a_holiday(
    db: None, channel: str, expected: date
) -> None:
    assert ends(deadlines.mediation_deadline(channel, at(date(2026, 1, 15)))) == expected


def test_mediation_deadline_ending_on_a_weekend_moves_to_monday(db: None) -> None:
    # Accepted Thu 4 Sep 2025 + 30 days = Sat 4 Oct (National Day) → Thu 9 Oct.
    due = deadlines.mediation_deadline(IntakeChannel.COURT_PRE, at(date(2025, 9, 4)))
    assert ends(due) == date(2025, 10, 9)
    # A plain weekend: accepted Fri 6 Jun 2025 + 15 days = Sat 21 Jun → Mon 23 Jun.
    due = deadlines.mediation_deadline(IntakeChannel.COURT_POST, at(date(2025, 6, 6)))
    assert ends(due) == date(2025, 6, 23)


@pytest.mark.parametrize(
    ("procedure", "expected"),
    [
        # Accepted Thu 24 Sep 2026. 简易程序 7 days → Thu 1 Oct, National Day (Oct 1–7 off):
        # the period ends on the first working day after it, Thu 8 Oct (民法典 art. 203).
        (CourtProcedure.SIMPLIFIED, date(2026, 10, 8)),
        # 普通程序 15 days → Fri 9 Oct, a working day.
        (CourtProcedure.ORDINARY, date(2026, 10, 9)),
        ("", date(2026, 10, 9)),  # not recorded: ordinary
    ],
)
def test_court_entrusted_limit_follows_the_procedure(
    db: None, procedure: str, expected: date
) -> None:
    accepted = at(date(2026, 9, 24))
    due = deadlines.mediation_deadline(IntakeChannel.COURT_POST, accepted, procedure)
    assert ends(due) == expected
    # The procedure is only for 委托 cases: a 委派 case keeps its 30 days.
    due = deadlines.mediation_deadline(IntakeChannel.COURT_PRE, accepted, procedure)
    assert ends(due) == date(2026, 10, 26)


def test_acceptance_limit_in_working_days_by_grade(db: None) -> None:
    dispatched = at(date(2025, 9, 30))
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched)) == date(2025, 10, 11)
    assert ends(deadlines.accept_deadline(RiskGrade.HIGH, dispatched)) == date(2025, 10, 9)
    # Dispatched on 除夕 eve 2025: 3 working days are Feb 5, 6 and 7.
    before_spring = at(date(2025, 1, 27))
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, before_spring)) == date(2025, 2, 7)


def test_limits_per_level_and_grade_come_from_the_admin_table(db: None) -> None:
    dispatched = at(date(2025, 3, 3))  # a Monday
    # The defaults are loaded (migration 0007): every level, grade and kind has a row.
    assert DeadlineLimit.objects.count() == 3 * 3 * 4
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched)) == date(2025, 3, 6)
    assert ends(deadlines.feedback_deadline(RiskGrade.MAJOR, dispatched)) == date(2025, 3, 10)
    # When the admin gives village committees 5 working days for low-risk cases
    DeadlineLimit.objects.filter(kind=DueKind.ACCEPT, level=5, grade=RiskGrade.LOW).update(
        working_days=5
    )
    # Then villages (and grids, counted as villages) get 5, townships keep 3
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched, level=5)) == date(2025, 3, 10)
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched, level=6)) == date(2025, 3, 10)
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched, level=4)) == date(2025, 3, 6)
    # A level and grade without a row falls back to the default in code
    DeadlineLimit.objects.all().delete()
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched, level=5)) == date(2025, 3, 6)
    assert deadlines.limit_working_days(DueKind.FEEDBACK, 3, RiskGrade.LOW) == 20


def test_dispatch_gives_each_org_the_limit_of_its_level(cast: Any, world: Any) -> None:
    DeadlineLimit.objects.filter(kind=DueKind.ACCEPT, level=5, grade=RiskGrade.LOW).update(
        working_days=5
    )
    with clock(at(date(2025, 3, 3))):
        case = assessed_case(cast=cast, world=world)
        case = case_dispatch(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=None,
            orgs=[world.committee_east, world.tribunal_a],
        )
    limits = {o.to_org: ends(o.accept_by) for o in case.dispatches.all()}
    assert limits == {world.committee_east: date(2025, 3, 10), world.tribunal_a: date(2025, 3, 6)}
    due = {d.org: ends(d.due_at) for d in DueItem.objects.filter(case=case, kind=DueKind.ACCEPT)}
    assert due == limits


def test_the_procedure_is_recorded_at_assessment_and_sets_the_limit(cast: Any, world: Any) -> None:
    accepted = at(date(2026, 9, 24))
    with clock(accepted - timedelta(days=1)):
        case = register_case(
            actor=cast.court_clerk,
            platform=world.town_a_platform,
            region=world.village_east,
            channel=IntakeChannel.COURT_POST,
        )
        with pytest.raises(CaseRuleError, match="普通程序或简易程序"):
            case_assess(
                actor=cast.dispatcher,
                case_id=case.pk,
                version=None,
                category=case.category,
                grade=RiskGrade.LOW,
                procedure="summary",
                note="研判：按核实情况确定风险等级。",
            )
        case = case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=None,
            category=case.category,
            grade=RiskGrade.LOW,
            procedure=CourtProcedure.SIMPLIFIED,
            note="研判：按核实情况确定风险等级。",
        )
        assert case.procedure == CourtProcedure.SIMPLIFIED
        assert case.timeline.get(action="assess").data["procedure"] == "simplified"
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted):
        dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
    due = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(due.due_at) == date(2026, 10, 8)  # 7 days, off National Day


def test_only_court_entrusted_cases_take_a_procedure(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    with pytest.raises(CaseRuleError, match="法院委托"):
        case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=None,
            category=case.category,
            grade=RiskGrade.LOW,
            procedure=CourtProcedure.SIMPLIFIED,
            note="研判：按核实情况确定风险等级。",
        )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.procedure) == (CaseStatus.REGISTERED, "")


# --- When the sweep first looks ------------------------------------------------------------------


def test_first_check_three_days_ahead_of_a_long_limit() -> None:
    start = at(date(2025, 3, 3))
    due = start + timedelta(days=30)
    assert deadlines.first_check(due, start) == due - timedelta(days=3)


def test_first_check_twelve_hours_ahead_of_a_limit_of_days() -> None:
    start = at(date(2025, 3, 3))
    due = start + timedelta(days=2)
    assert deadlines.first_check(due, start) == due - timedelta(hours=12)


def test_first_check_halfway_through_a_very_short_limit() -> None:
    # A limit of six hours: the reminder used to fall due the moment the limit was set.
    start = at(date(2025, 3, 3))
    due = start + timedelta(hours=6)
    check = deadlines.first_check(due, start)
    assert check == start + timedelta(hours=3)
    assert start < check < due


def test_first_check_of_a_deadline_already_past_is_now() -> None:
    start = at(date(2025, 3, 3))
    assert deadlines.first_check(start - timedelta(hours=1), start) == start


# --- Suspension, resumption, extension (through the services) -------------------------------------


def _accepted_court_case(cast: Any, world: Any, accepted_at: datetime) -> Case:
    with clock(accepted_at - timedelta(days=1)):
        case = assessed_case(cast=cast, world=world, channel=IntakeChannel.COURT_PRE)
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted_at):
        return dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)


def test_suspension_pauses_and_resumption_shifts_by_the_suspended_time(
    cast: Any, world: Any
) -> None:
    accepted = at(date(2025, 3, 3))
    case = _accepted_court_case(cast, world, accepted)
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    original = item.due_at
    assert ends(original) == date(2025, 4, 2)
    m = cast.mediator_east
    with clock(accepted + timedelta(days=2)):
        start_mediation(case, m)

    # When the case is suspended for 9 days and 5 hours
    suspended_at = accepted + timedelta(days=5)
    with clock(suspended_at):
        case_suspend(actor=m, case_id=case.pk, version=None, reason="等待伤情鉴定")
    item.refresh_from_db()
    assert (item.paused_at, item.next_check_at) == (suspended_at, None)
    # the clock does not run: a sweep long after the old deadline issues nothing
    result = sweep_due_items(now=original + timedelta(days=1))
    assert (result.examined, result.reminded, result.supervised) == (0, 0, 0)

    resumed_at = suspended_at + timedelta(days=9, hours=5)
    with clock(resumed_at):
        case = case_resume(actor=m, case_id=case.pk, version=None)

    # Then the deadline moved by the suspended time — to Sat 12 Apr 04:59:59, a day off, so it
    # ends at the end of Mon 14 Apr (民法典 art. 203) — and the clock runs again
    item.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    assert item.moves[0]["suspended"] == int(timedelta(days=9, hours=5).total_seconds())
    assert item.due_at == at(date(2025, 4, 14)).replace(hour=23, minute=59, second=59)
    assert item.paused_at is None
    assert item.next_check_at == item.due_at - deadlines.REMIND_BEFORE


def test_extension_needs_both_consents_and_shifts_the_deadline(cast: Any, world: Any) -> None:
    accepted = at(date(2025, 3, 3))
    case = _accepted_court_case(cast, world, accepted)
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    original = item.due_at

    for applicant, respondent in ((True, False), (False, True), (False, False)):
        with pytest.raises(CaseRuleError, match="双方当事人同意"):
            case_extend(
                actor=cast.mediator_east,
                case_id=case.pk,
                days=10,
                applicant_consents=applicant,
                respondent_consents=respondent,
            )
    item.refresh_from_db()
    assert item.due_at == original
    # Only the handling org extends
    with pytest.raises(PermissionDenied):
        case_extend(
            actor=cast.dispatcher,
            case_id=case.pk,
            days=10,
            applicant_consents=True,
            respondent_consents=True,
        )

    with clock(accepted + timedelta(days=20)):
        extended = case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=10,
            applicant_consents=True,
            respondent_consents=True,
            note="双方书面同意延长",
        )
    # 2 April + 10 days is Saturday 12 April: the extended period ends on Monday 14 April.
    assert ends(extended.due_at) == date(2025, 4, 14)
    assert extended.due_at > original + timedelta(days=10)
    assert extended.next_check_at == extended.due_at - deadlines.REMIND_BEFORE
    event = case.timeline.get(action="extend")
    assert event.data["consent"] == ["applicant", "respondent"]
    assert event.data["days"] == 10

    # A second extension from a weekday deadline moves it by exactly the days agreed.
    with clock(accepted + timedelta(days=25)):
        again = case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=3,
            applicant_consents=True,
            respondent_consents=True,
        )
    assert ends(again.due_at) == date(2025, 4, 17)


def test_extension_of_a_closed_case_is_refused(cast: Any, world: Any) -> None:
    case = _accepted_court_case(cast, world, at(date(2025, 3, 3)))
    case_withdraw(actor=cast.mediator_east, case_id=case.pk, version=None, reason="和解")
    with pytest.raises(CaseRuleError, match="受理后、办结前"):
        case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=5,
            applicant_consents=True,
            respondent_consents=True,
        )


# --- Straddling National Day 2026 (Oct 1–7 off; Sun Sep 20 and Sat Oct 10 are workdays) ---------


def _accepted_case(cast: Any, world: Any, accepted_at: datetime) -> Case:
    """A people's-mediation case (one month) accepted by 东村's committee at ``accepted_at``."""
    with clock(accepted_at - timedelta(days=1)):
        case = assessed_case(cast=cast, world=world)
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted_at):
        case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
        return start_mediation(case, cast.mediator_east)


def test_a_suspension_over_national_day_2026_stops_every_clock(cast: Any, world: Any) -> None:
    # Given a case accepted Thu 10 Sep 2026: one month ends Sat 10 Oct, a 调休 working day
    m = cast.mediator_east
    case = _accepted_case(cast, world, at(date(2026, 9, 10)))
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    assert ends(mediation.due_at) == date(2026, 10, 10)
    # 20 working days from 10 Sep: Sep 11–30 has 14 (Sep 20 works, Sep 25 is 中秋), then Oct 8,
    # 9, 10 (the working Saturday), 12, 13, 14
    assert ends(feedback.due_at) == date(2026, 10, 14)
    before = {mediation.pk: mediation.due_at, feedback.pk: feedback.due_at}

    # When the mediator suspends it on Tue 29 Sep and resumes on Fri 9 Oct (10 days)
    suspended_at = at(date(2026, 9, 29), 15)
    with clock(suspended_at):
        case_suspend(actor=m, case_id=case.pk, version=None, reason="当事人外出务工")
    # the holiday passes with the clocks stopped: no sweep touches the case, not even after
    # the old deadlines
    for day in (date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 15)):
        result = sweep_due_items(now=at(day))
        assert (result.examined, result.reminded, result.supervised, result.reported) == (
            0,
            0,
            0,
            0,
        )
    resumed_at = at(date(2026, 10, 9), 15)
    with clock(resumed_at):
        case_resume(actor=m, case_id=case.pk, version=None)

    # Then the mediation period (one month) moved on by the ten suspended days, and the
    # feedback limit (working days) keeps the 7 working days it had left on 29 Sep, counted
    # from 9 Oct: Sat 10 Oct (调休), 12–16 and 19 Oct
    for item in DueItem.objects.filter(pk__in=before):
        assert item.paused_at is None
    assert ends(DueItem.objects.get(pk=mediation.pk).due_at) == date(2026, 10, 20)
    assert before[mediation.pk] + timedelta(days=10) == DueItem.objects.get(pk=mediation.pk).due_at
    assert ends(DueItem.objects.get(pk=feedback.pk).due_at) == date(2026, 10, 19)
    assert not TimelineEvent.objects.filter(case=case, action__in=["remind", "supervise"])


def test_an_extension_over_national_day_2026_ends_after_the_holiday(cast: Any, world: Any) -> None:
    # Given a case accepted Mon 31 Aug 2026: one month ends Wed 30 Sep
    case = _accepted_case(cast, world, at(date(2026, 8, 31)))
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(item.due_at) == date(2026, 9, 30)

    # When both parties agree on 28 Sep to 5 more days
    with clock(at(date(2026, 9, 28))):
        extended = case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=5,
            applicant_consents=True,
            respondent_consents=True,
            note="双方同意节后继续调解",
        )

    # Then 30 Sep + 5 days is Mon 5 Oct, inside the holiday: the period ends on the first
    # working day after it, Thu 8 Oct (民法典 art. 203)
    assert ends(extended.due_at) == date(2026, 10, 8)
    assert extended.next_check_at == extended.due_at - deadlines.REMIND_BEFORE
    # and the feedback limit, which fell before, follows it to the same day
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    assert ends(feedback.due_at) == date(2026, 10, 8)
    # a sweep during the holiday reminds once (three days before) for each of the two limits,
    # none on the old deadline
    assert sweep_due_items(now=at(date(2026, 10, 1))).reminded == 0
    assert sweep_due_items(now=at(date(2026, 10, 6))).reminded == 2
    assert sweep_due_items(now=at(date(2026, 10, 7))).reminded == 0


def test_the_system_admin_edits_the_limits_in_the_admin(cast: Any, client_for: Any) -> None:
    from fengqiao.audit.models import AuditEvent

    row = DeadlineLimit.objects.get(kind=DueKind.ACCEPT, level=4, grade=RiskGrade.MEDIUM)
    client = client_for(cast.system_admin)
    page = client.get("/admin/disputes/deadlinelimit/")
    assert page.status_code == 200
    assert "时限标准" in page.content.decode()

    response = client.post(
        f"/admin/disputes/deadlinelimit/{row.pk}/change/",
        {
            "kind": row.kind,
            "level": row.level,
            "grade": row.grade,
            "working_days": "4",
            "note": "乡镇中风险放宽",
        },
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.working_days == 4
    event = AuditEvent.objects.get(event_type="reference.changed")
    assert (event.before, event.after) == (
        {"working_days": 2, "note": ""},
        {"working_days": 4, "note": "乡镇中风险放宽"},
    )
    assert deadlines.limit_working_days(DueKind.ACCEPT, 4, RiskGrade.MEDIUM) == 4
    # Out of range is refused with a message, nothing saved
    response = client.post(
        f"/admin/disputes/deadlinelimit/{row.pk}/change/",
        {"kind": row.kind, "level": row.level, "grade": row.grade, "working_days": "0"},
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.working_days == 4
    # A mediator cannot reach it
    assert client_for(cast.mediator_east).get("/admin/disputes/deadlinelimit/").status_code in (
        302,
        403,
    )
