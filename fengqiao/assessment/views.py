"""考核 pages: the ranking of a county's townships or communities for a quarter or a year (each
score opens to its inputs and formula), its publication and XLSX export, the scheme and the
人工评分 of its manual indicators."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.assessment import policy, selectors, services
from fengqiao.assessment.choices import Level, PeriodKind, Rule
from fengqiao.assessment.exports import ranking_export
from fengqiao.assessment.forms import (
    IndicatorForm,
    ManualClearForm,
    ManualScoreForm,
    RepublishForm,
)
from fengqiao.assessment.models import Indicator, Scheme
from fengqiao.regions.models import Region
from fengqiao.stats.periods import Period


def _viewer(request: HttpRequest) -> Any:
    if not policy.may_view(request.user):
        raise PermissionDenied(_("考核排名供领导和综治中心（平安办）使用。"))
    return request.user


def _params(
    source: Any, request: HttpRequest, *, quiet: bool = False
) -> tuple[Region, str, Period]:
    county = selectors.county_for(request.user, source.get("county") or None)
    level = source.get("level") or Level.TOWNSHIP
    if level not in Level.values:
        level = Level.TOWNSHIP
    period = selectors.default_period(timezone.localdate())
    if source.get("period"):
        try:
            period = selectors.parse_period(source["period"])
        except selectors.PeriodError as exc:
            if not quiet:
                messages.error(request, str(exc))
    return county, level, period


def ranking_url(county: Region, level: str, period: Period, **extra: str) -> str:
    query = {
        "county": county.pk,
        "level": level,
        "period": selectors.period_code(period),
        **extra,
    }
    return f"{reverse('assessment:ranking')}?{urlencode(query)}"


def _periods(today: Any) -> list[tuple[str, str]]:
    """The quarters of this year and the last two, and those years, newest first."""
    out = []
    quarter = Period.quarter(today)
    for _i in range(12):
        out.append((selectors.period_code(quarter), quarter.label))
        quarter = quarter.previous()
    for year in range(today.year, today.year - 3, -1):
        p = Period.year(today.replace(year=year, month=1, day=1))
        out.append((selectors.period_code(p), p.label))
    return out


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    county, level, period = _params(request.GET, request)
    live = request.GET.get("live") == "1"
    found = selectors.ranking_for(user, county=county, level=level, period=period, live=live)
    today = timezone.localdate()
    may_publish = policy.may_publish(user, county)
    return render(
        request,
        "assessment/ranking.html",
        {
            "ranking": found,
            "county": county,
            "counties": selectors.counties_for(user),
            "level": level,
            "levels": Level.choices,
            "period": period,
            "period_code": selectors.period_code(period),
            "periods": _periods(today),
            "indicators": found.data["indicators"],
            "missing_any": any(r["missing"] for r in found.rows),
            "ended": period.end < today,
            "may_publish": may_publish,
            "may_manage": policy.may_manage(user, county),
            "may_score": policy.may_score(user, county),
            "history": selectors.publications_of(county, level, period) if may_publish else [],
            "republish_form": RepublishForm(
                initial={"version": found.publication.version if found.publication else 1}
            ),
            "live_url": ranking_url(county, level, period, live="1"),
            "published_url": ranking_url(county, level, period),
            "export_url": f"{reverse('assessment:export')}?"
            + urlencode(
                {
                    "county": county.pk,
                    "level": level,
                    "period": selectors.period_code(period),
                    **({"live": "1"} if live else {}),
                }
            ),
            "level_urls": [
                (code, label, ranking_url(county, code, period)) for code, label in Level.choices
            ],
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    county, level, period = _params(request.POST, request, quiet=True)
    if not policy.may_publish(user, county):
        raise PermissionDenied(_("考核排名由县级综治中心发布。"))
    try:
        # Only the period asked for is ever published (never the default one instead).
        period = selectors.parse_period(request.POST.get("period", ""))
    except selectors.PeriodError as exc:
        messages.error(request, str(exc))
        return redirect(ranking_url(county, level, period))
    republish = request.POST.get("republish") == "1"
    expected = None
    reason = ""
    if republish:
        form = RepublishForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, str(e))
            return redirect(ranking_url(county, level, period))
        expected = form.cleaned_data["version"]
        reason = form.cleaned_data["reason"]
    try:
        publication, made, followups = services.ranking_publish(
            actor=user,
            county=county,
            level=level,
            period=period,
            republish=republish,
            expected_version=expected,
            reason=reason,
        )
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        if made:
            messages.success(
                request,
                _("已发布%(p)s排名（第%(v)d版）。") % {"p": period.label, "v": publication.version},
            )
            for sentence in followups:
                messages.info(request, sentence)
        else:
            messages.info(
                request,
                _("%(p)s排名已发布（第%(v)d版），未重复发布。")
                % {"p": period.label, "v": publication.version},
            )
    return redirect(ranking_url(county, level, period))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    county, level, period = _params(request.GET, request)
    found = selectors.ranking_for(
        user, county=county, level=level, period=period, live=request.GET.get("live") == "1"
    )
    exported = ranking_export(actor=user, ranking=found)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _scheme_or_404(county: Region, year: int) -> Scheme | None:
    if not 2000 <= year <= 2099:
        raise Http404
    return selectors.scheme_of(county, year)


@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, year: int) -> HttpResponse:
    user = _viewer(request)
    county = selectors.county_for(user, request.GET.get("county") or request.POST.get("county"))
    found = _scheme_or_404(county, year)
    may_manage = policy.may_manage(user, county)
    if request.method == "POST":
        try:
            services.scheme_create_default(actor=user, county=county, year=year)
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已按默认方案建立%(y)d年度考核方案。") % {"y": year})
        return redirect(f"{reverse('assessment:scheme', args=[year])}?county={county.pk}")
    indicators = selectors.indicators_of(found) if found else []
    groups = [
        (
            code,
            label,
            [i for i in indicators if i.level == code],
            sum(i.weight for i in indicators if i.level == code),
        )
        for code, label in Level.choices
    ]
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": found,
            "county": county,
            "year": year,
            "groups": groups,
            "may_manage": may_manage,
            "may_score": policy.may_score(user, county),
            "ranking_url": ranking_url(
                county, Level.TOWNSHIP, selectors.default_period(timezone.localdate())
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, year: int, pk: int | None = None) -> HttpResponse:
    user = _viewer(request)
    county = selectors.county_for(user, request.GET.get("county") or request.POST.get("county"))
    found = _scheme_or_404(county, year)
    if found is None:
        raise Http404
    if not policy.may_manage(user, county):
        raise PermissionDenied(_("考核方案由县级综治中心维护。"))
    indicator = Indicator.objects.filter(pk=pk, scheme=found).first() if pk else None
    if pk and indicator is None:
        raise Http404
    back = f"{reverse('assessment:scheme', args=[year])}?county={county.pk}"
    if request.method == "POST" and request.POST.get("delete") == "1" and indicator is not None:
        services.indicator_delete(actor=user, indicator=indicator)
        messages.success(request, _("已删除指标“%(n)s”。") % {"n": indicator.name})
        return redirect(back)
    initial = (
        {
            f: getattr(indicator, f)
            for f in (
                "level",
                "position",
                "name",
                "basis",
                "measure",
                "weight",
                "direction",
                "rule",
                "floor",
                "target",
            )
        }
        if indicator
        else {"position": 1}
    )
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(
                actor=user, scheme=found, data=form.data_for_service(), indicator=indicator
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("指标已保存。"))
            return redirect(back)
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": found, "indicator": indicator, "county": county, "back": back},
    )


def _year_periods(year: int) -> list[Period]:
    """The four quarters of ``year`` and the year itself."""
    return [
        *(Period.quarter(date(year, month, 1)) for month in (1, 4, 7, 10)),
        Period.year(date(year, 1, 1)),
    ]


def _manual_indicator(user: Any, county: Region, year: int, pk: int) -> Indicator:
    """The 人工评分 indicator ``pk`` of ``county``'s scheme of ``year`` (else 404), for a user
    who may score it (else 403)."""
    found = _scheme_or_404(county, year)
    indicator = (
        Indicator.objects.select_related("scheme")
        .filter(pk=pk, scheme=found, rule=Rule.MANUAL)
        .first()
        if found
        else None
    )
    if indicator is None:
        raise Http404
    if not policy.may_score(user, county):
        raise PermissionDenied(_("人工评分由县级综治中心录入。"))
    return indicator


@login_required
@require_http_methods(["GET", "POST"])
def manual_scores(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """人工评分 of one manual indicator for one quarter or year: the county platform enters each
    region's score with its evidence."""
    user = _viewer(request)
    county = selectors.county_for(user, request.GET.get("county") or request.POST.get("county"))
    indicator = _manual_indicator(user, county, year, pk)
    periods = _year_periods(year)
    code = request.POST.get("period") or request.GET.get("period") or ""
    period = next((p for p in periods if selectors.period_code(p) == code), None)
    if period is None:
        # The last quarter of the year that has ended, else its first.
        ended = [
            p for p in periods if p.kind == PeriodKind.QUARTER and p.end < timezone.localdate()
        ]
        period = ended[-1] if ended else periods[0]
    regions = selectors.ranked_regions(county, indicator.level)
    names = dict(
        Region.objects.filter(pk__in={r.parent_id for r in regions}).values_list("pk", "name")
    )
    choices = [
        (
            r.pk,
            f"{names.get(r.parent_id or 0, '')} {r.name}"
            if indicator.level == Level.COMMUNITY
            else r.name,
        )
        for r in regions
    ]
    here = f"{reverse('assessment:manual_scores', args=[year, indicator.pk])}?" + urlencode(
        {"county": county.pk, "period": selectors.period_code(period)}
    )
    form = ManualScoreForm(request.POST or None, regions=choices)
    if request.method == "POST" and form.is_valid():
        region = next(r for r in regions if r.pk == form.cleaned_data["region"])
        try:
            services.manual_score_set(
                actor=user,
                indicator=indicator,
                region=region,
                period=period,
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已录入%(r)s %(p)s的人工评分。") % {"r": region.name, "p": period.label},
            )
            return redirect(here)
    entered = selectors.manual_scores_of([indicator], period)
    clear_refusal = policy.clear_refusal(user, county, indicator.level, period)
    return render(
        request,
        "assessment/manual_scores.html",
        {
            "may_clear": clear_refusal is None,
            "clear_refusal": clear_refusal if clear_refusal != policy.NOT_PERMITTED else None,
            "clear_url": reverse("assessment:manual_score_clear", args=[year, indicator.pk]),
            "scheme": indicator.scheme,
            "indicator": indicator,
            "county": county,
            "period": period,
            "period_code": selectors.period_code(period),
            "periods": [(selectors.period_code(p), p.label) for p in periods],
            "rows": [(pk, label, entered.get((indicator.pk, pk))) for pk, label in choices],
            "form": form,
            "ranking_url": ranking_url(county, indicator.level, period),
            "scheme_url": f"{reverse('assessment:scheme', args=[year])}?county={county.pk}",
        },
    )


@login_required
@require_POST
def manual_score_clear(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """清除评分: remove one region's 人工评分 of the period, with the reason."""
    user = _viewer(request)
    county = selectors.county_for(user, request.POST.get("county"))
    indicator = _manual_indicator(user, county, year, pk)
    code = request.POST.get("period") or ""
    period = next((p for p in _year_periods(year) if selectors.period_code(p) == code), None)
    if period is None:
        messages.error(request, _("请选择考核期间。"))
        page = reverse("assessment:manual_scores", args=[year, indicator.pk])
        return redirect(f"{page}?{urlencode({'county': county.pk})}")
    here = f"{reverse('assessment:manual_scores', args=[year, indicator.pk])}?" + urlencode(
        {"county": county.pk, "period": code}
    )
    form = ManualClearForm(request.POST)
    region = None
    if form.is_valid():
        region = next(
            (
                r
                for r in selectors.ranked_regions(county, indicator.level)
                if r.pk == form.cleaned_data["region"]
            ),
            None,
        )
    if region is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        if form.is_valid():
            messages.error(request, _("请选择本区县参加该项考核的地区。"))
        return redirect(here)
    try:
        services.manual_score_clear(
            actor=user,
            indicator=indicator,
            region=region,
            period=period,
            reason=form.cleaned_data["reason"],
        )
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已清除%(r)s %(p)s的人工评分，该项显示为缺数据。")
            % {"r": region.name, "p": period.label},
        )
    return redirect(here)
