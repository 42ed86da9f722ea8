from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm, require
from fengqiao.core.choices import DisputeCategory
from fengqiao.orgs import exports, reports
from fengqiao.orgs.choices import ROSTER_ROLES, MediatorGrade, PersonRole
from fengqiao.orgs.permissions import (
    EXPORT_REPORTS,
    MANAGE_ORGS,
    VIEW_ORGANIZATION,
    VIEW_PERSON,
    VIEW_PERSONAL_DATA,
    VIEW_REPORTS,
)
from fengqiao.orgs.selectors import (
    can_manage_region,
    manageable_orgs,
    org_detail_for_user,
    org_kinds,
    org_list_for_user,
    person_detail_for_user,
    person_is_manageable,
    person_personal_data_for_user,
    roster_for_user,
    roster_rows,
)
from fengqiao.regions.selectors import region_for_filter

PAGE_SIZE = 30


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_ORGANIZATION)
    region = region_for_filter(request.user, request.GET.get("region", ""))
    qs = org_list_for_user(
        request.user,
        kind=request.GET.get("kind", ""),
        region=region,
        query=request.GET.get("q", ""),
        with_member_count=True,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/org_list.html",
        {
            "page_obj": page,
            "kinds": org_kinds(),
            "region": region,
            "filters": request.GET,
            "can_manage": has_perm(request.user, MANAGE_ORGS),
        },
    )


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_ORGANIZATION)
    detail = org_detail_for_user(request.user, pk)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "detail": detail,
            "org": detail.org,
            "can_view_people": has_perm(request.user, VIEW_PERSON),
            "can_manage": can_manage_region(request.user, detail.org.region),
        },
    )


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_PERSON)
    region = region_for_filter(request.user, request.GET.get("region", ""))
    role = request.GET.get("role", "")
    if role not in ROSTER_ROLES:
        role = ""
    qs = roster_for_user(
        request.user,
        role=role,
        specialty=request.GET.get("specialty", ""),
        grade=request.GET.get("grade", ""),
        region=region,
        query=request.GET.get("q", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/roster.html",
        {
            "page_obj": page,
            "rows": roster_rows(page.object_list),
            "filters": request.GET,
            "region": region,
            "roles": [(r.value, r.label) for r in PersonRole if r in ROSTER_ROLES],
            "categories": DisputeCategory.choices,
            "grades": MediatorGrade.choices,
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_PERSON)
    detail = person_detail_for_user(request.user, pk)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "detail": detail,
            "person": detail.person,
            "can_reveal": has_perm(request.user, VIEW_PERSONAL_DATA),
            "can_manage": has_perm(request.user, MANAGE_ORGS)
            and person_is_manageable(request.user, detail.person),
            "manageable_org_ids": set(manageable_orgs(request.user).values_list("pk", flat=True))
            if has_perm(request.user, MANAGE_ORGS)
            else set(),
        },
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number and phone once; the selector audits that they were seen."""
    require(request.user, VIEW_PERSON)
    require(request.user, VIEW_PERSONAL_DATA)
    person = person_personal_data_for_user(request.user, pk)
    return render(request, "orgs/_person_revealed.html", {"person": person})


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def report(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_REPORTS)
    wants_export = request.GET.get("format") == "xlsx"
    if wants_export:
        require(request.user, EXPORT_REPORTS)
    result = reports.report_for_user(
        request.user,
        kind=request.GET.get("report", ""),
        year=_year(request.GET.get("year", "")),
        only_short=request.GET.get("short") == "1",
    )
    if wants_export:
        exported = exports.report_export(actor=request.user, report=result)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
    years = sorted({*reports.training_years(), timezone.localdate().year}, reverse=True)
    return render(
        request,
        "orgs/report.html",
        {
            "report": result,
            "kind": result.kind,
            "reports": reports.REPORTS,
            "rows": result.rows,
            "only_short": result.only_short,
            "year": result.year,
            "years": years,
            "can_export": has_perm(request.user, EXPORT_REPORTS),
        },
    )
