"""End-to-end: the system administrator imports a year's holiday schedule in the admin."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.disputes.models import HolidaySchedule
from fengqiao.web.tests.test_browser import login

pytestmark = pytest.mark.browser

SCHEDULE = {
    "year": 2027,
    "notice": "国办发明电〔2026〕99号",
    "holidays": [{"name": "春节", "start": "2027-02-05", "end": "2027-02-12"}],
    "workdays": [{"date": "2027-02-13", "name": "春节"}],
}


def test_the_system_admin_imports_a_holiday_schedule(
    page: Any, live_server: Any, cast: Any
) -> None:
    login(page, live_server.url, "sysadmin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/admin/disputes/holidayschedule/")
    page.get_by_role("link", name="导入节假日安排（JSON）").click()

    # A 调休 day inside the holiday is refused with the reason, nothing imported
    wrong = {**SCHEDULE, "workdays": ["2027-02-10"]}
    page.fill("textarea[name=text]", json.dumps(wrong, ensure_ascii=False))
    page.get_by_role("button", name="导入").click()
    assert "第 1 个调休上班日（2027-02-10）在放假期间内。" in page.content()
    assert not HolidaySchedule.objects.exists()

    page.fill("textarea[name=text]", json.dumps(SCHEDULE, ensure_ascii=False))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(f"{live_server.url}/admin/disputes/holidayschedule/")
    assert "已导入 2027 年节假日安排（国办发明电〔2026〕99号）" in page.content()
    assert "国办发明电〔2026〕99号" in page.locator("#result_list").inner_text()
