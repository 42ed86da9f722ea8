"""Issue 15's scenario in a real browser, on the small demo county, each role starting where it
really starts: the grid worker, on a phone, reports the wage arrears from the quick report form
they land on; the platform grades it 高 and warns the township 平安办 and the county's labour
committee and 人社局; nobody acknowledges within two hours (the sweep runs as the clock would),
so it escalates to the county; the county dispatcher acknowledges and opens an emergency response
with the suggested tasks; the police officer, on a phone, does the on-site task; the county's
督办 board shows the response open. Screenshots: test-artifacts/wage-arrears-NN-*.png."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.disputes.models import Case
from fengqiao.risk.alerts import sweep_warnings
from fengqiao.risk.models import EmergencyResponse, RiskWarning
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TEXT = "工地老板拖欠我们三十多个工人工资两个多月了，大家说再不给就去堵区政府大门"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wage-arrears-{name}.png"), full_page=True)


def fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_the_wage_arrears_report_escalates_and_an_emergency_task_is_done(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url

    # 1. The grid worker, on a phone, reports from the form they land on.
    page.set_viewport_size(PHONE)
    login(page, base, "gridworker")
    page.select_option("#id_category", "labour")
    page.fill("#id_title", "工地拖欠工人工资")
    page.select_option("#id_region", index=1)
    page.fill("#id_applicant_name", "周小林")
    page.fill("#id_applicant_phone", "13900001111")
    page.fill("#id_respondent_name", "某建筑劳务公司")
    page.fill("#id_facts", TEXT)
    fits_the_phone(page)
    page.get_by_role("button", name="上报").click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name="确认为新纠纷并登记")
    if confirm.count():
        confirm.click()
        page.wait_for_load_state()
    case = Case.objects.filter(title="工地拖欠工人工资").latest("registered_at")
    assert case.number in page.locator("main").inner_text()
    shot(page, "01-grid-reported")
    assert RiskWarning.objects.get(case=case).grade == "high"

    # 2. The township dispatcher is warned: 高, with its reasons, to acknowledge in 2 hours.
    page.set_viewport_size(DESKTOP)
    login(page, base, "dispatcher")
    page.get_by_role("link", name="风险预警").first.click()
    page.locator("#warnings").get_by_role("link", name=case.number).click()
    summary = page.locator("#warning-summary").inner_text()
    assert "涉及人数30人以上" in summary
    assert "扬言聚集堵路" in summary
    notices = page.locator("#warning-notices").inner_text()
    assert "劳动争议人民调解委员会" in notices
    assert "人力资源和社会保障局" in notices
    shot(page, "02-township-warned")

    # 3. Nobody acknowledges within two hours: the minute sweep escalates to the county.
    sweep_warnings(timezone.now() + timedelta(minutes=121))

    # 4. The county dispatcher acknowledges and opens an emergency response from the warning.
    login(page, base, "dispatcher_county")
    page.get_by_role("link", name="风险预警").first.click()
    page.locator("#warnings").get_by_role("link", name=case.number).click()
    county_row = page.locator("#warning-notices tr", has_text="综治中心")
    assert "由" in county_row.inner_text()  # 逾期升级（由…升级）
    assert "已升级" in page.locator("#warning-notices").inner_text()
    county_row.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert "已签收" in page.locator("#warning-notices tr", has_text="综治中心").inner_text()
    page.locator("#emergency-open").click()
    page.wait_for_url("**/risk/emergencies/new/**")
    assert page.input_value("#id_task1_title").startswith("现场稳控")
    page.get_by_role("button", name="启动").click()
    page.wait_for_url("**/risk/emergencies/*/")
    tasks = page.locator("#emergency-tasks").inner_text()
    assert "现场稳控" in tasks
    assert "派出所" in tasks
    assert "司法所" in tasks
    shot(page, "03-county-emergency")
    response = EmergencyResponse.objects.get(case=case)

    # 5. The police officer, on a phone, finds it and does the on-site task.
    page.set_viewport_size(PHONE)
    login(page, base, "police")
    page.locator(".navbar-toggler").click()
    page.locator("#nav-notifications").click()
    page.locator("#notifications button", has_text="应急任务：现场稳控").first.click()
    page.wait_for_url(f"**/risk/emergencies/{response.pk}/")
    row = page.locator("#emergency-tasks tr", has_text="现场稳控")
    row.locator("textarea[name=result]").fill("民警六人到场，劝离聚集人员，秩序平稳")
    row.get_by_role("button", name="完成").click()
    page.wait_for_load_state()
    assert "已完成" in page.locator("#emergency-tasks tr", has_text="现场稳控").inner_text()
    fits_the_phone(page)
    shot(page, "04-police-done")

    # 6. The county's 督办 board shows the response open until it is closed.
    page.set_viewport_size(DESKTOP)
    login(page, base, "dispatcher_county")
    page.get_by_role("link", name="督办").first.click()
    page.wait_for_url(f"{base}/supervision/")
    page.locator("#board-totals a[href*='kind=emergency']").click()
    assert response.title in page.locator("#board-items").inner_text()
    shot(page, "05-board")
