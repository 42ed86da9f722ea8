"""The content read from stats for the demo county: the figures are the measures' own, the
category mix adds up to the intake, the townships are ranked, the hot spots rose, and the
rules' sentences come with them; then the year's report is generated into its files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.assessment.choices import Level
from fengqiao.assessment.models import Indicator, Scheme
from fengqiao.assessment.selectors import default_period, ranking_of
from fengqiao.assessment.services import ranking_publish, scheme_create_default
from fengqiao.disputes.models import Case
from fengqiao.regions.models import Region
from fengqiao.reports.choices import ReportKind
from fengqiao.reports.content import build_content
from fengqiao.reports.render import render_all
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
    assert {row.label for row in content.regions} == townships
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
    villages = set(Region.objects.filter(parent=town).values_list("name", flat=True))
    assert {r.label for r in content.regions} == villages


# --- The assessment's ranking in the 季通报, 年考核 and annual report -----------------------


def _scheme_for(county: Region, year: int) -> None:
    scheme_create_default(actor=None, county=county, year=year, check=False)


def test_the_yearly_report_ranks_townships_by_the_assessment_score_as_a_trial(
    county_year: tuple[Region, Period],
) -> None:
    county, period = county_year
    _scheme_for(county, period.start.year)
    content = build_content(kind=ReportKind.YEARLY, region=county, period=period)
    page = ranking_of(county=county, level=Level.TOWNSHIP, period=period)
    # What the assessment page shows, line for line: place, region, total, what is missing.
    assert [(r.rank, r.label, r.total, r.counted_weight, r.missing) for r in content.ranking] == [
        (row["rank"], row["name"], row["total"], row["counted_weight"], row["missing"])
        for row in page.rows
    ]
    assert {r.label for r in content.ranking} == set(
        Region.objects.filter(parent=county).values_list("name", flat=True)
    )
    assert any(r.total is not None for r in content.ranking)
    assert content.ranking[0].rank == 1
    totals = [Decimal(r.total) for r in content.ranking if r.total is not None]
    assert totals == sorted(totals, reverse=True)
    assert content.ranking_indicators[0][0] == "诉前调处成功数"
    assert not content.ranking_published
    assert content.ranking_status.startswith("考核排名未发布/试算")
    # Without the court's figures 万人起诉率 is missing for every township: 缺数据, not 0.
    assert all("万人起诉率" in r.missing for r in content.ranking)
    indicators = Indicator.objects.filter(
        scheme__region=county, scheme__year=period.start.year, level=Level.TOWNSHIP
    ).count()
    assert all(len(r.scores) == indicators for r in content.ranking)


def test_a_published_ranking_is_printed_as_published(
    county_year: tuple[Region, Period],
) -> None:
    county, _year = county_year
    quarter = default_period(timezone.localdate())  # the last whole quarter
    _scheme_for(county, quarter.start.year)
    publication, _made, _followups = ranking_publish(
        actor=User.objects.get(username="dispatcher_county"),
        county=county,
        level=Level.TOWNSHIP,
        period=quarter,
    )
    published_indicators = len(publication.rows["indicators"])
    # A later change of the scheme does not move the published ranking the report prints.
    Indicator.objects.filter(scheme__region=county, scheme__year=quarter.start.year).exclude(
        measure="resolved_pre"
    ).delete()
    content = build_content(kind=ReportKind.QUARTERLY, region=county, period=quarter)
    assert content.ranking_published
    assert content.ranking_status.startswith("考核排名已发布（第1版")
    assert [(r.rank, r.label, r.total) for r in content.ranking] == [
        (row["rank"], row["name"], row["total"]) for row in publication.rows["rows"]
    ]
    assert len(content.ranking_indicators) == published_indicators > 1


def test_a_township_report_shows_its_villages_places_in_the_county(
    county_year: tuple[Region, Period],
) -> None:
    county, period = county_year
    _scheme_for(county, period.start.year)
    town: Any = Region.objects.filter(parent=county).order_by("path").last()
    content = build_content(kind=ReportKind.ANNUAL_SURVEY, region=town, period=period)
    page = ranking_of(county=county, level=Level.COMMUNITY, period=period)
    own = [row for row in page.rows if row["path"].startswith(town.path)]
    assert [(r.rank, r.label, r.total) for r in content.ranking] == [
        (row["rank"], row["name"], row["total"]) for row in own
    ]
    assert {r.township for r in content.ranking} == {town.name}
    assert "名次为在" in content.ranking_status


def test_a_year_without_a_scheme_says_so_in_the_report(
    county_year: tuple[Region, Period],
) -> None:
    county, period = county_year
    Scheme.objects.filter(region=county, year=period.start.year).delete()
    content = build_content(kind=ReportKind.YEARLY, region=county, period=period)
    assert content.ranking == []
    assert f"{period.start.year}年度尚未制定考核方案" in content.ranking_status
    pdf = render_all(content).pdf
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{period.start.year}年度尚未制定考核方案" in text
    assert "各地主要指标" in text


def test_a_report_of_a_month_under_way_compares_the_same_days_of_the_month_before(
    db: None, demo_county: None
) -> None:
    """An on-demand 月研判 of this month, five days in, sets its categories against the first
    five days of last month (上期同期), not the whole of it — as the dashboard's 纠纷下降率."""
    county = Region.objects.get(level=3)
    today = timezone.localdate()
    content = build_content(kind=ReportKind.MONTHLY, region=county, period=Period.month(today))
    compared = Period.month(today).compared_with(today)
    assert content.previous_label == compared.label
    before = Case.objects.filter(
        region_path__startswith=county.path,
        registered_at__date__range=(compared.start, compared.end),
    ).count()
    assert sum(row.previous for row in content.categories) == before
