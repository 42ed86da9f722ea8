"""The grid worker, on a 390 px phone, files a 零报告 from the page they land on; the
township dispatcher finds it on the 排查 board from the navigation and opens it."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.governance.models import ScreeningReport
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_grid_worker_files_a_zero_report_the_township_sees_it(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    before = set(ScreeningReport.objects.values_list("pk", flat=True))
    login(page, base, "gridworker")
    todo = page.locator("#screening-todo")
    first = todo.locator("li").filter(has=page.locator("a.screening-file")).first
    unit = first.locator("strong").inner_text()
    first.locator("a.screening-file").click()
    page.wait_for_selector("#screening-form")
    # Fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("未发现矛盾纠纷（零报告）").check()
    page.locator("#screening-form button[type=submit]").click()
    page.wait_for_selector("text=零报告")
    assert "已报送" in page.inner_text("body")
    report = ScreeningReport.objects.exclude(pk__in=before).get()
    assert report.filed_by is not None
    assert report.filed_by.username == "gridworker"
    assert report.is_zero
    assert report.unit.name == unit

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "dispatcher")
    page.get_by_role("link", name="排查", exact=True).first.click()
    page.wait_for_selector("#screening-board")
    if report.unit.level == 6:
        page.locator("#screening-levels").get_by_role("link", name="网格").click()
        page.wait_for_selector("#screening-board")
    row = page.locator(f'#screening-board tr[data-unit="{report.unit.pk}"]')
    assert unit in row.inner_text()
    row.get_by_role("link", name="零报告").first.click()
    page.wait_for_selector("#screening-report")
    assert "零报告" in page.inner_text("#screening-report-state")
    assert unit in page.inner_text("#screening-report")
