"""The generation day is the first WORKING day of the week, month, quarter and year, from the
holiday calendar: 2026 began with 元旦 1–3 January and a 调休 working Sunday on the 4th; the
week of 5 October 2026 began with three days of 国庆."""

from __future__ import annotations

from datetime import date

import pytest

from fengqiao.reports.choices import ReportKind
from fengqiao.reports.schedule import due_on, first_working_day
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.django_db


def _due(day: date) -> dict[str, tuple[date, date]]:
    return {d.kind: (d.period.start, d.period.end) for d in due_on(day).due}


def test_the_year_starts_on_the_working_sunday_after_new_year() -> None:
    assert first_working_day(Period.year(date(2026, 6, 1))) == date(2026, 1, 4)
    # Friday 2 January is a holiday: 2025's reports are not due yet.
    before = _due(date(2026, 1, 2))
    assert ReportKind.YEARLY not in before
    assert ReportKind.MONTHLY not in before
    # Sunday 4 January is the first working day: the year, quarter and month just ended.
    on = _due(date(2026, 1, 4))
    assert on[ReportKind.YEARLY] == (date(2025, 1, 1), date(2025, 12, 31))
    assert on[ReportKind.ANNUAL_SURVEY] == (date(2025, 1, 1), date(2025, 12, 31))
    assert on[ReportKind.QUARTERLY] == (date(2025, 10, 1), date(2025, 12, 31))
    assert on[ReportKind.MONTHLY] == (date(2025, 12, 1), date(2025, 12, 31))


def test_the_week_of_national_day_starts_on_thursday() -> None:
    week = Period.week(date(2026, 10, 7))
    assert first_working_day(week) == date(2026, 10, 8)
    assert ReportKind.WEEKLY not in _due(date(2026, 10, 7))
    assert _due(date(2026, 10, 8))[ReportKind.WEEKLY] == (date(2026, 9, 28), date(2026, 10, 4))


def test_a_year_without_a_holiday_schedule_is_named_not_silent() -> None:
    # Wednesday 2 January 2030: its week began on Monday 31 December 2029.
    check = due_on(date(2030, 1, 2), known_years={2025, 2026})
    assert check.provisional_years == [2029, 2030]
    assert "未导入 2029、2030 年的节假日安排" in check.note
    known = due_on(date(2026, 1, 5))
    assert known.provisional_years == []
    assert known.note == ""
