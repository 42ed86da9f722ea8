"""报表中心: the reports a user may see with their files, and the on-demand form."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.models import User
from fengqiao.disputes import deadlines
from fengqiao.reports import selectors, services
from fengqiao.reports.choices import ReportFormat, ReportKind
from fengqiao.reports.forms import RequestForm
from fengqiao.reports.policy import GENERATE, VIEW, report_may

PAGE_SIZE = 30
# The years a list may be filtered to (a typed ?year=99999 is ignored, not an error page).
EARLIEST_YEAR = 2000


def _viewer(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not report_may(user, VIEW):
        raise PermissionDenied(_("报表中心供领导和综治中心（平安办）使用。"))
    return user


def _page(request: HttpRequest, user: User, form: RequestForm | None) -> HttpResponse:
    g = request.GET
    kind = g.get("kind", "")
    if kind not in ReportKind.values:
        kind = ""
    regions = selectors.regions_to_view(user)
    region = None
    if g.get("region", "").isdigit():
        region = regions.filter(pk=int(g["region"])).first()
    year = None
    if g.get("year", "").isdigit() and EARLIEST_YEAR <= int(g["year"]) <= 2100:
        year = int(g["year"])
    reports = selectors.report_list_for_user(user, kind=kind, region=region, year=year)
    page = Paginator(reports, PAGE_SIZE).get_page(g.get("page"))
    may_generate = report_may(user, GENERATE)
    if form is None and may_generate:
        form = RequestForm(
            regions=selectors.regions_to_generate(user),
            initial={"kind": ReportKind.MONTHLY, "day": timezone.localdate()},
        )
    return render(
        request,
        "reports/home.html",
        {
            "page_obj": page,
            "kinds": ReportKind.choices,
            "kind": kind,
            "regions": regions,
            "region": region,
            "year": year,
            "form": form if may_generate else None,
            "formats": ReportFormat.values,
            "calendar_warning": deadlines.calendar_warning(),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, _viewer(request), None)


@login_required
@require_POST
def request_report(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    if not report_may(user, GENERATE):
        raise PermissionDenied(_("您没有按需生成报表的权限。"))
    form = RequestForm(request.POST, regions=selectors.regions_to_generate(user))
    if not form.is_valid():
        return _page(request, user, form)
    start, end = form.period()
    try:
        result = services.report_request(
            actor=user,
            kind=form.cleaned_data["kind"],
            region=form.cleaned_data["region"],
            start=start,
            end=end,
        )
    except services.ReportError as exc:
        form.add_error(None, exc)
        return _page(request, user, form)
    report = result.report
    report.refresh_from_db()
    if not result.queued:
        messages.info(request, _("该报表正在生成，请稍候刷新页面。"))
    elif report.status == "done":
        messages.success(request, _("报表已生成：%(r)s。") % {"r": report})
    else:
        messages.success(request, _("已提交生成：%(r)s。生成完成后可在下方下载。") % {"r": report})
    return redirect(f"{reverse('reports:home')}?kind={report.kind}#report-{report.pk}")


@login_required
@require_GET
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    user = _viewer(request)
    if fmt not in ReportFormat.values:
        raise Http404
    found = selectors.report_file_for_user(user, pk, fmt)
    report = found.report
    name = (
        f"{report.region.name}{report.get_kind_display()}"
        f"_{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{fmt}"
    )
    response = FileResponse(
        services.report_file_open(actor=user, file=found),
        as_attachment=True,
        filename=name,
        content_type=services.CONTENT_TYPES[fmt],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
