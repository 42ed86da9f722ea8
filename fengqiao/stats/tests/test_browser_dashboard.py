"""The county leader's dashboard in Chromium: from the login page to the case list behind a
village's figure, drilling down twice on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_leader_drills_down_to_the_cases_behind_a_figure(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "leader")
    page.get_by_role("link", name="统计分析").first.click()
    page.wait_for_selector("#measure-cards")
    # A year, so the small county's villages all have cases to show.
    page.select_option("#id_kind", "year")
    page.locator("#period-form button[type=submit]").click()
    page.wait_for_selector("#region-table")
    assert page.locator("[data-chart=trend] svg").count() == 1  # ECharts drew the trend
    # 纠纷热点: a block per township and category.
    assert page.locator("[data-chart=hotspots] svg path").count() > 8

    # Down to the busiest township, then to its busiest village.
    page.locator("#region-table a.drill").first.click()
    page.wait_for_selector("#region-table")
    township = page.locator("#dashboard-trail .active").inner_text()
    page.locator("#region-table a.drill").first.click()
    page.wait_for_selector("#measure-cards")
    trail = page.locator("#dashboard-trail li").all_inner_texts()
    assert trail[-2] == township
    assert len(trail) == 3

    link = page.locator("#intake-link")
    shown = int(link.inner_text())
    assert shown > 0
    link.click()
    page.wait_for_url(re.compile(r"/cases/\?"))
    assert f"共 {shown} 件" in page.locator("main").inner_text()


def test_leader_drills_down_from_an_org_to_a_mediators_cases(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "leader")
    page.get_by_role("link", name="统计分析").first.click()
    page.wait_for_selector("#measure-cards")
    page.select_option("#id_kind", "year")
    page.locator("#period-form button[type=submit]").click()
    page.wait_for_selector("#region-table")
    page.locator("#region-table a.drill").first.click()
    page.wait_for_selector("#org-table")

    # The first org (largest intake first) whose cases have a mediator: a platform's cases
    # waiting to be dispatched have none yet, and are one line without a list.
    orgs = page.locator("#org-table a.drill-org")
    targets = [
        (orgs.nth(i).inner_text(), orgs.nth(i).get_attribute("href")) for i in range(orgs.count())
    ]
    for name, href in targets:
        page.goto(base + href)
        page.wait_for_selector("#people-table")
        assert name in page.locator("#org-people").inner_text()
        if page.locator("#people-table a.cases").count():
            break
    else:
        raise AssertionError("no org of the township has a mediator's cases")
    row = page.locator("#people-table tbody tr", has=page.locator("a.cases")).first
    person = row.locator("td").first.inner_text()
    link = row.locator("a.cases")
    shown = int(link.inner_text())
    link.click()
    page.wait_for_url(re.compile(r"/cases/\?"))
    main = page.locator("main").inner_text()
    assert f"共 {shown} 件" in main
    assert person in page.locator("#filter-handler").inner_text()
    assert name == page.locator("#filter-org").inner_text()
