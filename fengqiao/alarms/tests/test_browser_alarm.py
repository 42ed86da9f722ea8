"""The one-tap alarm through the real ASGI server and two real browsers: the 派出所's officer
has a page open; the court clerk taps 一键报警 and confirms; the officer's open page shows the
alarm within 2 seconds, and the officer acknowledges it there."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fengqiao.accounts.models import RoleGrant
from fengqiao.alarms.choices import AlarmStatus
from fengqiao.alarms.models import Alarm
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_the_police_page_shows_the_clerks_alarm_within_two_seconds(
    page: Any, browser: Any, asgi_live_server: str, demo_small: None
) -> None:
    base = asgi_live_server
    station = RoleGrant.objects.select_related("org").get(user__username="police").org
    tribunal = RoleGrant.objects.select_related("org").get(user__username="clerk").org

    # The officer is at work: any page of the platform, its live channel open.
    police_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        police = police_context.new_page()
        police.set_default_timeout(15000)
        login(police, base, "police")
        police.wait_for_selector("body[data-live=open]")
        assert police.locator("#alarm-button").count() == 0  # the police are called, not callers
        assert police.locator(".fq-live-alarm").count() == 0

        # The clerk, on a phone, taps the alarm button and confirms.
        page.set_viewport_size({"width": 390, "height": 844})
        login(page, base, "clerk")
        page.click("#alarm-button")
        page.fill("#alarm-location", "第二调解室")
        page.fill("#alarm-note", "当事人情绪激动，持械威胁")
        started = time.monotonic()
        page.click("#alarm-confirm")
        notice = police.locator(".fq-live-alarm")
        notice.wait_for(state="visible", timeout=2000)
        elapsed = time.monotonic() - started
        assert elapsed < 2.0, f"the alarm took {elapsed:.2f} s to reach the station's open page"

        text = notice.inner_text()
        assert tribunal.name in text
        assert "第二调解室" in text
        assert "当事人情绪激动" in text
        page.wait_for_selector("text=已报警")
        assert station.name in page.inner_text("#alarm-station")
        alarm = Alarm.objects.get(raised_by__username="clerk")
        assert alarm.station_id == station.pk
        assert alarm.org_id == tribunal.pk
        # The badge of the officer's page counted the new message without a reload.
        assert police.inner_text("#unread-badge").strip() != ""

        # The officer acknowledges from the notice.
        notice.get_by_role("button", name="确认出警").click()
        police.wait_for_selector("text=已确认出警。")
        assert "已出警" in police.inner_text("#alarm-status")
        alarm.refresh_from_db()
        assert alarm.status == AlarmStatus.ACKNOWLEDGED
        assert alarm.acknowledged_by is not None
        assert alarm.acknowledged_by.username == "police"
        assert alarm.escalate_at is None
        print(f"alarm reached the station's open page in {elapsed * 1000:.0f} ms")  # noqa: T201

        # The clerk's page hears it was acknowledged.
        page.locator(".fq-live-alarm", has_text="已确认出警").wait_for(timeout=2000)
    finally:
        police_context.close()
