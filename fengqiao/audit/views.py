from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm
from fengqiao.audit.choices import EventType
from fengqiao.audit.selectors import VIEW_AUDIT, audit_events_for_user, chain_head
from fengqiao.audit.services import audit_verify


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, VIEW_AUDIT):
        raise PermissionDenied
    g = request.GET
    qs = audit_events_for_user(
        request.user,
        event_type=g.get("type", ""),
        actor=g.get("actor", ""),
        object_query=g.get("object", ""),
        since=_date(g.get("since", "")),
        until=_date(g.get("until", "")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {
            "page_obj": page,
            "filters": g,
            "types": EventType.choices,
            "head": chain_head(),
            "labels": dict(EventType.choices),
        },
    )


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, VIEW_AUDIT):
        raise PermissionDenied
    return render(request, "audit/_verify_result.html", {"result": audit_verify()})
