"""When the periodic reports are due: on the first working day of a week, month, quarter and
year, the report of the period just ended (seed 004 item 25: 周分析, 月研判, 季通报, 年考核; the
annual survey report of seed 000 with the year's).

"Working day" is the deadline engine's (``disputes.deadlines.is_workday``): the admin's
overrides, the imported State Council schedule, the ``chinese_calendar`` package — so the first
working day of 2026 is Sunday 4 January (元旦 1–3 January, 4 January a 调休 working day), never
a plain weekday test. For a year none of them knows the engine counts Monday to Friday; the
check then names the year (``provisional_years``) and every report it creates carries a note
saying its day was only presumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from fengqiao.disputes import deadlines
from fengqiao.reports.choices import ReportKind
from fengqiao.stats.periods import Period

# The period each scheduled kind covers, as the period holding a day.
KIND_PERIOD: dict[str, Callable[[date], Period]] = {
    ReportKind.WEEKLY: Period.week,
    ReportKind.MONTHLY: Period.month,
    ReportKind.QUARTERLY: Period.quarter,
    ReportKind.YEARLY: Period.year,
    ReportKind.ANNUAL_SURVEY: Period.year,
}
SCHEDULED_KINDS = tuple(KIND_PERIOD)


@dataclass(frozen=True)
class Due:
    kind: str
    period: Period


@dataclass(frozen=True)
class ScheduleCheck:
    today: date
    due: list[Due] = field(default_factory=list)
    # Years whose working days were presumed Monday to Friday (no schedule imported).
    provisional_years: list[int] = field(default_factory=list)

    @property
    def note(self) -> str:
        if not self.provisional_years:
            return ""
        return _(
            "未导入 %(years)s 年的节假日安排：本报表的生成日按周一至周五推定，"
            "可能早于或晚于实际的第一个工作日。"
        ) % {"years": "、".join(str(y) for y in self.provisional_years)}


def first_working_day(period: Period) -> date | None:
    """The first working day of ``period`` (None when it has none)."""
    day = period.start
    while day <= period.end:
        if deadlines.is_workday(day):
            return day
        day += timedelta(days=1)
    return None


def due_on(today: date, *, known_years: set[int] | None = None) -> ScheduleCheck:
    """The reports whose generation day has come by ``today``: for each kind, the period just
    before the one holding ``today``, once ``today`` is on or after that period's first working
    day. (On or after, not only on: a day the worker was down is caught up the next day; the
    report's row is unique, so a later day finds it made and adds nothing.)"""
    known = known_years if known_years is not None else deadlines.known_years()
    due: list[Due] = []
    provisional: set[int] = set()
    for kind, period_of in KIND_PERIOD.items():
        current = period_of(today)
        years = {current.start.year, today.year}
        provisional |= {y for y in years if y not in known}
        first = first_working_day(current)
        if first is not None and first <= today:
            due.append(Due(kind, current.previous()))
    return ScheduleCheck(today=today, due=due, provisional_years=sorted(provisional))


def period_for(kind: str, day: date) -> Period:
    """The period of a scheduled kind that holds ``day``."""
    return KIND_PERIOD[kind](day)


def latest(today: date) -> list[Due]:
    """For each kind, the period just ended by ``today`` (the week, month, quarter and year
    before the ones holding it), whether or not its first working day has come: what the
    demo county is given at once (``services.reports_generate_latest``)."""
    return [Due(kind, period_of(today).previous()) for kind, period_of in KIND_PERIOD.items()]
