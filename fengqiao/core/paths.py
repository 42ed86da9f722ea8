"""Materialized paths: each level's code padded to a fixed width and concatenated from the root
down, so the path is digits only and a subtree is one contiguous range under any collation.

The region tree stores such a path (``Region.path``) and so does every row that copies it for
scoping (``Case.region_path``); the data-scope helper of ``accounts`` filters by these ranges.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

PATH_SEGMENT = 15  # the width each level's code is padded to
PATH_DEPTH = 7  # levels a path may hold (province down to grid, with room to spare)


def subtree_upper_bound(path: str) -> str:
    """The largest path under ``path``: the subtree is ``[path, subtree_upper_bound(path)]``."""
    return path + "9" * (PATH_SEGMENT * PATH_DEPTH - len(path))


def outermost(paths: Iterable[str]) -> list[str]:
    """The paths not under another of ``paths``, sorted."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    """A filter matching every row whose ``field`` (a path) lies under one of ``paths``: one
    index range per outermost path."""
    q = Q(pk__in=[])
    for path in outermost(paths):
        q |= Q(**{f"{field}__gte": path, f"{field}__lte": subtree_upper_bound(path)})
    return q
