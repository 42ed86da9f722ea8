"""Every read of the assessment: the counties a user may rank in, a period asked for, and the
ranking of a county's townships or communities — published (frozen) or computed now from the
measures (``stats.measures.region_measures``: a constant number of queries for any number of
regions). The data scope is the statistics' (``stats.selectors``): a user sees the lines of the
regions whose figures they may read; the ranking itself is always of the whole county."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.assessment.choices import Direction, Level, PeriodKind, Rule
from fengqiao.assessment.models import Indicator, ManualScore, Publication, Scheme
from fengqiao.assessment.scoring import rank_totals, score_all, total
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.measures import region_measures
from fengqiao.stats.periods import MAX_DAY, MIN_DAY, Period
from fengqiao.stats.selectors import stats_roots

PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


class PeriodError(ValueError):
    """The period asked for cannot be read; the message is shown to the user."""


def period_code(period: Period) -> str:
    if period.kind == PeriodKind.YEAR:
        return str(period.start.year)
    return f"{period.start.year}-Q{(period.start.month + 2) // 3}"


def parse_period(text: str) -> Period:
    """``2026-Q3`` (a quarter) or ``2026`` (a year), within the years figures are kept."""
    match = PERIOD_RE.match(text.strip())
    if not match:
        raise PeriodError(_("考核期间应为“2026-Q3”（季度）或“2026”（年度）。"))
    year = int(match.group(1))
    if not MIN_DAY.year <= year <= MAX_DAY.year:
        raise PeriodError(
            _("考核年度应在%(a)d至%(b)d年之间。") % {"a": MIN_DAY.year, "b": MAX_DAY.year}
        )
    if match.group(2):
        return Period.quarter(date(year, (int(match.group(2)) - 1) * 3 + 1, 1))
    return Period.year(date(year, 1, 1))


def default_period(today: date) -> Period:
    """The last whole quarter."""
    return Period.quarter(today).previous()


def counties_for(user: Any) -> list[Region]:
    """The counties whose rankings ``user`` may open: the county of each region they read
    statistics for, or every county under a higher one."""
    roots = stats_roots(user)
    if not roots:
        return []
    wanted = Q(pk__in=[])
    for root in roots:
        if root.level >= RegionLevel.COUNTY:
            wanted |= Q(path__in=[*root.ancestor_paths(), root.path])
        else:
            wanted |= Q(path__startswith=root.path)
    return list(Region.objects.filter(wanted, level=RegionLevel.COUNTY).order_by("path"))


def county_for(user: Any, county_id: str | None) -> Region:
    counties = counties_for(user)
    if not counties:
        raise PermissionDenied(_("考核排名供领导和综治中心（平安办）使用。"))
    if not county_id:
        return counties[0]
    found = next((c for c in counties if str(c.pk) == county_id), None)
    if found is None:
        raise PermissionDenied(_("您无权查看该区县的考核排名。"))
    return found


def county_of(region: Region) -> Region | None:
    """The county a region lies in (itself for a county; None above a county)."""
    if region.level == RegionLevel.COUNTY:
        return region
    if region.level < RegionLevel.COUNTY:
        return None
    return Region.objects.filter(path__in=region.ancestor_paths(), level=RegionLevel.COUNTY).first()


def scope_paths(user: Any) -> list[str]:
    return [r.path for r in stats_roots(user)]


def sees(paths: list[str], region_path: str) -> bool:
    return any(region_path.startswith(p) for p in paths)


def scheme_of(county: Region, year: int) -> Scheme | None:
    return Scheme.objects.filter(region=county, year=year).first()


def indicators_of(scheme: Scheme, level: str | None = None) -> list[Indicator]:
    qs = scheme.indicators.all()
    if level:
        qs = qs.filter(level=level)
    return list(qs.order_by("level", "position", "pk"))


def current_publication(county: Region, level: str, period: Period) -> Publication | None:
    return (
        Publication.objects.filter(
            region=county,
            level=level,
            period_start=period.start,
            period_end=period.end,
            is_current=True,
        )
        .select_related("published_by")
        .first()
    )


def publications_of(county: Region, level: str, period: Period) -> list[Publication]:
    return list(
        Publication.objects.filter(
            region=county, level=level, period_start=period.start, period_end=period.end
        )
        .select_related("published_by")
        .order_by("-version")
    )


def dashboard_link(region_id: int, period: Period) -> str:
    query = {"region": region_id, "kind": period.kind, "day": period.start.isoformat()}
    return f"{reverse('stats:dashboard')}?{urlencode(query)}"


def _text(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def ranked_regions(county: Region, level: str) -> list[Region]:
    """The regions a ranking ranks: the county's townships, or the villages under them."""
    wanted = RegionLevel.TOWNSHIP if level == Level.TOWNSHIP else RegionLevel.VILLAGE
    return list(
        Region.objects.filter(path__startswith=county.path, level=wanted)
        .exclude(pk=county.pk)
        .order_by("path")
        .only("name", "path", "level", "population", "parent_id")
    )


def manual_scores_of(
    indicators: list[Indicator], period: Period
) -> dict[tuple[int, int], ManualScore]:
    """The 人工评分 entered on ``indicators`` for exactly ``period``, by (indicator, region)."""
    if not indicators:
        return {}
    return {
        (m.indicator_id, m.region_id): m
        for m in ManualScore.objects.filter(
            indicator__in=indicators, period_start=period.start, period_end=period.end
        ).select_related("entered_by")
    }


def _manual_input(indicator: Indicator, entry: ManualScore | None) -> dict[str, Any]:
    """What a 人工评分 shows in place of a measure: the score entered and its evidence."""
    out: dict[str, Any] = {
        "label": _("人工评分"),
        "value": None,
        "display": "—",
        "unit": _("分"),
        "numerator": None,
        "denominator": None,
        "formula": _("县级综治中心依据佐证材料评定，0至%(w)s分（本指标分值）")
        % {"w": indicator.weight},
        "note": "",
    }
    if entry is not None:
        who = entry.entered_by.display_name if entry.entered_by else ""
        out.update(
            value=_text(entry.score),
            display=str(entry.score),
            note=_("评分依据：%(n)s（%(who)s %(t)s录入）")
            % {
                "n": entry.note,
                "who": who,
                "t": timezone.localtime(entry.entered_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return out


def compute_ranking(scheme: Scheme, county: Region, level: str, period: Period) -> dict[str, Any]:
    """The ranking of ``county``'s townships or communities over ``period`` under ``scheme``,
    as plain JSON values (what a publication stores): the indicators, and per region every
    indicator's figure with its numerator, denominator and formula, its score and how it was
    reached, the total, the weight that had a figure and the place."""
    indicators = indicators_of(scheme, level)
    regions = ranked_regions(county, level)
    parents: dict[int, str] = {}
    if level == Level.COMMUNITY:
        parents = dict(
            Region.objects.filter(pk__in={r.parent_id for r in regions}).values_list("pk", "name")
        )
    values = region_measures(county, regions, period)
    entered = manual_scores_of([i for i in indicators if i.rule == Rule.MANUAL], period)

    def figure(ind: Indicator, region: Region) -> Decimal | int | None:
        if ind.rule == Rule.MANUAL:
            entry = entered.get((ind.pk, region.pk))
            return None if entry is None else entry.score
        return values[region.pk][ind.measure].value

    full = sum((i.weight for i in indicators), Decimal(0))
    scored = {
        ind.pk: score_all(
            {r.pk: figure(ind, r) for r in regions},
            rule=ind.rule,
            direction=ind.direction,
            weight=ind.weight,
            floor=ind.floor,
            target=ind.target,
        )
        for ind in indicators
    }
    rows: list[dict[str, Any]] = []
    totals: dict[int, Decimal | None] = {}
    for region in regions:
        scores = []
        pairs = []
        for ind in indicators:
            score, how = scored[ind.pk][region.pk]
            pairs.append((ind.weight, score))
            if ind.rule == Rule.MANUAL:
                inputs = _manual_input(ind, entered.get((ind.pk, region.pk)))
            else:
                v = values[region.pk][ind.measure]
                inputs = {
                    "label": v.label,
                    "value": _text(v.value),
                    "display": v.display,
                    "unit": v.unit,
                    "numerator": v.numerator,
                    "denominator": v.denominator,
                    "formula": v.formula,
                    "note": "",
                }
            scores.append(
                {
                    "indicator": ind.name,
                    "measure": ind.measure,
                    **inputs,
                    "score": _text(score),
                    "how": how,
                }
            )
        region_total, counted = total(pairs, full)
        totals[region.pk] = region_total
        rows.append(
            {
                "region_id": region.pk,
                "name": region.name,
                "path": region.path,
                "township": parents.get(region.parent_id or 0, ""),
                "total": _text(region_total),
                "counted_weight": str(counted),
                "missing": [
                    ind.name for ind, (_w, s) in zip(indicators, pairs, strict=True) if s is None
                ],
                "scores": scores,
            }
        )
    placed = rank_totals(totals)
    for row in rows:
        row["rank"] = placed.get(row["region_id"])
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["path"]))
    return {
        "scheme": scheme.name,
        "full_weight": str(full),
        "indicators": [
            {
                "id": i.pk,
                "manual": i.rule == Rule.MANUAL,
                "name": i.name,
                "weight": str(i.weight),
                "measure": (
                    _("人工评分")
                    if i.rule == Rule.MANUAL
                    else str(dict(Indicator._meta.get_field("measure").flatchoices)[i.measure])
                ),
                "direction": str(Direction(i.direction).label),
                "rule": str(Rule(i.rule).label),
                "floor": _text(i.floor),
                "target": _text(i.target),
                "basis": i.basis,
            }
            for i in indicators
        ],
        "rows": rows,
    }


@dataclass(frozen=True)
class Ranking:
    county: Region
    level: str
    period: Period
    scheme: Scheme | None
    publication: Publication | None
    live: bool
    data: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def published(self) -> bool:
        """The rows are the published (frozen) ranking, not computed now."""
        return self.publication is not None and not self.live


def ranking_of(*, county: Region, level: str, period: Period, live: bool = False) -> Ranking:
    """The whole ranking of ``county``'s townships or communities over ``period``: the
    published one unless ``live`` (or none is published), else computed now under the year's
    scheme (no scheme and nothing published: no rows). Every reader of a ranking — this page,
    its export, the 季通报 and 年考核 of ``fengqiao.reports`` — takes it from here."""
    scheme = scheme_of(county, period.start.year)
    publication = current_publication(county, level, period)
    if publication is not None and not live:
        data = publication.rows
    elif scheme is not None:
        data = compute_ranking(scheme, county, level, period)
    else:
        data = {"rows": [], "indicators": [], "full_weight": "0", "scheme": ""}
    return Ranking(county, level, period, scheme, publication, live, data, list(data["rows"]))


def ranking_for(
    user: Any, *, county: Region, level: str, period: Period, live: bool = False
) -> Ranking:
    """What ``user`` sees of a ranking (``ranking_of``): only the lines of regions they may
    read, each with a link to its dashboard."""
    found = ranking_of(county=county, level=level, period=period, live=live)
    paths = scope_paths(user)
    rows = [r for r in found.rows if sees(paths, r["path"])]
    for row in rows:
        row["dashboard"] = dashboard_link(row["region_id"], period)
    return replace(found, rows=rows)
