"""The period a cadence requires one meeting (or one 排查 report) in, around a day, and when a
排查 report for a period is due."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from fengqiao.disputes import deadlines
from fengqiao.governance.choices import Cadence, ScreeningCadence


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str


def period_of(cadence: str, day: date) -> Period | None:
    """The quarter, month or half-month (1st–15th, 16th–end) that holds ``day``; None for an
    ad hoc type (nothing is required of it)."""
    last = calendar.monthrange(day.year, day.month)[1]
    if cadence == Cadence.QUARTERLY:
        q = (day.month - 1) // 3
        start = date(day.year, 3 * q + 1, 1)
        end_month = 3 * q + 3
        end = date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
        return Period(start, end, f"{day.year}年第{q + 1}季度")
    if cadence == Cadence.MONTHLY:
        return Period(
            date(day.year, day.month, 1),
            date(day.year, day.month, last),
            f"{day.year}年{day.month}月",
        )
    if cadence == Cadence.HALF_MONTHLY:
        if day.day <= 15:
            return Period(
                date(day.year, day.month, 1),
                date(day.year, day.month, 15),
                f"{day.year}年{day.month}月上半月",
            )
        return Period(
            date(day.year, day.month, 16),
            date(day.year, day.month, last),
            f"{day.year}年{day.month}月下半月",
        )
    return None


# --- 排查 periods ------------------------------------------------------------------------------

# A report is due at noon of the first working day after its period (docs/governance.md).
SCREENING_DUE_TIME = time(12, 0)


def screening_period(cadence: str, day: date) -> Period:
    """The day, week (Monday–Sunday), half-month (1st–15th, 16th–end) or month holding ``day``."""
    if cadence == ScreeningCadence.DAILY:
        return Period(day, day, f"{day.month}月{day.day}日")
    if cadence == ScreeningCadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        year, week, _weekday = start.isocalendar()
        return Period(
            start, end, f"{year}年第{week}周（{start.month}.{start.day}–{end.month}.{end.day}）"
        )
    found = period_of(
        Cadence.HALF_MONTHLY if cadence == ScreeningCadence.SEMI_MONTHLY else Cadence.MONTHLY, day
    )
    if found is None:  # pragma: no cover - both cadences always have a period
        raise ValueError(cadence)
    return found


def screening_periods(cadence: str, day: date, count: int) -> list[Period]:
    """The period holding ``day`` and the ``count - 1`` before it, newest first."""
    periods = [screening_period(cadence, day)]
    while len(periods) < count:
        periods.append(screening_period(cadence, periods[-1].start - timedelta(days=1)))
    return periods


def screening_due_times(periods: Iterable[Period]) -> dict[date, datetime]:
    """Each period's due time (keyed by its end): noon of the first working day after it, on
    the platform's holiday calendar (``disputes.deadlines``: 调休 and admin overrides). One
    read of the calendar for all of them."""
    periods = list(periods)
    if not periods:
        return {}
    first = min(p.end for p in periods) + timedelta(days=1)
    last = max(p.end for p in periods) + timedelta(days=40)
    days = deadlines._Calendar(first, last)
    due: dict[date, datetime] = {}
    for period in periods:
        day = period.end + timedelta(days=1)
        while not days.is_workday(day) and day < last:
            day += timedelta(days=1)
        due[period.end] = timezone.make_aware(datetime.combine(day, SCREENING_DUE_TIME))
    return due


def screening_due_at(period: Period) -> datetime:
    return screening_due_times([period])[period.end]


def latest_due_period(cadence: str, now: datetime) -> tuple[Period, datetime] | None:
    """The latest period whose report has come due by ``now`` (with its due time): the
    period before today's, or the one before that while its due noon has not come yet."""
    return latest_due_periods([cadence], now)[cadence]


def latest_due_periods(
    cadences: Iterable[str], now: datetime
) -> dict[str, tuple[Period, datetime] | None]:
    """``latest_due_period`` of each cadence, reading the calendar once for all of them."""
    today = timezone.localtime(now).date()
    # A due time lies at most ~10 days after its period (the longest holiday run).
    candidates = {
        cadence: screening_periods(cadence, today, 16 if cadence == ScreeningCadence.DAILY else 3)
        for cadence in set(cadences)
    }
    due = screening_due_times(p for periods in candidates.values() for p in periods)
    return {
        cadence: next(((p, due[p.end]) for p in periods if due[p.end] <= now), None)
        for cadence, periods in candidates.items()
    }


def recently_due_periods(
    cadence: str, now: datetime, window: timedelta
) -> list[tuple[Period, datetime]]:
    """The periods whose report came due in ``(now - window, now]``, with their due times
    (after a weekend, Friday's, Saturday's and Sunday's daily reports all come due on
    Monday at noon)."""
    today = timezone.localtime(now).date()
    candidates = screening_periods(cadence, today, 16 if cadence == ScreeningCadence.DAILY else 3)
    due = screening_due_times(candidates)
    return [(p, due[p.end]) for p in reversed(candidates) if now - window < due[p.end] <= now]
