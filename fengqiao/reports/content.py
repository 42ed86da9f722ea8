"""What a report says, as plain data: the one module that reads ``fengqiao.stats`` (the
measures of docs/measures.md). Rendering (``render.py``) knows nothing of stats; it turns a
``ReportContent`` into PDF, DOCX and XLSX, so a test may hand it a content object it built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.assessment.choices import Level
from fengqiao.assessment.selectors import county_of, ranking_of
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.reports import rules
from fengqiao.reports.choices import ReportKind
from fengqiao.stats.measures import breakdown, measures_for, trend
from fengqiao.stats.periods import Period

# The key figures of every report, in this order (docs/measures.md gives each formula).
FIGURE_KEYS = (
    "intake",
    "intake_change",
    "resolved",
    "success_rate",
    "resolved_pre",
    "success_rate_pre",
    "confirmed",
    "confirmation_rate",
    "performance_rate",
    "satisfaction_rate",
    "median_days",
    "p90_days",
    "overdue_rate",
    "criminal_transfer",
    "group_cases",
    "major_cases",
    "warning_ack_rate",
    "screening_punctuality",
    "lawsuits_per_10k",
)
# Where disputes were resolved ("小事不出村、大事不出镇").
LEVEL_KEYS = (
    ("share_village", "村（社区）"),
    ("share_township", "乡镇（街道）"),
    ("share_county", "区县"),
)
# The figures of each child region in the 各地主要指标 table beside the assessment's ranking.
REGION_KEYS = ("intake", "resolved", "success_rate", "confirmation_rate", "overdue_rate")
# The kinds whose report carries the assessment's ranking of the region's townships (a
# township's report: its villages and communities) — seed 002 五(二), seed 004 item 25.
RANKED_KINDS = {ReportKind.QUARTERLY, ReportKind.YEARLY, ReportKind.ANNUAL_SURVEY}
# How many rising regions and categories the hot-spot section names.
HOT_SPOTS = 5

# The headings of the six sections, per kind. The annual survey report follows seed 000's
# 社会矛盾纠纷调查报告: 现状、特点与对策.
SECTIONS: dict[str, tuple[str, str, str, str, str, str]] = {
    ReportKind.ANNUAL_SURVEY: (
        "一、矛盾纠纷基本情况",
        "二、矛盾纠纷发展趋势",
        "三、矛盾纠纷主要特点（类别构成与化解层级）",
        "四、热点区域与热点类别",
        "五、各地调处工作情况",
        "六、对策与建议",
    ),
}
DEFAULT_SECTIONS = (
    "一、主要指标",
    "二、趋势",
    "三、类别构成与化解层级",
    "四、热点",
    "五、考核排名",
    "六、工作建议",
)


@dataclass(frozen=True)
class Figure:
    """One measure as printed: its label, value with unit ("—" without a denominator), the
    numerator and denominator it was computed from, and its formula."""

    key: str
    label: str
    value: Decimal | int | None
    unit: str
    numerator: int | None
    denominator: int | None
    formula: str

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit)


@dataclass(frozen=True)
class TrendPoint:
    label: str
    intake: int
    resolved: int


@dataclass(frozen=True)
class MixRow:
    """A share of the period's disputes (a category, a handling level) or a rising hot spot:
    the count now and in the previous period, and the change."""

    label: str
    count: int
    previous: int
    share: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        """Percentage change against the previous period (None: nothing before)."""
        if not self.previous:
            return None
        return (Decimal(self.count - self.previous) * 100 / self.previous).quantize(Decimal("0.1"))

    @property
    def increase(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class RankRow:
    """One line of the assessment's ranking (``assessment.selectors.ranking_of``), as the
    assessment page shows it: the place (None: no figure at all), the total (None: no
    total), the weight that had a figure, the indicators without one (缺数据) and each
    indicator's score (None: 缺数据)."""

    rank: int | None
    label: str
    township: str
    total: str | None
    counted_weight: str
    missing: list[str]
    scores: list[str | None]


@dataclass(frozen=True)
class RegionRow:
    """A child region's key figures (各地主要指标), in the order of the region codes."""

    label: str
    figures: list[Figure]


@dataclass(frozen=True)
class ReportContent:
    kind: str
    kind_label: str
    title: str
    region_name: str
    period_start: date
    period_end: date
    period_label: str
    previous_label: str
    generated_at: datetime
    figures: list[Figure]
    trend: list[TrendPoint]
    categories: list[MixRow]
    levels: list[MixRow]
    hot_regions: list[MixRow]
    hot_categories: list[MixRow]
    ranking: list[RankRow]
    ranking_of: str
    recommendations: list[str]
    notes: list[str] = field(default_factory=list)
    # Whether the ranking is the published one, a trial computation (未发布/试算), or why
    # there is none (no scheme for the year); empty for a kind without a ranking.
    ranking_status: str = ""
    ranking_published: bool = False
    # The scheme's indicators of the ranked level: (name, weight).
    ranking_indicators: list[tuple[str, str]] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)

    @property
    def ranked(self) -> bool:
        return self.kind in RANKED_KINDS

    @property
    def sections(self) -> tuple[str, str, str, str, str, str]:
        return SECTIONS.get(self.kind, DEFAULT_SECTIONS)

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


def format_value(value: Decimal | int | None, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.1")) if value != value.to_integral() else int(value)
    return f"{value}{unit}" if unit in ("%", "天") else f"{value} {unit}".strip()


def _figure(value: Any) -> Figure:
    return Figure(
        key=value.key,
        label=value.label,
        value=value.value,
        unit=value.unit,
        numerator=value.numerator,
        denominator=value.denominator,
        formula=value.formula,
    )


def _count(measures: Mapping[str, Any], key: str = "intake") -> int:
    found = measures.get(key)
    return int(found.value) if found is not None and found.value is not None else 0


def trend_step(period: Period) -> str:
    """Days for a week or a month, weeks for a quarter, months for a year."""
    days = (period.end - period.start).days + 1
    if days <= 31:
        return "day"
    if days <= 120:
        return "week"
    return "month"


def _trend_label(day: date, step: str) -> str:
    if step == "month":
        return f"{day.month}月"
    return f"{day.month}/{day.day}"


def _mix(now: list[Any], before: list[Any]) -> list[MixRow]:
    """Rows of ``breakdown`` this period and the previous, joined by key, in this period's
    order, with each row's share of this period's total."""
    previous = {row.key: _count(row.measures) for row in before}
    total = sum(_count(row.measures) for row in now)
    rows = [
        MixRow(
            label=row.label,
            count=_count(row.measures),
            previous=previous.get(row.key, 0),
            share=(
                (Decimal(_count(row.measures)) * 100 / total).quantize(Decimal("0.1"))
                if total
                else None
            ),
        )
        for row in now
    ]
    seen = {row.key for row in now}
    labels = {row.key: row.label for row in before}
    rows += [
        MixRow(labels[key], 0, n, Decimal(0) if total else None)
        for key, n in previous.items()
        if key not in seen and n
    ]
    return rows


def hot_spots(rows: list[MixRow], limit: int = HOT_SPOTS) -> list[MixRow]:
    """The rows that rose most against the previous period (by the number of cases added,
    then by the rate), only those that rose."""
    rising = [row for row in rows if row.increase > 0]
    rising.sort(key=lambda r: (-r.increase, -(r.change or Decimal(0)), r.label))
    return rising[:limit]


@dataclass(frozen=True)
class Assessed:
    rows: list[RankRow]
    status: str
    published: bool
    indicators: list[tuple[str, str]]


def assessed_ranking(region: Region, period: Period) -> Assessed:
    """The assessment's ranking for the report of ``region`` over ``period`` (a quarter or a
    year): a county's report, the ranking of its townships; a township's, the lines of its
    villages in the ranking of the county's communities (places are the county's). The
    published ranking when there is one, else computed now and said to be a trial (试算);
    without a scheme for the year, a sentence that says so. The scores are the assessment's
    (``assessment.selectors.ranking_of``), never recomputed here."""
    county = county_of(region)
    if county is None or region.level > RegionLevel.TOWNSHIP:
        return Assessed([], _("考核排名按区县进行，本区域的报表不含考核排名。"), False, [])
    level = Level.TOWNSHIP if region.pk == county.pk else Level.COMMUNITY
    found = ranking_of(county=county, level=level, period=period)
    if found.publication is None and found.scheme is None:
        return Assessed(
            [],
            _(
                "%(county)s%(year)d年度尚未制定考核方案，本期没有考核排名。"
                "县级综治中心可在“考核排名—考核方案”中建立方案后重新生成本报表。"
            )
            % {"county": county.name, "year": period.start.year},
            False,
            [],
        )
    rows = [
        RankRow(
            rank=row["rank"],
            label=row["name"],
            township=row.get("township", ""),
            total=row["total"],
            counted_weight=row["counted_weight"],
            missing=list(row["missing"]),
            scores=[s["score"] for s in row["scores"]],
        )
        for row in found.rows
        if row["path"].startswith(region.path)
    ]
    indicators = [(i["name"], i["weight"]) for i in found.data["indicators"]]
    scheme = found.data.get("scheme", "")
    if found.published and found.publication is not None:
        status = _(
            "考核排名已发布（第%(v)d版，%(at)s发布），本表为发布的排名；"
            "发布后案件的更正不改变已发布的排名。方案：%(scheme)s（满分%(full)s分）。"
        ) % {
            "v": found.publication.version,
            "at": timezone.localtime(found.publication.published_at).strftime("%Y-%m-%d %H:%M"),
            "scheme": scheme,
            "full": found.data["full_weight"],
        }
    else:
        status = _(
            "考核排名未发布/试算：%(period)s的考核排名尚未发布，本表按报表生成时的统计数据试算，"
            "以县级综治中心发布的排名为准。方案：%(scheme)s（满分%(full)s分）。"
        ) % {"period": period.label, "scheme": scheme, "full": found.data["full_weight"]}
    if level == Level.COMMUNITY:
        status += _("名次为在%(county)s全部村（社区）中的名次。") % {"county": county.name}
    if any(row.missing for row in rows):
        status += _("“缺数据”的指标不计分，也不按0分计；该地区总分按有数据指标的分值折算为百分制。")
    return Assessed(rows, status, found.published, indicators)


def build_content(
    *, kind: str, region: Region, period: Period, notes: list[str] | None = None
) -> ReportContent:
    """The content of a report of ``kind`` for ``region`` over ``period``, read from stats."""
    # A period under way is compared with as many days of the one before (上期同期), as 纠纷下降率.
    previous = period.compared_with(timezone.localdate())
    measures = measures_for(region, period)
    figures = [_figure(measures[key]) for key in FIGURE_KEYS if key in measures]
    step = trend_step(period)
    points = [
        TrendPoint(_trend_label(day, step), _count(m), _count(m, "resolved"))
        for day, m in trend(region, period, step=step)
    ]
    categories = _mix(
        breakdown(region, period, by="category"), breakdown(region, previous, by="category")
    )
    children_now = breakdown(region, period, by="region")
    children = _mix(children_now, breakdown(region, previous, by="region"))
    levels = [
        MixRow(
            label=_(label),
            count=int(measures[key].numerator or 0) if key in measures else 0,
            previous=0,
            share=measures[key].value if key in measures else None,  # type: ignore[arg-type]
        )
        for key, label in LEVEL_KEYS
    ]
    assessed = Assessed([], "", False, [])
    region_rows: list[RegionRow] = []
    if kind in RANKED_KINDS:
        assessed = assessed_ranking(region, period)
        region_rows = [
            RegionRow(
                row.label, [_figure(row.measures[k]) for k in REGION_KEYS if k in row.measures]
            )
            for row in children_now
        ]
    hot_regions = hot_spots(children)
    hot_categories = hot_spots(categories)
    kind_label = str(ReportKind(kind).label)
    period_label = period.label
    content_notes = list(notes or [])
    lawsuits = measures.get("lawsuits_per_10k")
    if lawsuits is not None and lawsuits.value is None:
        content_notes.append(_("万人起诉率需导入法院立案数，本期未导入。"))
    figure_map = {key: _figure(value) for key, value in measures.items()}
    return ReportContent(
        kind=kind,
        kind_label=kind_label,
        title=_("%(region)s%(period)s%(kind)s")
        % {"region": region.name, "period": period_label, "kind": kind_label},
        region_name=region.name,
        period_start=period.start,
        period_end=period.end,
        period_label=period_label,
        previous_label=previous.label,
        generated_at=timezone.now(),
        figures=figures,
        trend=points,
        categories=categories,
        levels=levels,
        hot_regions=hot_regions,
        hot_categories=hot_categories,
        ranking=assessed.rows,
        ranking_of=str(Level.COMMUNITY.label)
        if region.level >= RegionLevel.TOWNSHIP
        else str(Level.TOWNSHIP.label),
        recommendations=rules.recommendations(
            figures=figure_map, categories=categories, regions=children
        ),
        notes=content_notes,
        ranking_status=assessed.status,
        ranking_published=assessed.published,
        ranking_indicators=assessed.indicators,
        regions=region_rows,
    )
