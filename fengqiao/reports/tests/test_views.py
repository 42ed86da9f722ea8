"""报表中心 for the fixed cast: who sees which reports, who may download which files, who may
ask for one; bad input answered in Chinese; the list costs the same few queries however long."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.reports.choices import ReportKind, ReportStatus
from fengqiao.reports.models import Report, ReportFile

pytestmark = pytest.mark.django_db

HOME = "/reports/"


def _report(region: Any, start: date, kind: str = ReportKind.WEEKLY) -> Report:
    report = Report.objects.create(
        kind=kind,
        region=region,
        period_start=start,
        period_end=start + timedelta(days=6),
        status=ReportStatus.DONE,
    )
    for fmt in ("pdf", "docx", "xlsx"):
        data = f"{region.name}{start}{fmt}".encode()
        name = default_storage.save(f"reports/test/{report.pk}.{fmt}", ContentFile(data))
        ReportFile.objects.create(
            report=report,
            fmt=fmt,
            storage_name=name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return report


@pytest.fixture
def reports(world: Any) -> dict[str, Report]:
    monday = date(2026, 11, 2)
    return {
        "county": _report(world.county, monday),
        "town_a": _report(world.town_a, monday),
        "town_b": _report(world.town_b, monday),
    }


def _listed(client: Any) -> set[int]:
    response = client.get(HOME)
    assert response.status_code == 200
    return {r.pk for r in response.context["page_obj"]}


def test_each_role_sees_the_reports_of_its_region(
    cast: Any, client_for: Any, reports: dict[str, Report]
) -> None:
    everything = {r.pk for r in reports.values()}
    assert _listed(client_for(cast.leader)) == everything
    assert _listed(client_for(cast.county_dispatcher)) == everything
    assert _listed(client_for(cast.dispatcher)) == {reports["town_a"].pk}
    for name in (
        "mediator_east",
        "court_clerk",
        "police",
        "grid_worker",
        "system_admin",
        "auditor",
        "citizen",
        "outsider",
    ):
        assert client_for(getattr(cast, name)).get(HOME).status_code == 403, name
    assert client_for(None).get(HOME).status_code == 302


def test_downloads_follow_the_same_scope_and_are_audited(
    cast: Any, client_for: Any, reports: dict[str, Report]
) -> None:
    town_b = reports["town_b"]
    url = reverse("reports:download", args=[town_b.pk, "pdf"])
    assert client_for(cast.dispatcher).get(url).status_code == 404
    assert client_for(cast.mediator_east).get(url).status_code == 403
    response = client_for(cast.leader).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "乙镇2026-11-02pdf".encode()
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(event_type=EventType.REPORT_DOWNLOADED)
    assert event.actor_id == cast.leader.pk
    assert event.after == {"format": "pdf", "sha256": town_b.files.get(fmt="pdf").sha256}
    own = reverse("reports:download", args=[reports["town_a"].pk, "docx"])
    assert client_for(cast.dispatcher).get(own).status_code == 200
    bad = reverse("reports:download", args=[reports["town_a"].pk, "exe"])
    assert client_for(cast.leader).get(bad).status_code == 404


def test_the_page_links_the_files_and_shows_a_failure(
    cast: Any, client_for: Any, reports: dict[str, Report], world: Any
) -> None:
    failed = Report.objects.create(
        kind=ReportKind.MONTHLY,
        region=world.town_a,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        status=ReportStatus.FAILED,
        error="生成时出错（RuntimeError）。请稍后点“重新生成”；仍失败时请联系系统管理员查看日志。",
    )
    page = client_for(cast.dispatcher).get(HOME).content.decode()
    assert reverse("reports:download", args=[reports["town_a"].pk, "xlsx"]) in page
    assert f'id="report-{failed.pk}"' in page
    assert "生成失败" in page
    assert "生成时出错（RuntimeError）" in page
    assert "报表中心" in page


def test_the_list_filters_by_kind_region_and_year(
    cast: Any, client_for: Any, reports: dict[str, Report], world: Any
) -> None:
    client = client_for(cast.leader)
    assert {r.pk for r in client.get(HOME, {"region": world.town_b.pk}).context["page_obj"]} == {
        reports["town_b"].pk
    }
    assert list(client.get(HOME, {"kind": ReportKind.MONTHLY}).context["page_obj"]) == []
    assert list(client.get(HOME, {"year": 2025}).context["page_obj"]) == []
    # Filters a user typed wrong are ignored, not an error page.
    assert client.get(HOME, {"kind": "x", "year": "99999", "region": "abc"}).status_code == 200


def test_the_list_costs_the_same_queries_for_many_reports(
    cast: Any,
    client_for: Any,
    world: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for week in range(25):
        _report(world.town_a, date(2026, 1, 5) + timedelta(weeks=week))
    client = client_for(cast.leader)
    client.get(HOME)
    with django_assert_max_num_queries(14):
        response = client.get(HOME)
    assert len(response.context["page_obj"]) == 25


def test_a_township_form_offers_only_its_township(cast: Any, client_for: Any, world: Any) -> None:
    response = client_for(cast.dispatcher).get(HOME)
    regions = list(response.context["form"].fields["region"].queryset)
    assert regions == [world.town_a]
    leader = client_for(cast.leader).get(HOME)
    assert set(leader.context["form"].fields["region"].queryset) == {
        world.county,
        world.town_a,
        world.town_b,
    }


def test_bad_input_is_told_in_chinese_and_nothing_is_made(
    cast: Any, client_for: Any, world: Any
) -> None:
    client = client_for(cast.dispatcher)
    url = reverse("reports:request")
    response = client.post(url, {"kind": ReportKind.CUSTOM, "region": world.town_a.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "专题分析请填写起始日期。" in page
    response = client.post(
        url, {"kind": ReportKind.MONTHLY, "region": world.town_b.pk, "day": "2026-11-03"}
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": ReportKind.CUSTOM,
            "region": world.town_a.pk,
            "start": "2024-01-01",
            "end": "2025-12-31",
        },
    )
    assert response.status_code == 400
    assert "时段最长为一年" in response.content.decode()
    assert not Report.objects.exists()


def test_asking_for_a_report_makes_it_and_lands_on_the_list(
    cast: Any, client_for: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {"kind": ReportKind.MONTHLY, "region": world.town_a.pk, "day": "2026-11-17"},
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert report.status == ReportStatus.DONE
    assert report.requested_by == cast.dispatcher
    assert response["Location"].endswith(f"#report-{report.pk}")
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:download", args=[report.pk, "pdf"]) in page


def test_the_leader_and_the_dispatchers_find_it_in_the_menu(cast: Any, client_for: Any) -> None:
    def menu(user: Any) -> set[str]:
        return {str(i.label) for i in client_for(user).get("/").context["nav_items"]}

    for user in (cast.leader, cast.dispatcher, cast.county_dispatcher):
        assert "报表中心" in menu(user)
    for user in (cast.mediator_east, cast.court_clerk, cast.system_admin, cast.auditor):
        assert "报表中心" not in menu(user)


def test_a_failed_report_is_generated_again_from_its_row(
    cast: Any, client_for: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    failed = Report.objects.create(
        kind=ReportKind.MONTHLY,
        region=world.town_a,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        status=ReportStatus.FAILED,
        error="生成时出错（RuntimeError）。",
    )
    client = client_for(cast.dispatcher)
    page = client.get(HOME).content.decode()
    assert f'id="regenerate-{failed.pk}"' in page
    # The row's form posts what the report is: its kind, region and a day of its period.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {"kind": failed.kind, "region": failed.region_id, "day": "2026-10-01"},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ReportStatus.DONE
    assert failed.error == ""
    assert Report.objects.count() == 1
