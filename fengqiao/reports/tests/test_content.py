"""The content read from stats for the demo county: the figures are the measures' own, the
category mix adds up to the intake, the townships are ranked, the hot spots rose, and the
rules' sentences come with them; then the year's report is generated into its files."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear

from fengqiao.disputes.models import Case
from fengqiao.regions.models import Region
from fengqiao.reports.choices import ReportKind
from fengqiao.reports.content import build_content
from fengqiao.stats.measures import measures_for
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_year(demo_county: None) -> tuple[Region, Period]:
    county = Region.objects.get(level=3)
    busiest = (
        Case.objects.annotate(y=ExtractYear("registered_at"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    return county, Period.year(date(busiest["y"], 6, 1))


def test_the_content_is_the_measures_of_the_region_and_period(
    county_year: tuple[Region, Period],
) -> None:
    county, period = county_year
    content = build_content(kind=ReportKind.YEARLY, region=county, period=period)
    measures = measures_for(county, period)
    intake = content.figure("intake")
    assert intake is not None
    assert intake.value == measures["intake"].value
    assert intake.value > 0
    success = content.figure("success_rate")
    assert success is not None
    assert (success.numerator, success.denominator) == (
        measures["success_rate"].numerator,
        measures["success_rate"].denominator,
    )
    assert success.formula == measures["success_rate"].formula
    assert sum(row.count for row in content.categories) == intake.value
    assert sum(point.intake for point in content.trend) == intake.value
    assert len(content.trend) == 12
    assert content.title == f"{county.name}{period.label}年考核"
    townships = set(Region.objects.filter(parent=county).values_list("name", flat=True))
    assert {row.label for row in content.ranking} == townships
    rates = [row.figures[2].value for row in content.ranking]
    assert rates == sorted(rates, key=lambda v: -(v or -1))
    assert all(row.increase > 0 for row in content.hot_regions + content.hot_categories)
    assert content.recommendations


def test_a_weekly_report_has_no_ranking_and_a_daily_trend(
    county_year: tuple[Region, Period],
) -> None:
    county, period = county_year
    week = Period.week(period.start.replace(month=6, day=10))
    content = build_content(kind=ReportKind.WEEKLY, region=county, period=week)
    assert content.ranking == []
    assert len(content.trend) == 7
    assert content.sections[0] == "一、主要指标"
    survey = build_content(kind=ReportKind.ANNUAL_SURVEY, region=county, period=period)
    assert survey.sections[0] == "一、矛盾纠纷基本情况"
    assert survey.sections[5] == "六、对策与建议"


def test_a_township_report_ranks_its_villages(county_year: tuple[Region, Period]) -> None:
    county, period = county_year
    town: Any = Region.objects.filter(parent=county).order_by("path").first()
    content = build_content(
        kind=ReportKind.QUARTERLY, region=town, period=Period.quarter(period.start)
    )
    assert content.ranking_of == "村（社区）"
    assert {r.label for r in content.ranking} == set(
        Region.objects.filter(parent=town).values_list("name", flat=True)
    )
