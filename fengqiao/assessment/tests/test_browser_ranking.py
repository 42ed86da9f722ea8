"""The county leader in Chromium: from the login page to the township ranking, one score's
inputs and formula, and on to the dashboard of that township and period."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fengqiao.assessment.selectors import default_period
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_leader_opens_the_ranking_and_one_scores_inputs(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "leader")
    page.get_by_role("link", name="考核排名").first.click()
    page.wait_for_selector("#ranking-table")
    # Last quarter by default, computed now (nothing published yet).
    title = page.locator("#ranking-title").inner_text()
    assert default_period(timezone.localdate()).label in title
    assert "实时计算" in page.locator("#ranking-status").inner_text()
    assert page.locator("#ranking-table tbody tr").count() == 3

    # This year, where the small county has cases.
    page.select_option("#id_period", str(timezone.localdate().year))
    page.locator("#ranking-form button[type=submit]").click()
    page.wait_for_selector("#ranking-table")
    first = page.locator("#ranking-table tbody tr").first
    township = first.locator("td").nth(1).inner_text()
    score = first.locator("details.fq-score").first
    inputs = score.locator(".fq-inputs")
    assert not inputs.is_visible()
    score.locator("summary").click()
    assert inputs.is_visible()
    text = inputs.inner_text()
    assert "公式：" in text  # the first indicator is scored by place
    assert "按名次计分" in text
    assert "法院委派（诉前）" in text  # the measure's own formula (docs/measures.md)

    inputs.get_by_role("link", name="在统计分析中查看该地区本期数据").click()
    page.wait_for_selector("#measure-cards")
    assert township in page.locator("#dashboard-title").inner_text()


def test_county_dispatcher_enters_item_10_and_sees_it_in_the_ranking(
    page: Any, live_server: Any, demo_small: None
) -> None:
    note = "《关于规范物业服务纠纷化解的司法建议》被县政府采纳"
    login(page, live_server.url, "dispatcher_county")
    page.get_by_role("link", name="考核排名").first.click()
    page.wait_for_selector("#ranking-table")
    township = page.locator("#ranking-table tbody tr").first.locator("td").nth(1).inner_text()
    page.locator("#ranking-table thead .fq-manual-link").click()
    page.wait_for_selector("#manual-form")

    # Above the weight: refused in Chinese, nothing entered.
    page.select_option("#id_region", label=township)
    page.fill("#id_score", "6")
    page.fill("#id_note", note)
    page.locator("#manual-form button[type=submit]").click()
    assert "评分应在0至5.00分之间" in page.locator("#manual-error").inner_text()
    assert "缺数据" in page.locator("#manual-table").inner_text()

    page.fill("#id_score", "4.5")
    page.locator("#manual-form button[type=submit]").click()
    page.wait_for_selector("#manual-table")
    assert note in page.locator("#manual-table").inner_text()

    page.get_by_role("link", name="考核排名").last.click()
    page.wait_for_selector("#ranking-table")
    row = page.locator("#ranking-table tbody tr", has_text=township).first
    score = row.locator("details.fq-score[data-indicator='司法建议、调研报告产生积极影响']")
    assert score.locator("summary").inner_text().strip() == "4.50"
    score.locator("summary").click()
    text = score.locator(".fq-inputs").inner_text()
    assert note in text
    assert "人工评分" in text
