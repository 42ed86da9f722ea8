"""统计分析 pages: the dashboard of a region and period, drilling down the region tree to the
case list behind each intake figure."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.access import has_perm
from fengqiao.core.choices import DisputeCategory
from fengqiao.core.xlsx import XLSX_CONTENT_TYPE
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats import imports, measures
from fengqiao.stats.forms import PeriodForm, neighbours, step_for
from fengqiao.stats.periods import Period
from fengqiao.stats.permissions import ADD_EXTERNALFIGURE
from fengqiao.stats.selectors import external_figures_for_user, region_for_user, stats_roots
from fengqiao.stats.services import pending_count

# The measures shown as cards, in order.
CARDS = (
    "intake",
    "intake_change",
    "resolved",
    "success_rate",
    "success_rate_pre",
    "confirmed",
    "confirmation_rate",
    "performance_rate",
    "satisfaction_rate",
    "median_days",
    "p90_days",
    "overdue_rate",
    "group_cases",
    "major_cases",
    "criminal_transfer",
    "warning_ack_rate",
    "screening_punctuality",
    "lawsuits_per_10k",
)


def _period_query(period: Period) -> dict[str, str]:
    if period.kind == "custom":
        return {"kind": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
    return {"kind": period.kind, "day": period.start.isoformat()}


class Links:
    """The page's links for one period: the case list behind an intake figure (the cases
    registered in a region in the period — the list's own filters, so its count is the
    figure's) and the dashboard of another region. Each address is reversed once per page, not
    once per table row."""

    def __init__(self, period: Period) -> None:
        self.cases_base = reverse("disputes:case_list")
        self.cases_period = urlencode(
            {"since": period.start.isoformat(), "until": period.end.isoformat()}
        )
        self.dashboard_base = reverse("stats:dashboard")
        self.dashboard_period = urlencode(_period_query(period))

    def cases(self, region: Region, **filters: str) -> str:
        more = f"&{urlencode(filters)}" if filters else ""
        return f"{self.cases_base}?{urlencode({'region': region.code})}&{self.cases_period}{more}"

    def dashboard(self, region: Region, **more: str) -> str:
        extra = f"&{urlencode(more)}" if more else ""
        return f"{self.dashboard_base}?region={region.pk}&{self.dashboard_period}{extra}"


def _trail(region: Region, roots: list[Region]) -> list[Region]:
    """The regions from the user's root down to ``region`` (the breadcrumb)."""
    root = next((r for r in roots if region.path.startswith(r.path)), region)
    paths = [p for p in region.ancestor_paths() if p.startswith(root.path)]
    return [*Region.objects.filter(path__in=paths).order_by("path"), region]


def _chart_rows(rows: list[measures.Row], key: str = "intake") -> list[dict[str, Any]]:
    return [{"name": r.label, "value": r.measures[key].value or 0} for r in rows]


def _td(text: Any, href: str = "", css: str = "") -> SafeString:
    if not href:
        return format_html("<td>{}</td>", text)
    if css:
        return format_html('<td><a href="{}" class="{}">{}</a></td>', href, css, text)
    return format_html('<td><a href="{}">{}</a></td>', href, text)


def _td_count(row: measures.Row, key: str, href: str, css: str = "") -> SafeString:
    """A count linked to the cases behind it (none behind a nought)."""
    value = row.measures[key]
    return _td(value.display, href if value.value else "", css)


def _tds(row: measures.Row, *keys: str) -> list[SafeString]:
    return [_td(row.measures[key].display) for key in keys]


def _tr(*cells: SafeString, class_: str = "", **data: str) -> SafeString:
    """A table row; ``data_region="…"`` gives it the attribute ``data-region``."""
    attrs = {name.replace("_", "-"): value for name, value in data.items()}
    if class_:
        attrs["class"] = class_
    return format_html("<tr{}>{}</tr>", flatatt(attrs), mark_safe("".join(cells)))  # noqa: S308


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    roots = stats_roots(user)
    if not roots:
        raise PermissionDenied(_("统计分析供领导、综治中心（平安办）和司法所使用。"))
    region = region_for_user(user, request.GET["region"]) if request.GET.get("region") else roots[0]
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    period = form.period()
    before, after = neighbours(period)
    links = Links(period)
    figures = measures.Figures(region, period)
    values = figures.measures()
    children = list(
        Region.objects.filter(parent=region).order_by("path").only("code", "name", "level", "path")
    )
    child_of = {str(r.pk): r for r in children}
    by_region = figures.breakdown("region", children=children)
    by_category = figures.breakdown("category")
    by_channel = figures.breakdown("channel")
    by_grade = figures.breakdown("grade")
    by_level = figures.breakdown("level")
    # Orgs are in the daily rows only: offered from the township down.
    by_org = figures.breakdown("org") if region.level >= RegionLevel.TOWNSHIP else []
    # An org's mediators (各调解员), for an org the table lists.
    org_key = request.GET.get("org", "")
    org_row = next((row for row in by_org if row.key == org_key and row.key != "0"), None)
    people = measures.org_people(region, int(org_key), period) if org_row else []
    step = step_for(period)
    trend = figures.trend(step)
    drills = {row.key: links.dashboard(child_of[row.key]) for row in by_region}
    spots = figures.hot_spots(children)
    charts = {
        "trend": {
            "labels": [day.isoformat() for day, _v in trend],
            "intake": [v["intake"].value for _d, v in trend],
            "resolved": [v["resolved"].value for _d, v in trend],
            "names": [_("受理"), _("调处成功")],
        },
        "category": _chart_rows(by_category),
        "channel": _chart_rows(by_channel),
        "grade": _chart_rows(by_grade),
        "level": _chart_rows(by_level, "resolved"),
        "pipeline": [
            {"name": _("受理"), "value": values["intake"].value},
            {"name": _("办结"), "value": values["concluded"].value},
            {"name": _("调处成功"), "value": values["resolved"].value},
            {"name": _("司法确认"), "value": values["confirmed"].value},
            {"name": _("履行完毕"), "value": values["performance_rate"].numerator or 0},
        ],
        # 纠纷热点: each child region's block sized by its intake, split by category where the
        # rollups split it (townships and above); a block opens its dashboard, a category the
        # cases behind it.
        "hotspots": [
            {
                "name": row.label,
                "value": row.measures["intake"].value,
                "url": drills[row.key],
                "children": [
                    {
                        "name": str(DisputeCategory(category).label),
                        "value": n,
                        "url": links.cases(child_of[row.key], category=category),
                    }
                    for category, n in sorted(
                        spots.get(child_of[row.key].path, {}).items(), key=lambda kv: -kv[1]
                    )
                ],
            }
            for row in by_region
            if row.measures["intake"].value
        ],
        "regions": [
            {
                "name": r.label,
                "value": r.measures["intake"].value,
                "url": drills[r.key],
            }
            for r in by_region
        ],
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "region": region,
            "trail": [(r, links.dashboard(r)) for r in _trail(region, roots)],
            "roots": roots if len(roots) > 1 else [],
            "period": period,
            "before_url": Links(before).dashboard(region),
            "after_url": Links(after).dashboard(region)
            if after and after.start <= timezone.localdate()
            else "",
            "cards": [values[key] for key in CARDS],
            "intake_url": links.cases(region),
            # The tables' rows are made here, as the admin's change list makes its rows: a
            # township's page has a hundred of them, and the template language's lookups were
            # a third of the page's time.
            "region_rows": [
                _tr(
                    _td(row.label, drills[row.key], "drill"),
                    _td_count(row, "intake", links.cases(child_of[row.key]), "cases"),
                    *_tds(row, "resolved", "success_rate", "satisfaction_rate", "overdue_rate"),
                    *_tds(row, "group_cases"),
                    data_region=row.label,
                )
                for row in by_region
            ],
            "org_rows": [
                _tr(
                    _td(
                        row.label, links.dashboard(region, org=row.key) + "#org-people", "drill-org"
                    )
                    if row.key != "0"
                    else _td(row.label),
                    _td_count(row, "intake", links.cases(region, org=row.key), "cases")
                    if row.key != "0"
                    else _td(row.measures["intake"].display),
                    *_tds(row, "resolved", "success_rate", "confirmed"),
                    *_tds(row, "satisfaction_rate", "overdue_rate"),
                    data_org=row.label,
                    class_="table-active" if org_row is row else "",
                )
                for row in by_org
            ],
            "org_key": org_row.key if org_row else "",
            "org_name": org_row.label if org_row else "",
            "people_rows": [
                _tr(
                    _td(row.label),
                    # Cases no one handles yet have no list of their own.
                    _td_count(
                        row, "intake", links.cases(region, org=org_key, handler=row.key), "cases"
                    )
                    if row.key
                    else _td(row.measures["intake"].display),
                    *_tds(row, "concluded", "resolved", "success_rate", "performance_rate"),
                    *_tds(row, "satisfaction_rate"),
                    data_person=row.label,
                )
                for row in people
            ],
            "category_rows": [
                _tr(
                    _td(row.label),
                    _td_count(row, "intake", links.cases(region, category=row.key)),
                    *_tds(row, "resolved", "success_rate"),
                )
                for row in by_category
            ],
            "charts": charts,
            "step": step,
            "pending": pending_count(),
        },
    )


# Outside figures are read with the dashboards and imported by the 平安办.
def _external_reader(request: HttpRequest) -> tuple[Any, bool]:
    user = request.user
    may_import = has_perm(user, ADD_EXTERNALFIGURE)
    if not may_import and not stats_roots(user):
        raise PermissionDenied(_("外部指标数据供领导、综治中心（平安办）和司法所使用。"))
    return user, may_import


@login_required
def external_figures(request: HttpRequest) -> HttpResponse:
    """外部指标: the imported figures, and for the 平安办 the upload of a template or CSV."""
    user, may_import = _external_reader(request)
    context: dict[str, Any] = {"may_import": may_import}
    status = 200
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied(_("您无权导入外部指标数据。"))
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [(None, _("请选择要上传的 .xlsx 或 .csv 文件。"))]
        elif upload.size is not None and upload.size > imports.IMPORT_MAX_BYTES:
            context["errors"] = [(None, _("文件超过10MB，请分批导入。"))]
        else:
            try:
                context["result"] = imports.external_figures_import(
                    actor=user, upload=upload, name=upload.name or ""
                )
            except imports.ImportRejected as exc:
                context["errors"] = exc.errors[: imports.MAX_ERRORS_SHOWN]
                context["error_count"] = len(exc.errors)
        if "errors" in context:
            status = 400
    page = Paginator(external_figures_for_user(user), 50).get_page(request.GET.get("page"))
    context["page_obj"] = page
    return render(request, "stats/external.html", context, status=status)


@login_required
@require_GET
def external_template(request: HttpRequest) -> HttpResponse:
    _user, may_import = _external_reader(request)
    if not may_import:
        raise PermissionDenied(_("您无权导入外部指标数据。"))
    response = HttpResponse(imports.external_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="external-figures-template.xlsx"'
    return response
