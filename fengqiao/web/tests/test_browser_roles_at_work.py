"""In a real browser on the small demo county, each role doing its own work from the page it
lands on (issue "Day one in a real county"): the township dispatcher grades and dispatches a
case from 待研判; a judge registers a 委派 case from their landing and finds it there; the
leader follows a figure to the cases behind it; the auditor reads the log; the system
administrator follows the holiday banner to the import.

Screenshots go to test-artifacts/roles-<step>.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DispatchStatus
from fengqiao.disputes.models import Case, DispatchOrder
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"roles-{name}.png"), full_page=True)


def test_township_dispatcher_grades_and_dispatches_from_the_queue(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "dispatcher")

    # from the landing's 待研判 count to the list, to the oldest case waiting
    page.locator('#queues a[data-queue="to_assess"]').click()
    page.wait_for_url("**/cases/?queue=to_assess")
    number = page.locator("#case-list a").first.inner_text()
    page.locator("#case-list a").first.click()
    assert page.locator("#mediation-consent-needed").count() == 0

    # 研判 as 高, with a note
    panel = page.locator("#act-assess")
    panel.locator("summary").click()
    panel.locator("select[name=grade]").select_option(label="高")
    panel.locator("textarea[name=note]").fill("涉及多户村民，需尽快交办村调委会")
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "研判结果已保存" in page.locator("main").inner_text()

    # 交办 to one of the township's village committees, with its task
    panel = page.locator("#act-dispatch")
    panel.locator("summary").click()
    for box in panel.locator('input[name="orgs"]:checked').all():
        box.uncheck()
    village = panel.get_by_role("checkbox", name=re.compile("村人民调解委员会$")).first
    village.check()
    panel.locator("textarea:visible").first.fill("请三日内上门了解情况，组织双方调解")
    shot(page, "dispatcher-dispatch")
    panel.locator("button[type=submit]", has_text="确认交办").click()
    page.wait_for_load_state()

    assert "已交办" in page.locator("main").inner_text()
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.DISPATCHED
    order = DispatchOrder.objects.get(case=case, status=DispatchStatus.PENDING)
    assert order.to_org.name.endswith("村人民调解委员会")
    assert order.to_org.name in page.locator("#orders").inner_text()
    assert "受理时限" in page.locator("main").inner_text()


def test_judge_registers_a_delegated_case_from_their_landing(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "judge")
    assert "本单位未办结的案件" in page.locator("main").inner_text()

    page.locator("main").get_by_role("link", name="登记纠纷").click()
    page.wait_for_url("**/cases/new/")
    page.select_option("#id_channel", label="法院委派（诉前）")
    page.select_option("#id_category", label="合同")
    page.fill("#id_title", "装修合同尾款纠纷（诉前委派）")
    page.fill("#id_facts", "申请人为被申请人装修房屋，完工后被申请人以质量问题为由拒付尾款。")
    region = page.locator("#id_region option").nth(1).get_attribute("value")
    page.select_option("#id_region", value=region)
    page.fill("#id_applicant_name", "柏文华")
    page.fill("#id_applicant_phone", "13955550303")
    page.fill("#id_respondent_name", "鲁志刚")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_load_state()

    case = Case.objects.get(title="装修合同尾款纠纷（诉前委派）")
    assert f"已登记，案件编号：{case.number}" in page.locator("main").inner_text()
    # back on the landing, it is the first of the unit's open cases
    page.goto(f"{base}/")
    assert page.locator("#unit-cases a").first.inner_text() == case.number
    shot(page, "judge-landing")


def test_leader_follows_a_figure_to_the_cases_behind_it_on_a_phone(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    login(page, base, "leader")
    figure = page.locator('#figures [data-figure="month_intake"]')
    count = figure.locator("xpath=../..").locator(".display-6").inner_text()
    figure.click()
    page.wait_for_url("**/cases/?queue=month_intake")
    assert f"共 {count} 件" in page.locator("main").inner_text()
    page.locator("#case-list a").first.click()
    assert page.locator("details[id^=act-]").count() == 0
    assert page.locator("#mediation-consent-needed").count() == 0
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    shot(page, "leader-case")


def test_auditor_reads_the_log_and_the_system_administrator_finds_the_holiday_import(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "auditor")
    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit/")
    assert re.search(r"已入链 \d+ 条", page.locator("main").inner_text())

    login(page, base, "sysadmin")
    banner = page.locator("#calendar-warning")
    assert banner.count() == (1 if deadlines.missing_years() else 0)
    if deadlines.missing_years():  # from 1 November until next year's schedule is imported
        banner.get_by_role("link", name="导入节假日安排").click()
        page.wait_for_url("**/admin/disputes/holidayschedule/import/")
    page.goto(f"{base}/")
    page.get_by_role("link", name="基础数据").click()
    page.wait_for_url("**/admin/")
    assert "基础数据" in page.locator("body").inner_text()
