"""The demo's 报表中心 history (``demo_reports_seed``, run by the full ``seed_demo``), here on
the small demo county: the reports of the periods just ended are made at once, by the system,
the leader downloads them, the 季通报 prints the assessment's ranking, each township's 平安办
finds its own last 月研判 and no other township's, and the hourly schedule does not make them
a second time."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.assessment.choices import Level
from fengqiao.assessment.selectors import ranking_of
from fengqiao.demo.reports import demo_reports_seed
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.reports.choices import ReportKind, ReportStatus
from fengqiao.reports.models import Report
from fengqiao.reports.selectors import regions_to_view
from fengqiao.reports.services import reports_schedule
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.usefixtures("demo_county")

SCHEDULED = {
    ReportKind.WEEKLY: Period.week,
    ReportKind.MONTHLY: Period.month,
    ReportKind.QUARTERLY: Period.quarter,
    ReportKind.YEARLY: Period.year,
    ReportKind.ANNUAL_SURVEY: Period.year,
}


def _text(pdf: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_demo_leader_finds_last_periods_reports_ready_to_download(
    db: None, client_for: Any
) -> None:
    today = timezone.localdate()
    county = Region.objects.get(level=RegionLevel.COUNTY)
    assert not Report.objects.exists()  # --small makes none: the fixture stays fast

    made = demo_reports_seed(today=today)

    assert made.county == dict.fromkeys(SCHEDULED, "done")
    reports = {r.kind: r for r in Report.objects.filter(region=county)}
    for kind, period_of in SCHEDULED.items():
        report = reports[kind]
        last = period_of(today).previous()
        assert (report.period_start, report.period_end) == (last.start, last.end)
        assert report.status == ReportStatus.DONE
        assert report.requested_by is None  # shown as 系统, as the schedule's
        assert report.files.count() == 3

    leader = client_for(User.objects.get(username="leader"))
    page = leader.get(reverse("reports:home"))
    assert page.status_code == 200
    assert {r.pk for r in page.context["page_obj"]} >= {r.pk for r in reports.values()}
    html = page.content.decode()
    for kind in ("周分析", "月研判", "季通报", "年考核"):
        assert kind in html

    quarterly = reports[ReportKind.QUARTERLY]
    response = leader.get(reverse("reports:download", args=[quarterly.pk, "pdf"]))
    assert response.status_code == 200
    text = _text(b"".join(response.streaming_content))
    assert "五、考核排名" in text
    assert "考核排名未发布/试算" in text
    ranking = ranking_of(
        county=county, level=Level.TOWNSHIP, period=Period.quarter(quarterly.period_start)
    )
    first = ranking.rows[0]
    assert first["rank"] == 1
    assert f"1{first['name']}{first['total']}" in text
    # Each township's score per indicator (考核得分明细), not only in the XLSX.
    assert "考核得分明细" in text
    for indicator in ranking.data["indicators"]:
        assert indicator["name"] in text, indicator["name"]
    score = first["scores"][0]["score"] or "缺数据"
    assert f"1{first['name']}{first['total']}{score}" in text
    for fmt in ("docx", "xlsx"):
        assert leader.get(reverse("reports:download", args=[quarterly.pk, fmt])).status_code == 200

    # Each township with a platform has its last 月研判, made as the schedule makes it.
    month = Period.month(today).previous()
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP, parent=county).order_by("path")
    assert made.townships == {t.name: "done" for t in townships}
    monthly = {
        r.region_id: r
        for r in Report.objects.filter(kind=ReportKind.MONTHLY, region__level=RegionLevel.TOWNSHIP)
    }
    assert set(monthly) == {t.pk for t in townships}
    for report in monthly.values():
        assert (report.period_start, report.period_end) == (month.start, month.end)
        assert report.status == ReportStatus.DONE
        assert report.requested_by is None
        assert report.files.count() == 3
    assert not Report.objects.filter(region__level=RegionLevel.TOWNSHIP).exclude(
        kind=ReportKind.MONTHLY
    )

    # The township dispatcher sees their township's 月研判 on 报表中心, no other township's and
    # none of the county's; another township's file answers 404.
    dispatcher = User.objects.get(username="dispatcher")
    own = next(t for t in townships if t.name in _scope_names(dispatcher))
    township_page = client_for(dispatcher).get(reverse("reports:home"))
    assert township_page.status_code == 200
    assert {r.pk for r in township_page.context["page_obj"]} == {monthly[own.pk].pk}
    html = township_page.content.decode()
    assert f"download-{monthly[own.pk].pk}-pdf" in html
    own_pdf = client_for(dispatcher).get(
        reverse("reports:download", args=[monthly[own.pk].pk, "pdf"])
    )
    assert own_pdf.status_code == 200
    assert f"{own.name}{month.label}月研判" in _text(b"".join(own_pdf.streaming_content))
    for other in townships:
        if other.pk != own.pk:
            assert f"download-{monthly[other.pk].pk}-" not in html
            found = client_for(dispatcher).get(
                reverse("reports:download", args=[monthly[other.pk].pk, "pdf"])
            )
            assert found.status_code == 404
    # The leader sees the townships' reports beside the county's.
    assert {r.pk for r in leader.get(reverse("reports:home")).context["page_obj"]} >= {
        r.pk for r in monthly.values()
    }

    # The hourly schedule finds the county's reports made and does not make them again.
    before = {r.pk: r.generated_at for r in reports.values()}
    reports_schedule(today=today)
    again = Report.objects.filter(region=county, pk__in=before)
    assert {r.pk: r.generated_at for r in again} == before
    for kind, period_of in SCHEDULED.items():
        last = period_of(today).previous()
        assert (
            Report.objects.filter(
                kind=kind, region=county, period_start=last.start, period_end=last.end
            ).count()
            == 1
        )
    # Nor the townships' 月研判.
    assert {
        r.pk: r.generated_at for r in Report.objects.filter(pk__in=[r.pk for r in monthly.values()])
    } == {r.pk: r.generated_at for r in monthly.values()}
    assert Report.objects.filter(
        kind=ReportKind.MONTHLY, region__level=RegionLevel.TOWNSHIP, period_start=month.start
    ).count() == len(monthly)


def _scope_names(user: User) -> set[str]:
    """The names of the regions ``user``'s reports scope covers (their township)."""
    return {r.name for r in regions_to_view(user)}
