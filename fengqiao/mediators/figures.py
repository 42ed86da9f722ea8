"""The one place that asks ``stats`` for a mediator's figures (docs/measures.md has the
formulas): cases concluded, resolved, failed, agreements fully performed or defaulted,
follow-ups rated and satisfied, and the three rates (percentages to one place, None without a
denominator). This app never counts cases itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fengqiao.stats.measures import MediatorFigures, mediator_figures
from fengqiao.stats.periods import Period

__all__ = ["MediatorFigures", "Period", "figures_by_user", "month_period", "year_period"]


def year_period(year: int) -> Period:
    return Period.year(date(year, 1, 1))


def month_period(day: date) -> Period:
    return Period.month(day)


def figures_by_user(user_ids: Iterable[int | None], period: Period) -> dict[int, MediatorFigures]:
    """The figures of each user id over ``period`` (people without a login are left out: no
    case can be theirs)."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    if not ids:
        return {}
    return mediator_figures(ids, period)
