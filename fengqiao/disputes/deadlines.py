"""The deadline engine: calendar and working days with Chinese statutory holidays and 调休
working weekends, and the limits that apply per channel and step. docs/deadlines.md gives each
rule with its source.

A day's working status comes from, in order: a ``CalendarOverride`` row (the admin's hand-set
day), the year's imported ``HolidaySchedule`` (the State Council's notice), the
``chinese_calendar`` package, and for a year none of them knows, Monday to Friday — a deadline
that falls in such a year is provisional (暂定, ``is_provisional``) until its schedule arrives.

- people's mediation: settle within one month (人民调解工作若干规定 art. 33), counted as 民法典
  art. 202 says (the same day of the next month, or its last day);
- court 委派 (pre-filing): 30 days from acceptance, extendable with both parties' consent
  (seed 002 §四(六));
- court 委托 (post-filing): 15 days under ordinary procedure, 7 under simplified;
- a period whose last day is a day off ends on the next working day (民法典 art. 203);
- acceptance of a dispatched case (受理时限) and feedback to the dispatching platform (反馈时限):
  working days per handling level and risk grade, edited in the admin (``DeadlineLimit``), with
  the defaults below for any level and grade without a row.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.disputes.choices import (
    DueKind,
    PeriodUnit,
    RiskGrade,
)

# The limits are rows the admin edits (``models.DeadlineLimit``); migration 0007 loaded these
# defaults. A level and grade whose row was deleted uses the default here, and the 交办 form
# warns the dispatcher (``missing_limits``); nothing is re-created.
# Default working days to accept a dispatched case, by risk grade (every level).
ACCEPT_WORKING_DAYS: dict[str, int] = {
    RiskGrade.LOW: 3,
    RiskGrade.MEDIUM: 2,
    RiskGrade.HIGH: 1,
    RiskGrade.MAJOR: 1,
}
# Default working days from acceptance until a dispatched case is reported on to the platform
# that sent it (反馈时限, seed 004 §26: 在规定时限内办结的，及时反馈；未办结的，及时报告).
FEEDBACK_WORKING_DAYS: dict[str, int] = {
    RiskGrade.LOW: 20,
    RiskGrade.MEDIUM: 15,
    RiskGrade.HIGH: 10,
    RiskGrade.MAJOR: 5,
}
# Default working days for a 人民法庭, 派出所 or 司法所 to answer a mediator's 业务指导 request
# (seed 000 §三(二): 调解组织 … 可及时向人民法庭、派出所和司法所咨询), from the question; a
# dangerous case's question is answered sooner.
GUIDANCE_WORKING_DAYS: dict[str, int] = {
    RiskGrade.LOW: 3,
    RiskGrade.MEDIUM: 3,
    RiskGrade.HIGH: 2,
    RiskGrade.MAJOR: 1,
}
LIMIT_DEFAULTS: dict[str, dict[str, int]] = {
    DueKind.ACCEPT: ACCEPT_WORKING_DAYS,
    DueKind.FEEDBACK: FEEDBACK_WORKING_DAYS,
    DueKind.GUIDANCE: GUIDANCE_WORKING_DAYS,
}
# The limits a 交办 counts (the 交办 form warns of a missing row of these).
DISPATCH_LIMIT_KINDS = (DueKind.ACCEPT, DueKind.FEEDBACK)
# The region levels a case is handled at (``choices.HandlingLevel``): 村（社区）, 乡镇, 区县.
VILLAGE, TOWNSHIP, COUNTY = 5, 4, 3
# A reminder (催办) goes out this long before a deadline.
REMIND_BEFORE = timedelta(days=3)
REMIND_BEFORE_SHORT = timedelta(hours=12)


def _package_years() -> range:
    """The years the ``chinese_calendar`` package has the notices of."""
    known = chinese_calendar.constants.holidays
    return range(min(known).year, max(known).year + 1)


PACKAGE_YEARS = _package_years()


class _Calendar:
    """The days set apart from Monday–Friday between two dates, read in two queries: the
    admin's ``CalendarOverride`` rows and the imported ``HolidaySchedule`` of each year."""

    def __init__(self, first: date, last: date) -> None:
        from fengqiao.disputes.models import CalendarOverride, HolidaySchedule

        self.scheduled_years: set[int] = set()
        self.days: dict[date, bool] = {}
        rows = HolidaySchedule.objects.filter(year__range=(first.year, last.year))
        for year, holidays, workdays in rows.values_list("year", "holidays", "workdays"):
            self.scheduled_years.add(year)
            self.days.update(_schedule_days(holidays, workdays))
        overrides = CalendarOverride.objects.filter(day__range=(first, last))
        self.days.update(
            (day, bool(value)) for day, value in overrides.values_list("day", "is_workday")
        )

    def is_workday(self, day: date) -> bool:
        if day in self.days:
            return self.days[day]
        if day.year in self.scheduled_years or day.year not in PACKAGE_YEARS:
            # The notice lists every day off and every working weekend; a year nobody knows
            # is counted Monday to Friday and its deadlines shown as 暂定.
            return day.weekday() < 5
        return bool(chinese_calendar.is_workday(day))


def _schedule_days(
    holidays: list[dict[str, str]], workdays: list[dict[str, str]]
) -> dict[date, bool]:
    """A stored schedule's days off and 调休 working days (validated when it was imported)."""
    days: dict[date, bool] = {}
    for holiday in holidays:
        day, end = date.fromisoformat(holiday["start"]), date.fromisoformat(holiday["end"])
        while day <= end:
            days[day] = False
            day += timedelta(days=1)
    for row in workdays:
        days[date.fromisoformat(row["date"])] = True
    return days


def is_workday(day: date) -> bool:
    return _Calendar(day, day).is_workday(day)


def known_years() -> set[int]:
    """The years whose working days are known: an imported schedule or the package's data."""
    from fengqiao.disputes.models import HolidaySchedule

    return set(PACKAGE_YEARS) | set(HolidaySchedule.objects.values_list("year", flat=True))


def is_provisional(due_at: datetime, known: set[int] | None = None) -> bool:
    """暂定: the deadline falls in a year with neither a schedule nor the package's data, so it
    was counted Monday to Friday and may move when the year's notice is imported."""
    return timezone.localtime(due_at).year not in (known if known is not None else known_years())


# From this day of the year on, next year's schedule is expected (the State Council publishes
# it in the autumn; chinese_calendar follows weeks later).
WARN_FROM = (11, 1)


def missing_years(today: date | None = None, known: set[int] | None = None) -> list[int]:
    """The years the calendar should know by ``today`` and does not: this year always, next
    year from 1 November."""
    today = today or timezone.localdate()
    known = known if known is not None else known_years()
    wanted = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        wanted.append(today.year + 1)
    return [year for year in wanted if year not in known]


def calendar_warning(today: date | None = None) -> str:
    """The administrators' banner when a year the calendar should know is missing, else ""."""
    missing = missing_years(today)
    if not missing:
        return ""
    return _(
        "尚未导入 %(years)s 年的节假日安排：落在这些年份的期限按周一至周五计算，标为“暂定”。"
        "国务院办公厅通知发布后，请在 基础数据 → 节假日安排 导入。"
    ) % {"years": "、".join(str(year) for year in missing)}


# Days of the calendar read at a time when walking forward: a month covers every holiday run
# (the longest, 春节 and 国庆, are 8-9 days off), so a deadline usually costs two queries.
_WINDOW = timedelta(days=31)


def _days_from(day: date) -> Iterator[tuple[date, bool]]:
    """``day`` and every day after it, each with whether it is a working day; the calendar
    is read a window at a time as the walk reaches it, not a query per day."""
    loaded_to = day + _WINDOW
    days = _Calendar(day, loaded_to)
    while True:
        if day > loaded_to:
            loaded_to = day + _WINDOW
            days = _Calendar(day, loaded_to)
        yield day, days.is_workday(day)
        day += timedelta(days=1)


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start``'s day."""
    first = timezone.localtime(start).date() + timedelta(days=1)
    if days <= 0:
        return end_of_day(first - timedelta(days=1))
    counted = 0
    for day, working in _days_from(first):
        counted += working
        if counted == days:
            return end_of_day(day)
    raise AssertionError("unreachable: the walk over the days does not end")  # pragma: no cover


def add_calendar_days(start: datetime, days: int) -> datetime:
    return end_of_day(timezone.localtime(start).date() + timedelta(days=days))


def add_months(start: datetime, months: int) -> datetime:
    """One month later on the same day (the last day of a shorter month), at the end of it."""
    local = timezone.localtime(start).date()
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return end_of_day(date(year, month, day))


def next_working_day_if_off(moment: datetime) -> datetime:
    """A period ending on a day off ends at the end of the next working day instead
    (民法典 art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日)."""
    start = timezone.localtime(moment).date()
    for day, working in _days_from(start):
        if working:
            return moment if day == start else end_of_day(day)
    raise AssertionError("unreachable: the walk over the days does not end")  # pragma: no cover


@dataclass(frozen=True)
class Period:
    """A period as the law or the platform's standard states it: so many working days, days or
    months. A deadline keeps its period and its start (``DueItem``), so it can be counted again
    when the calendar changes (``due_at_of``)."""

    unit: str
    amount: int


def period_end(start: datetime, period: Period) -> datetime:
    """The end of ``period`` from ``start`` (the start day not counted, 民法典 art. 201); a
    period of days or months ending on a day off ends on the next working day (art. 203)."""
    if period.unit == PeriodUnit.WORKING_DAYS:
        return add_working_days(start, period.amount)
    if period.unit == PeriodUnit.MONTHS:
        return next_working_day_if_off(add_months(start, period.amount))
    return next_working_day_if_off(add_calendar_days(start, period.amount))


def due_at_of(item: Any) -> datetime | None:
    """A ``DueItem``'s deadline counted again from its start on today's calendar: the period's
    end, then each move in the order it happened, each ending off a day off (民法典 art. 203):

    - an extension adds its days;
    - a suspension adds the time suspended; on a period of working days it leaves the working
      days still to run when it began to run again from the resumption (a suspension over a
      holiday does not cost the days the holiday would not have counted).

    ``None`` for an item that does not record its period."""
    if item.started_at is None or not item.period_unit or item.period_amount is None:
        return None
    due = period_end(item.started_at, Period(item.period_unit, item.period_amount))
    for move in item.moves or []:
        by = timedelta(seconds=move.get("suspended", 0), days=move.get("extended", 0))
        if item.period_unit == PeriodUnit.WORKING_DAYS and move.get("from"):
            paused = datetime.fromisoformat(move["from"])
            due = add_working_days(paused + by, working_days_between(paused, due))
        else:
            due = next_working_day_if_off(due + by)
    return due


def working_days_between(after: datetime, until: datetime) -> int:
    """The working days after ``after``'s local day, up to and including ``until``'s."""
    last = timezone.localtime(until).date()
    counted = 0
    for day, working in _days_from(timezone.localtime(after).date() + timedelta(days=1)):
        if day > last:
            return counted
        counted += working
    raise AssertionError("unreachable: the walk over the days does not end")  # pragma: no cover


def next_check_of(item: Any, now: datetime) -> datetime | None:
    """When the sweep should next look at an open item whose deadline was set anew: never
    while paused or after its 督办 / report; at the deadline once reminded (each is issued at
    most once); else as for a new deadline."""
    if item.paused_at is not None or item.supervised_at or item.reported_at:
        return None
    if item.reminded_at is not None or not reminds(item.clock):
        return item.due_at
    return first_check(item.due_at, now)


def reminds(clock: str) -> bool:
    """Whether a reminder (催办) goes out before a deadline of ``clock`` (``clocks.py``)."""
    from fengqiao.disputes.clocks import clock_of

    found = clock_of(clock) if clock else None
    return found is None or found.remind


def mediation_period(channel: str, procedure: str = "", category: str = "") -> Period:
    """The mediation period (the table in ``clocks.py``)."""
    from fengqiao.disputes.clocks import mediation_clock

    return mediation_clock(channel, procedure, category).period


def mediation_days(channel: str, procedure: str = "") -> int | None:
    """The mediation period in days for a court case, or ``None`` for one month."""
    period = mediation_period(channel, procedure)
    return period.amount if period.unit == PeriodUnit.DAYS else None


def mediation_deadline(
    channel: str, accepted_at: datetime, procedure: str = "", category: str = ""
) -> datetime:
    """The day the mediation period ends; the day of acceptance is not counted (民法典 art. 201)."""
    return period_end(accepted_at, mediation_period(channel, procedure, category))


def handling_level(region_level: int) -> int:
    """The handling level of an org at ``region_level``: grids count as villages, anything above
    a county as the county."""
    return max(COUNTY, min(VILLAGE, region_level))


def limit_working_days(kind: str, level: int, grade: str) -> int:
    """The admin's limit (``DeadlineLimit``) for a handling level and grade, else the default."""
    from fengqiao.disputes.models import DeadlineLimit

    days = (
        DeadlineLimit.objects.filter(kind=kind, level=handling_level(level), grade=grade)
        .values_list("working_days", flat=True)
        .first()
    )
    return days or LIMIT_DEFAULTS[kind].get(grade, max(LIMIT_DEFAULTS[kind].values()))


def missing_limits(grade: str) -> list[tuple[str, int]]:
    """The (kind, handling level) pairs without a ``DeadlineLimit`` row for ``grade``."""
    from fengqiao.disputes.models import DeadlineLimit

    present = set(DeadlineLimit.objects.filter(grade=grade).values_list("kind", "level"))
    return [
        (kind, level)
        for kind in DISPATCH_LIMIT_KINDS
        for level in (VILLAGE, TOWNSHIP, COUNTY)
        if (kind, level) not in present
    ]


def limit_table() -> dict[tuple[str, int, str], int]:
    """Every limit at once (for bulk generators): the admin's rows over the defaults."""
    from fengqiao.disputes.models import DeadlineLimit

    table = {
        (kind, level, grade): days
        for kind, by_grade in LIMIT_DEFAULTS.items()
        for level in (VILLAGE, TOWNSHIP, COUNTY)
        for grade, days in by_grade.items()
    }
    for kind, level, grade, days in DeadlineLimit.objects.values_list(
        "kind", "level", "grade", "working_days"
    ):
        table[(kind, level, grade)] = days
    return table


def limit_period(kind: str, grade: str, *, level: int = VILLAGE) -> Period:
    """The acceptance or feedback limit of an org at region ``level`` for a case of ``grade``."""
    return Period(PeriodUnit.WORKING_DAYS, limit_working_days(kind, level, grade))


def accept_deadline(grade: str, dispatched_at: datetime, *, level: int = VILLAGE) -> datetime:
    """By when an org at region ``level`` must accept a case of ``grade`` dispatched to it."""
    return period_end(dispatched_at, limit_period(DueKind.ACCEPT, grade, level=level))


def feedback_deadline(grade: str, accepted_at: datetime, *, level: int = VILLAGE) -> datetime:
    """When the org that accepted a dispatched case owes the dispatching platform its result."""
    return period_end(accepted_at, limit_period(DueKind.FEEDBACK, grade, level=level))


def first_check(due_at: datetime, start: datetime) -> datetime:
    """When the sweep first looks: a reminder before the deadline, or the deadline itself.

    Three days ahead for long limits, twelve hours ahead for limits of up to six days; a limit
    shorter than a day gets its reminder halfway, never at the moment it is set (the order's
    own notification has just told the org). A deadline already past is checked at once.
    """
    if due_at <= start:
        return start
    remaining = due_at - start
    lead = REMIND_BEFORE if remaining > 2 * REMIND_BEFORE else REMIND_BEFORE_SHORT
    return max(due_at - lead, start + remaining / 2)
