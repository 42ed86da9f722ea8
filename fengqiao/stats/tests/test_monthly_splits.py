"""A township's villages, orgs and days to resolve over whole months are read from the monthly
splits: they must say what the cases say (the demo county seed_demo builds)."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.measures import Figures, _quantile
from fengqiao.stats.models import CaseFact, DailyTotal, MonthlyCount, MonthlyDuration
from fengqiao.stats.periods import Period
from fengqiao.stats.services import rollups_check

pytestmark = pytest.mark.usefixtures("demo_county")


def _busiest_township() -> Region:
    counts = Counter(CaseFact.objects.values_list("township_path", flat=True))
    towns = Region.objects.filter(path__in=counts, level=RegionLevel.TOWNSHIP)
    return max(towns, key=lambda town: counts[town.path])


def _year() -> Period:
    return Period.year(timezone.localdate())


def test_a_townships_orgs_and_villages_over_whole_months_equal_its_cases(db: None) -> None:
    town = _busiest_township()
    period = _year()
    facts = CaseFact.objects.filter(township_path=town.path)
    registered = facts.filter(registered_on__range=(period.start, period.end))
    resolved = facts.filter(concluded_on__range=(period.start, period.end), outcome="resolved")
    figures = Figures(town, period)

    orgs = {row.key: row.measures for row in figures.breakdown("org")}
    expected_intake = Counter(str(o) for o in registered.values_list("org_id_value", flat=True))
    assert {k: v["intake"].value for k, v in orgs.items() if v["intake"].value} == dict(
        expected_intake
    )
    expected_resolved = Counter(str(o) for o in resolved.values_list("org_id_value", flat=True))
    assert {k: v["resolved"].value for k, v in orgs.items() if v["resolved"].value} == dict(
        expected_resolved
    )

    villages = {row.key: row.measures["resolved"].value for row in figures.breakdown("region")}
    for village in Region.objects.filter(parent=town):
        assert villages[str(village.pk)] == resolved.filter(path__startswith=village.path).count()

    days = sorted(resolved.values_list("days", flat=True))
    assert days, "the demo township resolves cases this year"
    values = figures.measures()
    histogram = sorted(Counter(days).items())
    assert values["median_days"].value == _quantile(histogram, Decimal("0.5"))
    assert values["p90_days"].value == _quantile(histogram, Decimal("0.9"))


def test_a_period_cut_mid_month_adds_the_days_at_its_ends(db: None) -> None:
    """A custom range from the 10th to the 20th of a later month: whole months from the monthly
    rows, the ends from the daily rows — the same as the cases."""
    town = _busiest_township()
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=70)).replace(day=10)
    end = today.replace(day=min(today.day, 20))
    period = Period(start, end)
    facts = CaseFact.objects.filter(township_path=town.path)
    intake = Counter(
        str(o)
        for o in facts.filter(registered_on__range=(start, end)).values_list(
            "org_id_value", flat=True
        )
    )
    orgs = {row.key: row.measures["intake"].value for row in Figures(town, period).breakdown("org")}
    assert {k: v for k, v in orgs.items() if v} == dict(intake)


def test_the_migration_writes_the_splits_of_figures_kept_before_it(db: None) -> None:
    """Rollups kept before 0002 had no unit or org split and no monthly histogram: the
    migration sums them from the daily rows, and the result is what a recount gives."""
    MonthlyCount.objects.filter(dim__in=("unit", "org")).delete()
    MonthlyDuration.objects.all().delete()
    assert not rollups_check().ok

    migration = importlib.import_module("fengqiao.stats.migrations.0002_monthly_splits")
    migration.add_splits(apps, None)

    result = rollups_check()
    assert result.ok, result.row_differences[:5]
    assert MonthlyCount.objects.filter(dim="unit").exists()
    assert MonthlyDuration.objects.exists()


def test_a_townships_weekly_trend_counts_its_cases_by_week(db: None) -> None:
    """The day and week trends of a township read the days' totals (DailyTotal)."""
    town = _busiest_township()
    today = timezone.localdate()
    quarter = Period(today - timedelta(days=90), today)
    trend = Figures(town, quarter).trend("week")
    registered = CaseFact.objects.filter(
        township_path=town.path, registered_on__range=(quarter.start, quarter.end)
    ).values_list("registered_on", flat=True)
    expected = Counter(day - timedelta(days=day.weekday()) for day in registered)
    assert {week: v["intake"].value for week, v in trend if v["intake"].value} == dict(expected)
    assert sum(expected.values()) > 0


def test_migration_0004_writes_the_days_totals_of_figures_kept_before_it(db: None) -> None:
    DailyTotal.objects.all().delete()
    assert not rollups_check().ok

    migration = importlib.import_module("fengqiao.stats.migrations.0004_daily_total")
    migration.add_totals(apps, None)

    result = rollups_check()
    assert result.ok, result.row_differences[:5]


def test_a_period_under_way_is_compared_with_the_same_days_before() -> None:
    """纠纷下降率 of a month, quarter or year under way compares with as many days of the period
    before (上期同期), not with the whole of it; a period that is over, with the whole."""
    from datetime import date

    dec5 = date(2026, 12, 5)
    assert Period.month(dec5).compared_with(dec5) == Period(date(2026, 11, 1), date(2026, 11, 5))
    assert Period.year(dec5).compared_with(dec5) == Period(date(2025, 1, 1), date(2025, 12, 5))
    # The month before is shorter: it is compared whole.
    mar30 = date(2027, 3, 30)
    assert Period.month(mar30).compared_with(mar30) == Period.month(date(2027, 2, 1))
    # Over (its last day, or later): the whole period before.
    nov = Period.month(date(2026, 11, 1))
    assert nov.compared_with(date(2026, 11, 30)) == nov.previous()
    assert nov.compared_with(dec5) == nov.previous()


def test_the_intake_change_of_the_month_under_way_counts_the_same_days_of_last_month(
    db: None,
) -> None:
    town = _busiest_township()
    today = timezone.localdate()
    month = Period.month(today)
    before = month.compared_with(today)
    facts = CaseFact.objects.filter(township_path=town.path)
    now = facts.filter(registered_on__range=(month.start, today)).count()
    then = facts.filter(registered_on__range=(before.start, before.end)).count()
    change = Figures(town, month).measures()["intake_change"]
    assert (change.numerator, change.denominator) == (then - now, then)
