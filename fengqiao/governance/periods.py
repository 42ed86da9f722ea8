"""The period a cadence requires one meeting in, around a day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from fengqiao.governance.choices import Cadence


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
