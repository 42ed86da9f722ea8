from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import has_perm
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory
from fengqiao.orgs import exports, reports
from fengqiao.orgs.choices import MediatorGrade, PersonRole
from fengqiao.orgs.selectors import (
    MEDIATOR_ROLES,
    VIEW_ORG,
    VIEW_PERSON,
    org_get_for_user,
    org_kinds,
    org_list_for_user,
    org_members,
    person_get_for_user,
    roster_for_user,
)
from fengqiao.regions.selectors import region_for_filter

PAGE_SIZE = 30


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_ORG)
    region = region_for_filter(request.user, request.GET.get("region", ""))
    qs = org_list_for_user(
        request.user,
        kind=request.GET.get("kind", ""),
        region=region,
        query=request.GET.get("q", ""),
    )
    qs = qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
    ).order_by("region__path", "kind__sort_order", "name")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/org_list.html",
        {
            "page_obj": page,
            "kinds": org_kinds(),
            "region": region,
            "filters": request.GET,
        },
    )


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, VIEW_ORG)
    org = org_get_for_user(request.user, pk)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "members": org_members(org),
            "categories": org.categories.all(),
            "paired": org.paired_orgs.select_related("kind"),
            "can_view_people": has_perm(request.user, VIEW_PERSON),
        },
    )


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERSON)
    region = region_for_filter(request.user, request.GET.get("region", ""))
    role = request.GET.get("role", "")
    if role and role not in MEDIATOR_ROLES:
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
            "filters": request.GET,
            "region": region,
            "roles": [(r.value, r.label) for r in PersonRole if r in MEDIATOR_ROLES],
            "categories": DisputeCategory.choices,
            "grades": MediatorGrade.choices,
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, VIEW_PERSON)
    person = person_get_for_user(request.user, pk)
    profile = getattr(person, "mediator_profile", None)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "profile": profile,
            "specialties": profile.specialties.all() if profile else [],
            "grids": profile.grids.all() if profile else [],
            "memberships": person.memberships.select_related("org", "org__kind").order_by(
                "ended_on", "-started_on"
            ),
            "trainings": person.trainings.select_related("organizer")[:50],
            "recusals": person.recusals.all(),
            "can_reveal": has_perm(request.user, "orgs.view_personal_data"),
        },
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number and phone once, and audit that they were seen."""
    _require(request, "orgs.view_personal_data")
    person = person_get_for_user(request.user, pk)
    audit_record(actor=request.user, event_type=EventType.PERSONAL_DATA_VIEWED, obj=person)
    return render(request, "orgs/_person_revealed.html", {"person": person})


REPORTS = {
    "composition": _("调委会组成"),
    "staffing": _("专职调解员配备"),
    "training": _("年度实训"),
}


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _require(request, reports.VIEW_REPORTS)
    kind = request.GET.get("report", "composition")
    if kind not in REPORTS:
        kind = "composition"
    only_short = request.GET.get("short") == "1"
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if kind == "composition":
        rows: list = reports.committee_composition(request.user, only_short=only_short)
    elif kind == "staffing":
        rows = reports.full_time_staffing(request.user, only_short=only_short)
    else:
        rows = reports.mediator_training(request.user, year=year, only_short=only_short)
    if request.GET.get("format") == "xlsx":
        return _export(request, kind, rows, year)
    years = sorted({*reports.training_years(), timezone.localdate().year}, reverse=True)
    return render(
        request,
        "orgs/report.html",
        {
            "kind": kind,
            "reports": REPORTS,
            "rows": rows,
            "only_short": only_short,
            "year": year,
            "years": years,
            "can_export": has_perm(request.user, "orgs.export_reports"),
        },
    )


def _export(request: HttpRequest, kind: str, rows: list, year: int) -> HttpResponse:
    _require(request, "orgs.export_reports")
    now = timezone.localtime()
    watermark = _("导出人：%(user)s　导出时间：%(time)s　仅限工作使用") % {
        "user": request.user,
        "time": now.strftime("%Y-%m-%d %H:%M"),
    }
    if kind == "composition":
        content = exports.composition_xlsx(rows, watermark)
    elif kind == "staffing":
        content = exports.staffing_xlsx(rows, watermark)
    else:
        content = exports.training_xlsx(rows, year, watermark)
    audit_record(
        actor=request.user,
        event_type=EventType.DATA_EXPORTED,
        object_type="orgs.report",
        object_id=kind,
        object_repr=str(REPORTS[kind]),
        after={"rows": len(rows), "year": year},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{kind}-{now:%Y%m%d%H%M}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
