"""The county leader, from the login page: 报表中心 in the menu, asks for last month's 月研判 of
the county and downloads its PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.reports.choices import ReportStatus
from fengqiao.reports.models import Report
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_the_leader_asks_for_a_report_and_downloads_it(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "leader")
    page.get_by_role("link", name="报表中心").first.click()
    page.wait_for_selector("#report-request")
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    page.select_option("#id_kind", label="月研判")
    page.fill("#id_day", last_month.isoformat())
    page.click("#report-request button[type=submit]")
    page.wait_for_selector("text=报表已生成")
    report = Report.objects.get(kind="monthly", period_start=last_month.replace(day=1))
    assert report.status == ReportStatus.DONE
    assert report.requested_by is not None
    assert report.requested_by.username == "leader"
    row = page.locator(f"#report-{report.pk}")
    assert "月研判" in row.inner_text()
    with page.expect_download() as info:
        row.get_by_role("link", name="PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert "月研判" in download.suggested_filename
    with open(download.path(), "rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF-")
    assert len(data) > 10_000
