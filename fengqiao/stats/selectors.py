"""Which regions' figures a user may read. Statistics are scoped like cases: a grant with a
region scope reads its region's subtree, an all-scope grant everything; an org- or own-scoped
grant (a court clerk, a village mediator) reads no region's statistics here — their figures are
on their own pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from fengqiao.accounts.access import scope_for
from fengqiao.regions.models import Region
from fengqiao.stats.models import ExternalFigure
from fengqiao.stats.permissions import ADD_EXTERNALFIGURE, VIEW_STATISTICS


def stats_roots(user: Any) -> list[Region]:
    """The highest regions whose figures ``user`` may read, in tree order (none without the
    permission)."""
    scope = scope_for(user, VIEW_STATISTICS)
    if scope.everything:
        return list(Region.objects.filter(parent__isnull=True).order_by("path"))
    paths = sorted(scope.region_paths)
    # A path under another granted path adds nothing.
    kept = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Region.objects.filter(path__in=kept).order_by("path"))


def may_read(user: Any, region: Region) -> bool:
    scope = scope_for(user, VIEW_STATISTICS)
    return scope.everything or any(region.path.startswith(p) for p in scope.region_paths)


def region_for_user(user: Any, region_id: Any) -> Region:
    """The region ``region_id`` if ``user`` may read its figures, else PermissionDenied (the
    same answer for a region that does not exist: ids are not to be probed)."""
    try:
        pk = int(region_id)
    except (TypeError, ValueError):
        raise PermissionDenied(_("您无权查看该地区的统计数据。")) from None
    region = Region.objects.filter(pk=pk).first()
    if region is None or not may_read(user, region):
        raise PermissionDenied(_("您无权查看该地区的统计数据。"))
    return region


def external_figures_for_user(user: Any) -> Any:
    """The outside figures of the regions ``user`` reads statistics of or imports for, newest
    period first."""
    roots = stats_roots(user)
    scope = scope_for(user, ADD_EXTERNALFIGURE)
    figures = ExternalFigure.objects.select_related("region", "imported_by")
    if scope_for(user, VIEW_STATISTICS).everything or scope.everything:
        return figures.order_by("-period_start", "region__path", "indicator")
    paths = {r.path for r in roots} | set(scope.region_paths)
    if not paths:
        return figures.none()
    from fengqiao.regions.selectors import subtree_q

    return figures.filter(subtree_q(paths, field="region__path")).order_by(
        "-period_start", "region__path", "indicator"
    )
