"""Every read of the reports app, narrowed to the user's data scope (``accounts.access``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from fengqiao.accounts.access import restrict, scope_for
from fengqiao.core.paths import subtree_q
from fengqiao.regions.models import Region
from fengqiao.reports.models import Report, ReportFile
from fengqiao.reports.permissions import GENERATE_REPORT, VIEW_REPORT
from fengqiao.reports.services import REPORT_LEVELS


def report_list_for_user(
    user: Any, *, kind: str = "", region: Region | None = None, year: int | None = None
) -> QuerySet[Report]:
    """The reports ``user`` may see (their regions' and those below), newest period first,
    with their region, requester and files (three queries however many rows a page shows)."""
    reports = restrict(Report.objects.all(), user, VIEW_REPORT)
    if kind:
        reports = reports.filter(kind=kind)
    if region is not None:
        reports = reports.filter(region=region)
    if year is not None:
        reports = reports.filter(period_end__year=year)
    return (
        reports.select_related("region", "requested_by")
        .prefetch_related(Prefetch("files", queryset=ReportFile.objects.order_by("fmt")))
        .order_by("-period_end", "kind", "region__path", "pk")
    )


def report_get_for_user(user: Any, pk: int) -> Report:
    found = report_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def report_file_for_user(user: Any, pk: int, fmt: str) -> ReportFile:
    """A file of a report ``user`` may see (404 otherwise: another region's report is not
    told apart from one that does not exist)."""
    visible = restrict(Report.objects.all(), user, VIEW_REPORT)
    found = (
        ReportFile.objects.select_related("report__region")
        .filter(report__in=visible.values("pk"), report_id=pk, fmt=fmt)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _regions_under(user: Any, perm: str) -> QuerySet[Region]:
    scope = scope_for(user, perm)
    regions = Region.objects.filter(level__in=REPORT_LEVELS)
    if scope.is_empty:
        return regions.none()
    if not scope.everything:
        regions = regions.filter(subtree_q(scope.region_paths))
    return regions.order_by("path")


def regions_to_view(user: Any) -> QuerySet[Region]:
    """The counties and townships whose reports ``user`` may see (the page's region filter)."""
    return _regions_under(user, VIEW_REPORT)


def regions_to_generate(user: Any) -> QuerySet[Region]:
    """The counties and townships ``user`` may ask a report for (the on-demand form)."""
    return _regions_under(user, GENERATE_REPORT)
