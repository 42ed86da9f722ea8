"""Reads of the region tree. Subtree tests are range scans on the indexed ``path``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from fengqiao.core.paths import outermost, subtree_q
from fengqiao.regions.models import Region
from fengqiao.regions.permissions import VIEW_REGION


def region_descendants(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(subtree_q([region.path]))
    if not include_self:
        qs = qs.exclude(pk=region.pk)
    return qs


def region_ancestors(region: Region, *, include_self: bool = False) -> QuerySet[Region]:
    paths = region.ancestor_paths()
    if include_self:
        paths.append(region.path)
    return Region.objects.filter(path__in=paths).order_by("path")


def region_children(region: Region | None) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def region_in_paths(region: Region, paths: Iterable[str]) -> bool:
    return any(region.path.startswith(p) for p in paths)


def regions_visible_to(user: Any) -> QuerySet[Region]:
    from fengqiao.accounts.access import restrict

    return restrict(Region.objects.all(), user, VIEW_REGION)


def region_for_filter(user: Any, code: str) -> Region | None:
    """The region a list is filtered to, if the user may see it; otherwise no filter."""
    if not code:
        return None
    return regions_visible_to(user).filter(code=code).first()


def region_roots_for_user(user: Any) -> QuerySet[Region]:
    """The roots of a user's scope: every visible region whose parent is not visible (a user
    with grants in two townships starts from both)."""
    from fengqiao.accounts.access import scope_for

    scope = scope_for(user, VIEW_REGION)
    if scope.everything:
        return Region.objects.filter(parent__isnull=True).order_by("code")
    return Region.objects.filter(path__in=outermost(scope.region_paths)).order_by("code")
