from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fengqiao.accounts.access import require
from fengqiao.regions.models import Region
from fengqiao.regions.permissions import VIEW_REGION
from fengqiao.regions.selectors import (
    region_ancestors,
    region_for_filter,
    region_roots_for_user,
    regions_visible_to,
)

MAX_CHILDREN = 500


def _count(queryset: QuerySet, field: str, counted: str = "pk") -> Coalesce:
    """A correlated count per row: two joins in one GROUP BY would multiply each other."""
    rows = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count(counted))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_REGION)
    code = request.GET.get("code", "")
    region = region_for_filter(request.user, code)
    if code and region is None:
        raise Http404
    if region is None:
        children = region_roots_for_user(request.user)
        ancestors: list[Region] = []
    else:
        children = regions_visible_to(request.user).filter(parent=region).order_by("code")
        ancestors = list(region_ancestors(region))
    children = children.annotate(
        child_count=_count(Region.objects.all(), "parent"),
        # Through the reverse relation of Organization.region: orgs sits above regions.
        org_count=_count(Region.objects.all(), "pk", counted="orgs"),
    )
    return render(
        request,
        "regions/tree.html",
        {"region": region, "ancestors": ancestors, "children": children[:MAX_CHILDREN]},
    )
