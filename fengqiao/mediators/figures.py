"""The one place that asks ``stats`` for a mediator's figures (docs/measures.md has the
formulas): cases concluded, resolved, failed, agreements fully performed, follow-ups rated and
satisfied, and the three rates. This app never counts cases itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


def year_period(year: int) -> Any:
    from fengqiao.stats.periods import Period

    return Period.year(date(year, 1, 1))


def month_period(day: date) -> Any:
    from fengqiao.stats.periods import Period

    return Period.month(day)


def figures_by_user(user_ids: Iterable[int | None], period: Any) -> dict[int, Any]:
    """The figures of each user id over ``period`` (ids of people without a login are left
    out: no case can be theirs)."""
    from fengqiao.stats.measures import mediator_figures

    ids = sorted({pk for pk in user_ids if pk is not None})
    if not ids:
        return {}
    return dict(mediator_figures(ids, period))
