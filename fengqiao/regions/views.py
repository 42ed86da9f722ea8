from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fengqiao.accounts.access import has_perm
from fengqiao.regions.selectors import (
    region_ancestors,
    region_for_filter,
    region_roots_for_user,
    regions_visible_to,
)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "regions.view_region"):
        raise PermissionDenied
    code = request.GET.get("code", "")
    region = region_for_filter(request.user, code)
    if code and region is None:
        raise Http404
    if region is None:
        children = region_roots_for_user(request.user)
        ancestors: list = []
    else:
        children = regions_visible_to(request.user).filter(parent=region).order_by("code")
        ancestors = list(region_ancestors(region))
    children = children.annotate(
        child_count=Count("children", distinct=True), org_count=Count("orgs", distinct=True)
    )
    return render(
        request,
        "regions/tree.html",
        {
            "region": region,
            "ancestors": ancestors,
            "children": children[:500],
        },
    )
