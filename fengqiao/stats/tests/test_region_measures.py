"""``region_measures``: the measures of every township or village of a county at once equal
``measures_for`` of each; the measures of imported figures on a hand-computed fixture."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.choices import ExternalIndicator
from fengqiao.stats.measures import measures_for, region_measures
from fengqiao.stats.models import ExternalFigure
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.usefixtures("demo_county")


@pytest.mark.parametrize("level", [RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
@pytest.mark.parametrize("kind", ["quarter", "year", "custom"])
def test_many_regions_at_once_equal_each_alone(
    db: None,
    level: int,
    kind: str,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    regions = list(Region.objects.filter(level=level).order_by("path"))
    today = timezone.localdate()
    period = (
        Period(today - timedelta(days=200), today - timedelta(days=20))
        if kind == "custom"
        else Period.of(kind, today)
    )
    with django_assert_max_num_queries(16):
        together = region_measures(county, regions, period)
    assert sum(together[r.pk]["intake"].value for r in regions) > 0  # type: ignore[misc]
    for region in regions:
        alone = measures_for(region, period)
        assert set(alone) <= set(together[region.pk]), (region.name, set(alone))
        for key, value in together[region.pk].items():
            if key in alone:
                assert value == alone[key], (region.name, key)
    # The demo county's regions have days to resolve, warnings and screening reports: the
    # equality above compares figures, not only missing ones (the demo pushes its warnings to
    # township and county orgs, so a village has no warning figure, and dates them in the last
    # weeks, which the custom range may leave out).
    keys = ["median_days", "p90_days", "screening_punctuality"]
    if level == RegionLevel.TOWNSHIP and kind != "custom":
        keys.append("warning_ack_rate")
    for key in keys:
        assert any(together[r.pk][key].value is not None for r in regions), key


def test_the_measures_of_imported_figures_by_hand(db: None) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    town, other = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("path")[:2]
    quarter = Period.quarter(date(2025, 4, 1))
    months = [Period.month(date(2025, m, 1)) for m in (4, 5, 6)]

    def add(region: Region, indicator: str, value: int, period: Period) -> None:
        ExternalFigure.objects.create(
            region=region,
            indicator=indicator,
            period_start=period.start,
            period_end=period.end,
            value=Decimal(value),
            source="测试",
        )

    # Filings imported per month (10 + 12 + 8 = 30) over a population of 24,000: 12.50.
    for month, n in zip(months, (10, 12, 8), strict=True):
        add(town, ExternalIndicator.CIVIL_FILINGS, n, month)
    add(town, ExternalIndicator.POPULATION, 24000, quarter)
    # 自诉 8, of which 3 mediated before filing: 37.5%. 缓刑 40, 1 re-offended: 2.5%.
    add(town, ExternalIndicator.PRIVATE_PROSECUTIONS, 8, quarter)
    add(town, ExternalIndicator.PRIVATE_PROSECUTIONS_MEDIATED, 3, quarter)
    add(town, ExternalIndicator.PROBATIONERS, 40, quarter)
    add(town, ExternalIndicator.PROBATION_REOFFENDERS, 1, quarter)
    # The other township: two of three months of filings — a gap is no figure.
    add(other, ExternalIndicator.CIVIL_FILINGS, 5, months[0])
    add(other, ExternalIndicator.CIVIL_FILINGS, 5, months[2])

    values = region_measures(county, [town, other], quarter)

    mine = values[town.pk]
    assert (mine["lawsuits_per_10k"].value, mine["lawsuits_per_10k"].numerator) == (
        Decimal("12.50"),
        30,
    )
    assert mine["lawsuits_per_10k"] == measures_for(town, quarter)["lawsuits_per_10k"]
    assert mine["private_prosecutions"].value == 8
    assert mine["private_prosecution_mediation_rate"].value == Decimal("37.5")
    assert (
        mine["probation_reoffending_rate"].numerator,
        mine["probation_reoffending_rate"].denominator,
    ) == (1, 40)
    assert mine["probation_reoffending_rate"].value == Decimal("2.5")
    theirs = values[other.pk]
    assert theirs["lawsuits_per_10k"].value is None
    assert theirs["private_prosecutions"].value is None
    assert theirs["probation_reoffending_rate"].display == "—"


def test_regions_of_mixed_levels_are_refused(db: None) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    village = Region.objects.filter(level=RegionLevel.VILLAGE).first()
    with pytest.raises(ValueError):
        region_measures(county, [town, village], Period.year(date(2025, 1, 1)))
