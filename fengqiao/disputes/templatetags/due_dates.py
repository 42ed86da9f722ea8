from __future__ import annotations

from datetime import datetime

from django import template

from fengqiao.disputes import deadlines

register = template.Library()


@register.filter
def provisional(due_at: datetime | None, known_years: set[int]) -> bool:
    """暂定: ``due_at`` falls in a year the holiday calendar does not know yet."""
    return due_at is not None and deadlines.is_provisional(due_at, known_years)
