"""The tabs of the court's queue page (/court/): each part of the court app appends its own
(referral: 待委派, 已委派/委托, 调解中, 已退回待立案; confirmation: 待司法确认), in the order they
are registered from ``CourtConfig.ready``.

A tab gives, for the courts a user acts for, a queryset (counted for the tab's badge and cut to
a page for its table: an indexed filter and order, no per-row query), a function that adds what
its rows show beside the queryset's columns (deadlines: one query for the page) and the
template of its table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class QueueTab:
    key: str
    label: Any
    queryset: Callable[[Sequence[int]], QuerySet[Any]]
    template: str
    decorate: Callable[[list[Any]], list[Any]] = list


_tabs: list[QueueTab] = []


def register_tab(tab: QueueTab) -> None:
    """Append a tab; a key already taken is replaced (a reload registers again)."""
    _tabs[:] = [t for t in _tabs if t.key != tab.key]
    _tabs.append(tab)


def queue_tabs() -> list[QueueTab]:
    return list(_tabs)
