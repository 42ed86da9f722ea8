"""A published ranking refreshes the reports that print it: 发布 and 重新发布 queue again the
季通报 (a quarter) or the 年考核 and annual survey (a year) of the county (the townships'
ranking) or of its townships (the communities' ranking) — and only those; a report being
generated at that moment keeps nothing of the old ranking; 报表中心 says why the report was
made again; a listener that fails rolls the publication back."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.assessment.choices import Level
from fengqiao.assessment.models import Publication
from fengqiao.assessment.services import ranking_publish, scheme_create_default
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.models import Region
from fengqiao.reports import services
from fengqiao.reports.choices import ReportKind, ReportStatus
from fengqiao.reports.models import Report
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.django_db

Q3 = Period.quarter(date(2025, 7, 1))
Q2 = Period.quarter(date(2025, 4, 1))
YEAR = Period.year(date(2025, 1, 1))


def _made(kind: str, region: Region, period: Period, *, render: bool = True) -> Report:
    """A report as the schedule leaves it: generated (status 已生成, three files); without
    ``render``, only marked 已生成 (a report the publication must leave alone: rendering it
    would only slow the test)."""
    report = Report.objects.create(
        kind=kind, region=region, period_start=period.start, period_end=period.end
    )
    if render:
        assert services.report_generate(report_id=report.pk) == "done"
    else:
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.DONE, generated_at=timezone.now(), attempts=1
        )
    report.refresh_from_db()
    return report


def _pdf_text(report: Report) -> str:
    from django.core.files.storage import default_storage

    name = report.files.get(fmt="pdf").storage_name
    with default_storage.open(name, "rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def reports(world: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Report]:
    scheme_create_default(actor=None, county=world.county, year=2025, check=False)
    with django_capture_on_commit_callbacks(execute=True):
        made = {
            "county_q3": _made(ReportKind.QUARTERLY, world.county, Q3),
            "county_q2": _made(ReportKind.QUARTERLY, world.county, Q2, render=False),
            "county_year": _made(ReportKind.YEARLY, world.county, YEAR, render=False),
            "county_survey": _made(ReportKind.ANNUAL_SURVEY, world.county, YEAR, render=False),
            "town_a_q3": _made(ReportKind.QUARTERLY, world.town_a, Q3),
            "town_b_q3": _made(ReportKind.QUARTERLY, world.town_b, Q3, render=False),
            "county_sep": _made(
                ReportKind.MONTHLY, world.county, Period.month(date(2025, 9, 1)), render=False
            ),
        }
    assert "考核排名未发布/试算" in _pdf_text(made["county_q3"])
    return made


def _state(reports: dict[str, Report]) -> dict[str, Any]:
    return {
        key: Report.objects.values_list("generated_at", "reason").get(pk=r.pk)
        for key, r in reports.items()
    }


def test_publishing_a_quarter_regenerates_the_county_quarterly_report_only(
    world: Any, cast: Any, reports: dict[str, Report], django_capture_on_commit_callbacks: Any
) -> None:
    before = _state(reports)
    with django_capture_on_commit_callbacks(execute=True):
        _publication, made, followups = ranking_publish(
            actor=cast.county_dispatcher, county=world.county, level=Level.TOWNSHIP, period=Q3
        )
    assert made
    after = _state(reports)
    changed = {key for key in reports if after[key] != before[key]}
    assert changed == {"county_q3"}
    report = Report.objects.get(pk=reports["county_q3"].pk)
    assert report.status == ReportStatus.DONE
    assert report.requested_by == cast.county_dispatcher
    assert report.reason.startswith("考核排名已发布第1版")
    text = _pdf_text(report)
    assert "考核排名已发布（第1版" in text
    assert "考核排名未发布/试算" not in text
    assert followups == [
        "打印该期排名的 1 份报表已重新排队生成（测试区季通报），完成后可在报表中心下载。"
    ]
    requested = AuditEvent.objects.filter(
        event_type=EventType.REPORT_REQUESTED, object_id=str(report.pk)
    ).get()
    assert requested.after["reason"] == "ranking_published"
    assert requested.after["version"] == 1
    published = AuditEvent.objects.get(event_type=EventType.ASSESSMENT_PUBLISHED)
    assert published.after["followups"] == followups
    # The regeneration replaced the files: the digests before and after are in the log.
    generated = AuditEvent.objects.filter(
        event_type=EventType.REPORT_GENERATED, object_id=str(report.pk)
    ).order_by("pk")
    assert generated.count() == 2
    assert generated.last().before["pdf"] == generated.first().after["pdf"]  # type: ignore[union-attr]

    # 重新发布 (version 2) regenerates it again; a double click does nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        ranking_publish(
            actor=cast.county_dispatcher,
            county=world.county,
            level=Level.TOWNSHIP,
            period=Q3,
            republish=True,
            expected_version=1,
            reason="法院更正立案数",
        )
        again = ranking_publish(
            actor=cast.county_dispatcher,
            county=world.county,
            level=Level.TOWNSHIP,
            period=Q3,
            republish=True,
            expected_version=1,
            reason="法院更正立案数",
        )
    assert not again.made
    assert again.followups == []
    report.refresh_from_db()
    assert report.reason.startswith("考核排名已发布第2版")
    assert "考核排名已发布（第2版" in _pdf_text(report)
    assert report.attempts == 3


def test_the_communities_ranking_regenerates_the_townships_reports(
    world: Any, cast: Any, reports: dict[str, Report], django_capture_on_commit_callbacks: Any
) -> None:
    before = _state(reports)
    with django_capture_on_commit_callbacks(execute=True):
        _pub, _made, followups = ranking_publish(
            actor=cast.county_dispatcher, county=world.county, level=Level.COMMUNITY, period=Q3
        )
    after = _state(reports)
    assert {key for key in reports if after[key] != before[key]} == {"town_a_q3", "town_b_q3"}
    assert "甲镇季通报、乙镇季通报" in followups[0]
    assert "考核排名已发布（第1版" in _pdf_text(Report.objects.get(pk=reports["town_a_q3"].pk))


def test_publishing_a_year_regenerates_the_yearly_and_survey_reports(
    world: Any, cast: Any, reports: dict[str, Report], django_capture_on_commit_callbacks: Any
) -> None:
    before = _state(reports)
    with django_capture_on_commit_callbacks(execute=True):
        ranking_publish(
            actor=cast.county_dispatcher, county=world.county, level=Level.TOWNSHIP, period=YEAR
        )
    after = _state(reports)
    assert {key for key in reports if after[key] != before[key]} == {
        "county_year",
        "county_survey",
    }


def test_a_report_being_generated_when_the_ranking_is_published_keeps_nothing_of_the_old(
    world: Any,
    cast: Any,
    reports: dict[str, Report],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = reports["county_q3"]
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
    real = services.build_content
    published: list[Any] = []

    def publish_meanwhile(**kwargs: Any) -> Any:
        content = real(**kwargs)  # the worker has read the trial ranking …
        if not published:
            # … and the county publishes while it renders.
            published.append(
                ranking_publish(
                    actor=cast.county_dispatcher,
                    county=world.county,
                    level=Level.TOWNSHIP,
                    period=Q3,
                )
            )
        return content

    monkeypatch.setattr(services, "build_content", publish_meanwhile)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.report_generate(report_id=report.pk) == "lost"
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert "考核排名未发布/试算" in _pdf_text(report)  # the old files until the new ones
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert "考核排名已发布（第1版" in _pdf_text(report)


def test_a_failing_listener_rolls_the_publication_back(
    world: Any, cast: Any, reports: dict[str, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> list[str]:
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(services, "reports_follow_ranking", broken)
    with pytest.raises(RuntimeError):
        ranking_publish(
            actor=cast.county_dispatcher, county=world.county, level=Level.TOWNSHIP, period=Q3
        )
    assert not Publication.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.ASSESSMENT_PUBLISHED).exists()


def test_the_publisher_is_told_and_the_report_centre_says_why(
    world: Any,
    cast: Any,
    reports: dict[str, Report],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(cast.county_dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:publish"),
            {"county": world.county.pk, "level": "township", "period": "2025-Q3"},
            follow=True,
        )
    html = response.content.decode()
    assert "已发布2025年第3季度排名（第1版）" in html
    assert "打印该期排名的 1 份报表已重新排队生成（测试区季通报）" in html
    page = client_for(cast.leader).get(reverse("reports:home")).content.decode()
    row = page.split(f'id="report-{reports["county_q3"].pk}"')[1].split("</tr>")[0]
    assert "考核排名已发布第1版" in row
    assert "本报表据此重新生成" in row
    other = page.split(f'id="report-{reports["county_q2"].pk}"')[1].split("</tr>")[0]
    assert "考核排名已发布" not in other
