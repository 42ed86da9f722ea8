"""指标 — every figure the dashboards, the assessment and the reports show, computed from the
rollups only (docs/measures.md gives each formula; ``FORMULAS`` below is the same text).

A county or township over a long period reads the monthly rollups for the whole months and the
daily rollups for the days at either end — its villages and orgs included, which the monthly
rollup splits out; a village's own page reads the daily rollup. No query here reads a case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fengqiao.core.choices import DisputeCategory, statistics_category
from fengqiao.core.paths import subtree_q
from fengqiao.disputes.choices import IntakeChannel, RiskGrade
from fengqiao.governance.models import ScreeningReport
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.risk.models import WarningNotice
from fengqiao.stats.choices import ExternalIndicator
from fengqiao.stats.facts import SATISFIED_FROM
from fengqiao.stats.models import (
    MEASURES,
    CaseFact,
    DailyCount,
    DailyTotal,
    DurationCount,
    ExternalFigure,
    MonthlyCount,
    MonthlyDuration,
)
from fengqiao.stats.periods import Period

# 诉前: cases the court sent before filing (委派).
PRE_FILING = IntakeChannel.COURT_PRE

LABELS = {
    "intake": gettext_lazy("受理纠纷数"),
    "intake_change": gettext_lazy("纠纷下降率"),
    "resolved": gettext_lazy("调处成功数"),
    "success_rate": gettext_lazy("调处成功率"),
    "resolved_pre": gettext_lazy("诉前调处成功数"),
    "success_rate_pre": gettext_lazy("诉前调处成功率"),
    "confirmed": gettext_lazy("司法确认数"),
    "confirmation_rate": gettext_lazy("司法确认率"),
    "performance_rate": gettext_lazy("协议履行率"),
    "satisfaction_rate": gettext_lazy("满意率"),
    "median_days": gettext_lazy("办结用时中位数"),
    "p90_days": gettext_lazy("办结用时90分位"),
    "overdue_rate": gettext_lazy("超期率"),
    "share_village": gettext_lazy("村（社区）化解占比"),
    "share_township": gettext_lazy("乡镇（街道）化解占比"),
    "share_county": gettext_lazy("县级化解占比"),
    "criminal_transfer": gettext_lazy("民转刑（移送公安）数"),
    "group_cases": gettext_lazy("群体性纠纷数"),
    "major_cases": gettext_lazy("重大纠纷数"),
    "concluded": gettext_lazy("办结数"),
    "warning_ack_rate": gettext_lazy("预警按时签收率"),
    "screening_punctuality": gettext_lazy("排查报告按时报送率"),
    "lawsuits_per_10k": gettext_lazy("万人起诉率"),
    "private_prosecutions": gettext_lazy("刑事自诉案件发生数"),
    "private_prosecution_mediation_rate": gettext_lazy("刑事自诉案件诉前调解成功率"),
    "probation_reoffending_rate": gettext_lazy("缓刑人员重新犯罪率"),
}
FORMULAS = {
    "intake": gettext_lazy("期内登记的纠纷件数"),
    "intake_change": gettext_lazy(
        "（上期受理数 − 本期受理数）÷ 上期受理数 × 100%；"
        "本期尚未结束的，与上期同样天数（上期同期）的受理数相比；"
        "负数表示上升"
    ),
    "resolved": gettext_lazy("期内办结且达成调解协议的件数"),
    "success_rate": gettext_lazy(
        "调处成功数 ÷（调处成功数 + 调解不成数）× 100%；撤回、不予调解转出的不计"
    ),
    "resolved_pre": gettext_lazy("法院委派（诉前）纠纷中期内调处成功的件数"),
    "success_rate_pre": gettext_lazy(
        "诉前调处成功数 ÷ 期内办结的诉前委派纠纷中调解成功与不成之和 × 100%"
    ),
    "confirmed": gettext_lazy("期内调处成功的纠纷中经人民法院裁定确认有效的件数"),
    "confirmation_rate": gettext_lazy("司法确认数 ÷ 调处成功数 × 100%"),
    "performance_rate": gettext_lazy(
        "已全部履行的协议数 ÷（已全部履行 + 有未按期履行事项的协议数）× 100%；尚在履行期内的不计"
    ),
    "satisfaction_rate": gettext_lazy(
        "回访评价为非常满意、满意、基本满意的件数 ÷ 已回访评价件数 × 100%"
    ),
    "median_days": gettext_lazy("期内调处成功纠纷从登记到办结的自然日数的中位数"),
    "p90_days": gettext_lazy("期内调处成功纠纷从登记到办结的自然日数的第90百分位数"),
    "overdue_rate": gettext_lazy(
        "期内办结纠纷中受理、调解或反馈时限曾届满（已督办或已报告上级）的件数 ÷ 办结数 × 100%"
    ),
    "share_village": gettext_lazy("由村（社区）及网格一级组织调处成功的件数 ÷ 调处成功数 × 100%"),
    "share_township": gettext_lazy("由乡镇（街道）一级组织调处成功的件数 ÷ 调处成功数 × 100%"),
    "share_county": gettext_lazy("由县级及以上组织调处成功的件数 ÷ 调处成功数 × 100%"),
    "criminal_transfer": gettext_lazy("期内调解不成后转出至公安机关的件数"),
    "group_cases": gettext_lazy("期内登记的涉群体纠纷件数"),
    "major_cases": gettext_lazy("期内登记的重大风险等级纠纷件数"),
    "concluded": gettext_lazy("期内办结（调解成功、不成、转出、撤回）的件数"),
    "warning_ack_rate": gettext_lazy(
        "签收时限在期内的预警推送中按时签收的条数 ÷ 签收时限在期内的推送条数 × 100%"
    ),
    "screening_punctuality": gettext_lazy("期内报送的排查报告中未迟报的份数 ÷ 期内报送份数 × 100%"),
    "lawsuits_per_10k": gettext_lazy("导入的民事一审收案数 ÷ 常住人口 × 10000"),
    "private_prosecutions": gettext_lazy("导入的刑事自诉案件数"),
    "private_prosecution_mediation_rate": gettext_lazy(
        "导入的刑事自诉案件诉前调解成功数 ÷ 导入的刑事自诉案件数 × 100%"
    ),
    "probation_reoffending_rate": gettext_lazy(
        "导入的缓刑人员重新犯罪数 ÷ 导入的社区矫正（缓刑）人员数 × 100%"
    ),
}
UNITS = {
    "intake": "件",
    "resolved": "件",
    "resolved_pre": "件",
    "confirmed": "件",
    "median_days": "天",
    "p90_days": "天",
    "criminal_transfer": "件",
    "group_cases": "件",
    "major_cases": "件",
    "concluded": "件",
    "lawsuits_per_10k": "件/万人",
    "private_prosecutions": "件",
}
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Value:
    key: str
    label: str
    value: Decimal | int | None
    numerator: int | None
    denominator: int | None
    unit: str
    formula: str

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value}{'%' if self.unit == '%' else ''}"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    measures: Mapping[str, Value]


@dataclass(frozen=True)
class MediatorFigures:
    cases: int
    resolved: int
    failed: int
    performed: int
    defaulted: int
    rated: int
    satisfied: int

    @property
    def success_rate(self) -> Decimal | None:
        return _pct(self.resolved, self.resolved + self.failed)

    @property
    def performance_rate(self) -> Decimal | None:
        return _pct(self.performed, self.performed + self.defaulted)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _pct(self.satisfied, self.rated)


def _pct(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * HUNDRED / Decimal(den)).quantize(TENTH, rounding=ROUND_HALF_UP)


Texts = dict[str, tuple[str, str]]


@lru_cache(maxsize=16)
def _texts(language: str | None) -> Texts:
    """Every measure's label and formula in ``language`` (a page builds a hundred rows of
    fifteen values: translating each anew, or even asking for the language each time, cost a
    quarter of its time)."""
    return {key: (str(LABELS[key]), str(FORMULAS[key])) for key in LABELS}


def _value(
    key: str,
    value: Decimal | int | None,
    num: int | None = None,
    den: int | None = None,
    texts: Texts | None = None,
) -> Value:
    label, formula = (texts or _texts(get_language()))[key]
    return Value(
        key=key,
        label=label,
        value=value,
        numerator=num,
        denominator=den,
        unit=UNITS.get(key, "%"),
        formula=formula,
    )


def _rate(key: str, num: int, den: int, texts: Texts | None = None) -> Value:
    return _value(key, _pct(num, den), num, den, texts)


def _count(key: str, n: int, texts: Texts | None = None) -> Value:
    return _value(key, n, n, None, texts)


# ---------------------------------------------------------------------------------------------
# Reading the rollups


# The rollups kept per township (or county) path, not per statistical unit.
MONTHLY = (MonthlyCount, MonthlyDuration, DailyTotal)
# The splits of the monthly rollup ``Figures.dims`` reads (the totals and the cube's fields).
CUBE_DIMS = ("", "category", "channel", "grade")


def _under(qs: QuerySet[Any], region: Region | None) -> QuerySet[Any]:
    """The rows of ``region``'s subtree: a township's monthly rows by its path (they are kept
    per township); a county's or a township's daily rows by the path of that level (one index
    range of days); otherwise the range of paths under the region's."""
    if region is None:
        return qs
    if qs.model in MONTHLY:
        if region.level == RegionLevel.TOWNSHIP:
            return qs.filter(path=region.path)
    elif region.level == RegionLevel.COUNTY:
        return qs.filter(county_path=region.path)
    elif region.level == RegionLevel.TOWNSHIP:
        return qs.filter(township_path=region.path)
    return qs.filter(subtree_q([region.path]))


def _split_period(
    region: Region | None,
    period: Period,
    daily: type[DailyCount] | type[DailyTotal] | type[DurationCount],
    monthly: type[MonthlyCount] | type[MonthlyDuration],
) -> list[QuerySet[Any]]:
    """The rows of a daily rollup and its monthly one that add up to ``period`` under
    ``region``: for a township or above, the monthly rows of whole months and the daily rows of
    the days left at either end; below, the daily rows."""
    months = (
        period.whole_months() if region is None or region.level <= RegionLevel.TOWNSHIP else None
    )
    if months is None:
        return [_under(daily.objects.filter(day__range=(period.start, period.end)), region)]
    first, last = months
    out = [_under(monthly.objects.filter(month__range=(first, last)), region)]
    last_end = Period.month(last).end
    for start, end in (
        (period.start, first - timedelta(days=1)),
        (last_end + timedelta(days=1), period.end),
    ):
        if start <= end:
            out.append(_under(daily.objects.filter(day__range=(start, end)), region))
    return out


def _sources(
    region: Region | None, period: Period, *, dims: tuple[str, ...] = ("",)
) -> list[QuerySet[Any]]:
    """The case rollup rows that add up to ``period`` under ``region``; of the monthly rows,
    the splits ``dims`` ("": the totals)."""
    return [
        qs.filter(dim__in=dims) if qs.model is MonthlyCount else qs
        for qs in _split_period(region, period, DailyCount, MonthlyCount)
    ]


def _total_sources(region: Region | None, period: Period) -> list[QuerySet[Any]]:
    """The rows that add up to ``period``'s totals under ``region``: the monthly totals, and
    for the days at either end one row per township and day (a village: its daily rows)."""
    days = DailyTotal if region is None or region.level <= RegionLevel.TOWNSHIP else DailyCount
    return [
        qs.filter(dim="") if qs.model is MonthlyCount else qs
        for qs in _split_period(region, period, days, MonthlyCount)
    ]


SUMS = {name: Sum(name) for name in MEASURES}


def _add(into: dict[str, int], row: Mapping[str, Any]) -> None:
    for name in MEASURES:
        into[name] += row.get(name) or 0


def _sum_into(
    out: dict[Any, dict[str, int]], qs: QuerySet[Any], by: Any, convert: Any = None
) -> None:
    for row in qs.annotate(g=by).values("g").annotate(**SUMS).order_by():
        _add(out[convert(row["g"]) if convert else row["g"]], row)


def _by_org(region: Region | None, period: Period) -> dict[int, dict[str, int]]:
    """Sums per org id (0: no org yet): the monthly rows' org split, the days' org column."""
    out: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for qs in _sources(region, period, dims=("org",)):
        if qs.model is MonthlyCount:
            _sum_into(out, qs, F("value"), int)
        else:
            _sum_into(out, qs, F("org_id_value"))
    return out


def _by_unit(
    region: Region | None, period: Period, of: Region, *, channel: str | None = None
) -> dict[str, dict[str, int]]:
    """Sums per region of ``of``'s level under ``region``, keyed by the start of the statistical
    unit's path as long as ``of``'s: from the monthly totals when the regions are townships or
    above (the monthly rows are kept per township), from the monthly unit split when they are
    villages; ``channel`` keeps one channel's cases (kept by the monthly rows of townships only:
    a village's channel figures are read from the daily rows)."""
    out: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    width = len(of.path)
    townships = of.level <= RegionLevel.TOWNSHIP
    months = townships or channel is None
    if not months:
        sources = [_under(DailyCount.objects.filter(day__range=(period.start, period.end)), region)]
    elif channel is not None:
        sources = _sources(region, period, dims=("channel",))
    elif townships:
        sources = _total_sources(region, period)
    else:
        sources = _sources(region, period, dims=("unit",))
    for qs in sources:
        if qs.model is not MonthlyCount:
            if channel is not None:
                qs = qs.filter(channel=channel)
            _sum_into(out, qs, Substr("path", 1, width))
        elif channel is not None:
            _sum_into(out, qs.filter(value=channel), Substr("path", 1, width))
        elif townships:
            _sum_into(out, qs, Substr("path", 1, width))
        else:
            _sum_into(out, qs, Substr("value", 1, width))
    return out


def _intake_by_unit_and_category(
    region: Region | None, period: Period, of: Region
) -> dict[str, dict[str, int]]:
    """Intake per region of ``of``'s level (a township or above) under ``region`` and per
    statistics category, keyed by the region's path: the monthly category split (kept per
    township) for whole months, the daily rows for the days at either end."""
    width = len(of.path)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for qs in _sources(region, period, dims=("category",)):
        field = "value" if qs.model is MonthlyCount else "category"
        rows = (
            qs.annotate(g=Substr("path", 1, width))
            .values_list("g", field)
            .annotate(n=Sum("intake"))
            .order_by()
        )
        for unit, category, n in rows:
            if n:
                out[unit][str(statistics_category(category))] += n
    return out


def _intake(region: Region | None, period: Period) -> int:
    return sum(qs.aggregate(n=Sum("intake"))["n"] or 0 for qs in _total_sources(region, period))


def _durations(region: Region | None, period: Period) -> list[tuple[int, int]]:
    """The histogram of days taken: (days, cases) in order of days."""
    histogram: dict[int, int] = defaultdict(int)
    for qs in _split_period(region, period, DurationCount, MonthlyDuration):
        for days, n in qs.values_list("days").annotate(n=Sum("cases")).order_by():
            histogram[days] += n
    return sorted(histogram.items())


def _quantile(histogram: list[tuple[int, int]], q: Decimal) -> int | None:
    """The smallest number of days by which a share ``q`` of the cases were resolved (nearest
    rank on the exact histogram)."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    rank = max(1, int((q * total).to_integral_value(rounding="ROUND_CEILING")))
    seen = 0
    for days, n in histogram:
        seen += n
        if seen >= rank:
            return days
    return histogram[-1][0]


def _concluded(s: Mapping[str, int]) -> int:
    return s["resolved"] + s["failed"] + s["referred"] + s["withdrawn"]


# The measures a row of sums gives by itself, each from the sums and the texts of the language.
FROM_SUMS: dict[str, Callable[[Mapping[str, int], Texts], Value]] = {
    "intake": lambda s, t: _count("intake", s["intake"], t),
    "resolved": lambda s, t: _count("resolved", s["resolved"], t),
    "success_rate": lambda s, t: _rate(
        "success_rate", s["resolved"], s["resolved"] + s["failed"], t
    ),
    "concluded": lambda s, t: _count("concluded", _concluded(s), t),
    "confirmed": lambda s, t: _count("confirmed", s["confirmed"], t),
    "confirmation_rate": lambda s, t: _rate("confirmation_rate", s["confirmed"], s["resolved"], t),
    "performance_rate": lambda s, t: _rate(
        "performance_rate", s["performed"], s["performed"] + s["defaulted"], t
    ),
    "satisfaction_rate": lambda s, t: _rate("satisfaction_rate", s["satisfied"], s["rated"], t),
    "overdue_rate": lambda s, t: _rate("overdue_rate", s["overdue"], _concluded(s), t),
    "share_village": lambda s, t: _rate("share_village", s["level_village"], s["resolved"], t),
    "share_township": lambda s, t: _rate("share_township", s["level_township"], s["resolved"], t),
    "share_county": lambda s, t: _rate("share_county", s["level_county"], s["resolved"], t),
    "criminal_transfer": lambda s, t: _count("criminal_transfer", s["criminal_transfer"], t),
    "group_cases": lambda s, t: _count("group_cases", s["intake_group"], t),
    "major_cases": lambda s, t: _count("major_cases", s["intake_major"], t),
}


class Values(MutableMapping[str, Value]):
    """The measures of a row of sums (``FROM_SUMS``) and any set on it, each made when first
    read: a page lists a hundred rows and reads five or six measures of each."""

    __slots__ = ("_made", "_sums", "_texts")

    def __init__(self, sums: Mapping[str, int], texts: Texts) -> None:
        self._sums = sums
        self._texts = texts
        self._made: dict[str, Value] = {}

    def __getitem__(self, key: str) -> Value:
        made = self._made.get(key)
        if made is None:
            make = FROM_SUMS.get(key)
            if make is None:
                raise KeyError(key)
            made = self._made[key] = make(self._sums, self._texts)
        return made

    def __setitem__(self, key: str, value: Value) -> None:
        self._made[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("measures are not removed")

    def __iter__(self) -> Iterator[str]:
        yield from FROM_SUMS
        yield from (key for key in self._made if key not in FROM_SUMS)

    def __len__(self) -> int:
        return len(FROM_SUMS) + sum(1 for key in self._made if key not in FROM_SUMS)


def _from_sums(s: Mapping[str, int]) -> Values:
    """The measures a row of sums gives by itself."""
    return Values(s, _texts(get_language()))


def _warning_ack(region: Region | None, period: Period) -> Value:
    start, end = _bounds(period)
    notices = WarningNotice.objects.filter(due_at__gte=start, due_at__lt=end)
    if region is not None:
        notices = notices.filter(subtree_q([region.path], "org__region__path"))
    counts = notices.aggregate(
        due=Count("pk"),
        on_time=Count(
            "pk", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("due_at"))
        ),
    )
    return _rate("warning_ack_rate", counts["on_time"], counts["due"])


def _screening(region: Region | None, period: Period) -> Value:
    start, end = _bounds(period)
    reports = ScreeningReport.objects.filter(filed_at__gte=start, filed_at__lt=end)
    if region is not None:
        reports = reports.filter(subtree_q([region.path], "unit__path"))
    counts = reports.aggregate(filed=Count("pk"), on_time=Count("pk", filter=Q(is_late=False)))
    return _rate("screening_punctuality", counts["on_time"], counts["filed"])


def _bounds(period: Period) -> tuple[Any, Any]:
    from datetime import datetime, time

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return (
        datetime.combine(period.start, time.min, tz),
        datetime.combine(period.end + timedelta(days=1), time.min, tz),
    )


def _covering_sum(rows: list[tuple[date, date, Decimal]], period: Period) -> Decimal | None:
    """The sum of imported figures ordered by start when they cover ``period`` without a gap."""
    day = period.start
    total = Decimal(0)
    for start, end, value in rows:
        if start != day:
            return None
        total += value
        day = end + timedelta(days=1)
    return total if rows and day == period.end + timedelta(days=1) else None


def _lawsuits_per_10k(region: Region | None, period: Period) -> Value:
    if region is None:
        return _value("lawsuits_per_10k", None)
    rows: dict[str, list[tuple[date, date, Decimal]]] = defaultdict(list)
    for indicator, start, end, value in (
        ExternalFigure.objects.filter(
            region=region,
            indicator__in=(ExternalIndicator.CIVIL_FILINGS, ExternalIndicator.POPULATION),
            period_start__gte=period.start,
            period_end__lte=period.end,
        )
        .order_by("indicator", "period_start")
        .values_list("indicator", "period_start", "period_end", "value")
    ):
        rows[indicator].append((start, end, value))
    return _per_10k(
        region,
        _covering_sum(rows[ExternalIndicator.CIVIL_FILINGS], period),
        _covering_sum(rows[ExternalIndicator.POPULATION], period),
    )


def _per_10k(region: Region, filings: Decimal | None, population: Decimal | None) -> Value:
    """万人起诉率 from the imported filings and population (else the region's own)."""
    population = population or (Decimal(region.population) if region.population else None)
    if filings is None or not population:
        return _value("lawsuits_per_10k", None)
    value = (filings * 10000 / population).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _value("lawsuits_per_10k", value, int(filings), int(population))


def _intake_change(intake: int, previous: int) -> Value:
    change = (
        (Decimal(previous - intake) * HUNDRED / previous).quantize(TENTH, rounding=ROUND_HALF_UP)
        if previous
        else None
    )
    return _value("intake_change", change, previous - intake, previous)


def _pre(pre: Mapping[str, int]) -> dict[str, Value]:
    return {
        "resolved_pre": _count("resolved_pre", pre["resolved"]),
        "success_rate_pre": _rate(
            "success_rate_pre", pre["resolved"], pre["resolved"] + pre["failed"]
        ),
    }


CUBE = ("category", "channel", "grade")
BREAKDOWNS = ("region", "category", "channel", "grade", "org", "level")


class Figures:
    """The figures of one region over one period. Each rollup source is read once for the totals
    and the category, channel and grade splits (a monthly source has a row per split; a daily
    one is grouped by the three fields and split here): the totals, the 诉前 figures and three of
    the breakdowns are added up from that one read of at most a few thousand rows."""

    def __init__(self, region: Region | None, period: Period) -> None:
        self.region = region
        self.period = period
        self._dims: dict[tuple[str, str], dict[str, int]] | None = None

    @property
    def dims(self) -> dict[tuple[str, str], dict[str, int]]:
        """Sums by (split, value): ("", "") for the totals, ("channel", "court_pre")…"""
        if self._dims is None:
            out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for qs in _sources(self.region, self.period, dims=CUBE_DIMS):
                if qs.model is MonthlyCount:
                    for row in qs.values("dim", "value").annotate(**SUMS).order_by():
                        _add(out[(row["dim"], row["value"])], row)
                    continue
                for row in qs.values(*CUBE).annotate(**SUMS).order_by():
                    _add(out[("", "")], row)
                    for name in CUBE:
                        _add(out[(name, row[name])], row)
            self._dims = out
        return self._dims

    def sums(self, **where: str) -> dict[str, int]:
        """The totals, or those of one split value (``channel="court_pre"``)."""
        if not where:
            return self.dims.get(("", ""), defaultdict(int))
        ((name, value),) = where.items()
        return self.dims.get((name, value), defaultdict(int))

    def _by(self, name: str) -> dict[str, dict[str, int]]:
        return {value: sums for (dim, value), sums in self.dims.items() if dim == name}

    def measures(self) -> Values:
        """Every measure (docs/measures.md)."""
        region, period = self.region, self.period
        sums = self.sums()
        out = _from_sums(sums)
        compared = period.compared_with(timezone.localdate())
        out["intake_change"] = _intake_change(sums["intake"], _intake(region, compared))
        out.update(_pre(self.sums(channel=PRE_FILING)))
        histogram = _durations(region, period)
        out["median_days"] = _value("median_days", _quantile(histogram, Decimal("0.5")))
        out["p90_days"] = _value("p90_days", _quantile(histogram, Decimal("0.9")))
        out["warning_ack_rate"] = _warning_ack(region, period)
        out["screening_punctuality"] = _screening(region, period)
        out["lawsuits_per_10k"] = _lawsuits_per_10k(region, period)
        return out

    def breakdown(self, by: str, *, children: list[Region] | None = None) -> list[Row]:
        """The measures split by ``by`` (one of ``BREAKDOWNS``), largest intake first; by
        region, the region's ``children`` when the caller has read them already."""
        region, period = self.region, self.period
        if by == "level":
            s = self.sums()
            return [
                Row(level, str(label), {"resolved": _count("resolved", s[f"level_{level}"])})
                for level, label in (
                    ("village", _("村（社区）")),
                    ("township", _("乡镇（街道）")),
                    ("county", _("县级")),
                )
            ]
        if by == "region":
            return _by_children(region, period, children)
        if by == "org":
            groups = _by_org(region, period)
            names = dict(Organization.objects.filter(pk__in=groups).values_list("pk", "name"))
            labelled = {(str(k), names.get(k, _("未交办"))): v for k, v in groups.items()}
        elif by == "category":
            merged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for key, sums in self._by("category").items():
                _add(merged[str(statistics_category(key))], sums)
            labelled = {(k, str(DisputeCategory(k).label)): v for k, v in merged.items()}
        elif by == "channel":
            labelled = {
                (k, str(IntakeChannel(k).label) if k in IntakeChannel.values else k): v
                for k, v in self._by("channel").items()
            }
        elif by == "grade":
            labelled = {
                (k, str(RiskGrade(k).label) if k in RiskGrade.values else _("未研判")): v
                for k, v in self._by("grade").items()
            }
        else:
            raise ValueError(f"unknown breakdown {by!r}")
        rows = [Row(key, label, _from_sums(sums)) for (key, label), sums in labelled.items()]
        return sorted(rows, key=lambda r: (-(r.measures["intake"].value or 0), r.label))

    def hot_spots(self, children: list[Region]) -> dict[str, dict[str, int]]:
        """纠纷热点: the intake of each of ``children`` (the region's townships, or its
        counties…) per statistics category, keyed by the child's path; none for villages, whose
        categories the monthly rows do not split (their intake is in ``breakdown("region")``)."""
        if not children or children[0].level > RegionLevel.TOWNSHIP:
            return {}
        return _intake_by_unit_and_category(self.region, self.period, children[0])

    def trend(self, step: str) -> list[tuple[date, Values]]:
        return trend(self.region, self.period, step=step)


def measures_for(region: Region | None, period: Period) -> Values:
    """Every measure of ``region`` (None: everything) over ``period``."""
    return Figures(region, period).measures()


def breakdown(region: Region | None, period: Period, *, by: str) -> list[Row]:
    """The measures of ``region`` over ``period`` split by ``by`` (one of ``BREAKDOWNS``),
    largest intake first."""
    return Figures(region, period).breakdown(by)


def _by_children(
    region: Region | None, period: Period, children: list[Region] | None = None
) -> list[Row]:
    if children is None:
        children = list(
            (
                Region.objects.filter(parent=region)
                if region is not None
                else Region.objects.filter(parent__isnull=True)
            )
            .order_by("path")
            .only("name", "path", "level")
        )
    if not children:
        return []
    groups = _by_unit(region, period, children[0])
    rows = [
        Row(str(c.pk), c.name, _from_sums(groups.get(c.path, defaultdict(int)))) for c in children
    ]
    return sorted(rows, key=lambda r: (-(r.measures["intake"].value or 0), r.label))


def trend(region: Region | None, period: Period, *, step: str) -> list[tuple[date, Values]]:
    """The measures per day, week or month across ``period`` (every step listed, empty ones too)."""
    if step not in ("day", "week", "month"):
        raise ValueError(f"unknown step {step!r}")
    by_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if step == "month":
        for qs in _total_sources(region, period):
            field = "month" if qs.model is MonthlyCount else "day"
            for row in qs.values(field).annotate(**SUMS).order_by():
                _add(by_day[row[field].replace(day=1)], row)
    else:
        # A township or above reads its days' totals; a village, its own daily rows.
        days = DailyTotal if region is None or region.level <= RegionLevel.TOWNSHIP else DailyCount
        qs = _under(days.objects.filter(day__range=(period.start, period.end)), region)
        for row in qs.values("day").annotate(**SUMS).order_by():
            start = (
                row["day"] if step == "day" else row["day"] - timedelta(days=row["day"].weekday())
            )
            _add(by_day[start], row)
    out = []
    cursor = {
        "day": period.start,
        "week": Period.week(period.start).start,
        "month": period.start.replace(day=1),
    }[step]
    while cursor <= period.end:
        out.append((cursor, _from_sums(by_day.get(cursor, defaultdict(int)))))
        cursor = (
            cursor + timedelta(days=1)
            if step == "day"
            else cursor + timedelta(days=7)
            if step == "week"
            else Period.month(cursor).end + timedelta(days=1)
        )
    return out


def org_people(region: Region, org_id: int, period: Period) -> list[Row]:
    """An org's figures under ``region`` per handler of record (调解员), as the rollups count
    them — intake on the day a case was registered, its outcome on the day it was concluded —
    read from the org's facts of the period (an org's, not a county's: hundreds of cases a
    year) through ``rollups.contributions``, the one place that says what a case adds where.
    Row keys are user ids ("" for cases no one handles yet), largest intake first."""
    from fengqiao.accounts.models import User
    from fengqiao.stats.facts import Fact
    from fengqiao.stats.rollups import contributions

    facts = CaseFact.objects.filter(org_id_value=org_id).filter(
        Q(registered_on__range=(period.start, period.end))
        | Q(concluded_on__range=(period.start, period.end))
    )
    facts = _under(facts, region)
    sums: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in facts.iterator(chunk_size=2000):
        fact = Fact.of_row(row)
        for (table, key), counts in contributions(fact).items():
            if table is DailyCount and period.start <= key[1] <= period.end:
                _add(sums[fact.handler_id], counts)
    names = {
        pk: real_name or username
        for pk, real_name, username in User.objects.filter(
            pk__in=[pk for pk in sums if pk]
        ).values_list("pk", "real_name", "username")
    }
    rows = [
        Row(str(pk or ""), names.get(pk, "") if pk else _("未指定调解员"), _from_sums(counts))
        for pk, counts in sums.items()
    ]
    return sorted(rows, key=lambda r: (-(r.measures["intake"].value or 0), r.label))


def mediator_figures(user_ids: Iterable[int], period: Period) -> dict[int, MediatorFigures]:
    """Each mediator's cases concluded in ``period`` (as the handler of record), read through the
    facts' (handler, concluded) index: a mediator concludes hundreds of cases a year, not more."""
    ids = list(set(user_ids))
    out = {pk: MediatorFigures(0, 0, 0, 0, 0, 0, 0) for pk in ids}
    if not ids:
        return out
    rows = (
        CaseFact.objects.filter(handler_id__in=ids, concluded_on__range=(period.start, period.end))
        .values("handler_id")
        .annotate(
            cases=Count("pk"),
            resolved=Count("pk", filter=Q(outcome="resolved")),
            failed=Count("pk", filter=Q(outcome="failed")),
            performed=Count("pk", filter=Q(performed=True)),
            defaulted=Count("pk", filter=Q(defaulted=True)),
            rated=Count("pk", filter=Q(satisfaction__isnull=False)),
            satisfied=Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM)),
        )
        .order_by()
    )
    for row in rows:
        out[row["handler_id"]] = MediatorFigures(
            cases=row["cases"],
            resolved=row["resolved"],
            failed=row["failed"],
            performed=row["performed"],
            defaulted=row["defaulted"],
            rated=row["rated"],
            satisfied=row["satisfied"],
        )
    return out


# ---------------------------------------------------------------------------------------------
# Many regions at once: the assessment ranks every township, or every village, of a county.

# The imported figures the per-region measures read, in one query.
EXTERNAL_READ = (
    ExternalIndicator.CIVIL_FILINGS,
    ExternalIndicator.POPULATION,
    ExternalIndicator.PRIVATE_PROSECUTIONS,
    ExternalIndicator.PRIVATE_PROSECUTIONS_MEDIATED,
    ExternalIndicator.PROBATIONERS,
    ExternalIndicator.PROBATION_REOFFENDERS,
)


def _external_rate(key: str, num: Decimal | None, den: Decimal | None) -> Value:
    if num is None or den is None:
        return _value(key, None)
    return _rate(key, int(num), int(den))


def _externals(region: Region, figures: Mapping[Any, Decimal | None]) -> dict[str, Value]:
    """The measures of the imported figures (None where a figure is not imported)."""
    prosecutions = figures.get(ExternalIndicator.PRIVATE_PROSECUTIONS)
    return {
        "lawsuits_per_10k": _per_10k(
            region,
            figures.get(ExternalIndicator.CIVIL_FILINGS),
            figures.get(ExternalIndicator.POPULATION),
        ),
        "private_prosecutions": _value(
            "private_prosecutions",
            int(prosecutions) if prosecutions is not None else None,
            int(prosecutions) if prosecutions is not None else None,
        ),
        "private_prosecution_mediation_rate": _external_rate(
            "private_prosecution_mediation_rate",
            figures.get(ExternalIndicator.PRIVATE_PROSECUTIONS_MEDIATED),
            prosecutions,
        ),
        "probation_reoffending_rate": _external_rate(
            "probation_reoffending_rate",
            figures.get(ExternalIndicator.PROBATION_REOFFENDERS),
            figures.get(ExternalIndicator.PROBATIONERS),
        ),
    }


def _durations_by_unit(
    within: Region, period: Period, of: Region
) -> dict[str, list[tuple[int, int]]]:
    """The histogram of days taken (as ``_durations``) of each region of ``of``'s level under
    ``within``, keyed by its path: the monthly histograms (kept per township) when the regions
    are townships or above, else the daily ones (as ``_split_period`` reads for one village)."""
    width = len(of.path)
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if of.level <= RegionLevel.TOWNSHIP:
        sources = _split_period(within, period, DurationCount, MonthlyDuration)
    else:
        sources = [
            _under(DurationCount.objects.filter(day__range=(period.start, period.end)), within)
        ]
    for qs in sources:
        rows = (
            qs.annotate(g=Substr("path", 1, width))
            .values_list("g", "days")
            .annotate(n=Sum("cases"))
            .order_by()
        )
        for unit, days, n in rows:
            histograms[unit][days] += n
    return {unit: sorted(h.items()) for unit, h in histograms.items()}


def _punctuality_by_unit(
    within: Region, period: Period, of: Region
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """(on time, all) of the warnings due and of the screening reports filed in ``period``, per
    region of ``of``'s level under ``within`` (as ``_warning_ack`` and ``_screening``): one
    query each."""
    width = len(of.path)
    start, end = _bounds(period)
    warnings = {
        row["g"]: (row["on_time"], row["due"])
        for row in WarningNotice.objects.filter(
            subtree_q([within.path], "org__region__path"), due_at__gte=start, due_at__lt=end
        )
        .annotate(g=Substr("org__region__path", 1, width))
        .values("g")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("due_at"))
            ),
        )
        .order_by()
    }
    screening = {
        row["g"]: (row["on_time"], row["filed"])
        for row in ScreeningReport.objects.filter(
            subtree_q([within.path], "unit__path"), filed_at__gte=start, filed_at__lt=end
        )
        .annotate(g=Substr("unit__path", 1, width))
        .values("g")
        .annotate(filed=Count("pk"), on_time=Count("pk", filter=Q(is_late=False)))
        .order_by()
    }
    return warnings, screening


def region_measures(within: Region, regions: list[Region], period: Period) -> dict[int, Values]:
    """The measures of each of ``regions`` (all of one level, all under ``within``) over
    ``period`` in a constant number of queries, whatever their number: every key of
    ``measures_for`` (the case rollups, the histograms of days taken, the warnings and the
    screening reports, each grouped by region in one query per source) and the measures of the
    imported figures (``lawsuits_per_10k``, ``private_prosecutions``,
    ``private_prosecution_mediation_rate``, ``probation_reoffending_rate``)."""
    if not regions:
        return {}
    width = len(regions[0].path)
    if any(len(r.path) != width or not r.path.startswith(within.path) for r in regions):
        raise ValueError("regions of one level under one region")
    now = _by_unit(within, period, regions[0])
    before = _by_unit(within, period.compared_with(timezone.localdate()), regions[0])
    pre = _by_unit(within, period, regions[0], channel=PRE_FILING)
    rows: dict[tuple[int, str], list[tuple[date, date, Decimal]]] = defaultdict(list)
    for region_id, indicator, start, end, value in (
        ExternalFigure.objects.filter(
            region__in=regions,
            indicator__in=EXTERNAL_READ,
            period_start__gte=period.start,
            period_end__lte=period.end,
        )
        .order_by("region_id", "indicator", "period_start")
        .values_list("region_id", "indicator", "period_start", "period_end", "value")
    ):
        rows[(region_id, indicator)].append((start, end, value))
    histograms = _durations_by_unit(within, period, regions[0])
    warnings, screening = _punctuality_by_unit(within, period, regions[0])
    empty: dict[str, int] = defaultdict(int)
    out: dict[int, Values] = {}
    for region in regions:
        sums = now.get(region.path, empty)
        values = _from_sums(sums)
        values["intake_change"] = _intake_change(
            sums["intake"], before.get(region.path, empty)["intake"]
        )
        values.update(_pre(pre.get(region.path, empty)))
        histogram = histograms.get(region.path, [])
        values["median_days"] = _value("median_days", _quantile(histogram, Decimal("0.5")))
        values["p90_days"] = _value("p90_days", _quantile(histogram, Decimal("0.9")))
        values["warning_ack_rate"] = _rate("warning_ack_rate", *warnings.get(region.path, (0, 0)))
        values["screening_punctuality"] = _rate(
            "screening_punctuality", *screening.get(region.path, (0, 0))
        )
        figures = {
            indicator: _covering_sum(rows.get((region.pk, indicator), []), period)
            for indicator in EXTERNAL_READ
        }
        values.update(_externals(region, figures))
        out[region.pk] = values
    return out
