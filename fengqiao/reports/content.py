"""What a report says, as plain data: the one module that reads ``fengqiao.stats`` (the
measures of docs/measures.md). Rendering (``render.py``) knows nothing of stats; it turns a
``ReportContent`` into PDF, DOCX and XLSX, so a test may hand it a content object it built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

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
# The ranked measures of a 季通报 / 年考核 (a child region's row of the ranking table).
RANK_KEYS = ("intake", "resolved", "success_rate", "confirmation_rate", "overdue_rate")
# The kinds whose report ranks the region's townships (or villages): seed 002 五(二).
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
    "五、排名",
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
    rank: int
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


def _count(measures: dict[str, Any], key: str = "intake") -> int:
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


def build_content(
    *, kind: str, region: Region, period: Period, notes: list[str] | None = None
) -> ReportContent:
    """The content of a report of ``kind`` for ``region`` over ``period``, read from stats."""
    previous = period.previous()
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
    ranking: list[RankRow] = []
    if kind in RANKED_KINDS:
        ranked = sorted(
            children_now,
            key=lambda row: (
                -(row.measures["success_rate"].value or -1),
                -_count(row.measures, "resolved"),
                row.label,
            ),
        )
        ranking = [
            RankRow(
                rank=n,
                label=row.label,
                figures=[_figure(row.measures[k]) for k in RANK_KEYS if k in row.measures],
            )
            for n, row in enumerate(ranked, start=1)
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
        ranking=ranking,
        ranking_of=_("村（社区）") if region.level >= 4 else _("乡镇（街道）"),
        recommendations=rules.recommendations(
            figures=figure_map, categories=categories, regions=children
        ),
        notes=content_notes,
    )
