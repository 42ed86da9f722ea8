"""The township dispatcher records a 联席会议 with a resolution from where they land; the
派出所 sees its task on its own landing page and records it done with evidence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant
from fengqiao.governance.choices import TaskStatus
from fengqiao.governance.models import ResolutionTask
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_a_resolution_reaches_the_police_station_and_is_done(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    police_org = RoleGrant.objects.select_related("org").get(user__username="police").org
    login(page, base, "dispatcher")
    page.get_by_role("link", name="会议与任务").first.click()
    page.click("#meeting-new")
    page.select_option("#id_meeting_type", label="一办一庭两所联席会议")
    page.fill("#id_title", "第四季度一办一庭两所联席会议")
    page.get_by_label(police_org.name, exact=True).check()
    page.check("#id_held")
    page.fill("#id_minutes", "通报本季度矛盾纠纷化解情况，研判欠薪纠纷风险。")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("#resolution-form")
    assert "已召开" in page.inner_text("#meeting-status")
    page.fill("#id_res-text", "派出所对辖区在建工地开展欠薪隐患排查")
    page.select_option("#id_res-owner_org", label=police_org.name)
    due = timezone.localdate() + timedelta(days=14)
    page.fill("#id_res-due_date", due.isoformat())
    page.click("#resolution-form button[type=submit]")
    page.wait_for_selector("text=已向")
    assert "派出所对辖区在建工地开展欠薪隐患排查" in page.inner_text("#resolutions")

    login(page, base, "police")
    tasks = page.locator("#gov-tasks")
    tasks.get_by_role("link", name="派出所对辖区在建工地开展欠薪隐患排查").click()
    page.fill("#id_evidence_text", "已排查在建工地6处，建立台账，督促2家企业支付工资。")
    page.click("#complete-form button[type=submit]")
    page.wait_for_selector("text=已登记办结")
    assert "已办结" in page.inner_text("#task-status")
    task = ResolutionTask.objects.get(resolution__text="派出所对辖区在建工地开展欠薪隐患排查")
    assert task.status == TaskStatus.DONE
    assert task.owner_org_id == police_org.pk
    page.goto(f"{base}/")
    assert "派出所对辖区在建工地开展欠薪隐患排查" not in page.inner_text("body")
