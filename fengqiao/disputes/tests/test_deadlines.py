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

from fengqiao.disputes import deadlines, services
from fengqiao.disputes.choices import CaseStatus, DueKind, IntakeChannel, RiskGrade
from fengqiao.disputes.models import CalendarOverride, Case, DueItem
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, start_mediation

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


def test_acceptance_limit_in_working_days_by_grade(db: None) -> None:
    dispatched = at(date(2025, 9, 30))
    assert ends(deadlines.accept_deadline(RiskGrade.LOW, dispatched)) == date(2025, 10, 11)
    assert ends(deadlines.accept_deadline(RiskGrade.HIGH, dispatched)) == date(2025, 10, 9)


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
        case = services.case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted_at):
        return services.dispatch_accept(
            actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk
        )


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
        services.case_suspend(actor=m, case_id=case.pk, version=None, reason="等待伤情鉴定")
    item.refresh_from_db()
    assert (item.paused_at, item.next_check_at) == (suspended_at, None)
    # the clock does not run: a sweep long after the old deadline issues nothing
    result = sweep_due_items(now=original + timedelta(days=1))
    assert (result.examined, result.reminded, result.supervised) == (0, 0, 0)

    resumed_at = suspended_at + timedelta(days=9, hours=5)
    with clock(resumed_at):
        case = services.case_resume(actor=m, case_id=case.pk, version=None)

    # Then the deadline moved by exactly the suspended time and the clock runs again
    item.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    assert item.due_at == original + timedelta(days=9, hours=5)
    assert item.paused_at is None
    assert item.next_check_at == item.due_at - deadlines.REMIND_BEFORE


def test_extension_needs_both_consents_and_shifts_the_deadline(cast: Any, world: Any) -> None:
    accepted = at(date(2025, 3, 3))
    case = _accepted_court_case(cast, world, accepted)
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    original = item.due_at

    for applicant, respondent in ((True, False), (False, True), (False, False)):
        with pytest.raises(services.CaseRuleError, match="双方当事人同意"):
            services.case_extend(
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
        services.case_extend(
            actor=cast.dispatcher,
            case_id=case.pk,
            days=10,
            applicant_consents=True,
            respondent_consents=True,
        )

    with clock(accepted + timedelta(days=20)):
        extended = services.case_extend(
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
        again = services.case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=3,
            applicant_consents=True,
            respondent_consents=True,
        )
    assert ends(again.due_at) == date(2025, 4, 17)


def test_extension_of_a_closed_case_is_refused(cast: Any, world: Any) -> None:
    case = _accepted_court_case(cast, world, at(date(2025, 3, 3)))
    services.case_withdraw(actor=cast.mediator_east, case_id=case.pk, version=None, reason="和解")
    with pytest.raises(services.CaseRuleError, match="受理后、办结前"):
        services.case_extend(
            actor=cast.mediator_east,
            case_id=case.pk,
            days=5,
            applicant_consents=True,
            respondent_consents=True,
        )
