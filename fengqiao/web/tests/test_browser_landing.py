"""Every demo role's landing page (issue 18 item 8), in a real browser on the small demo county,
on a phone (390 × 844): what each lands on, and that it fits the screen.

Screenshots go to test-artifacts/landing-<username>.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# username → an element only that landing shows, and a text on it
LANDINGS = {
    "dispatcher": ("#queues", "待研判"),
    "dispatcher_county": ("#queues", "被退回"),
    "leader": ("#figures", "本月受理"),
    "mediator": ("#to-accept", "待受理"),
    "mediator_industry": ("#to-mediate", "调解中"),
    "justice": ("#to-accept", "待受理"),
    "gridworker": ("#recent-reports", "我最近的上报"),
    "clerk": ("#unit-cases", "本单位未办结的案件"),
    "judge": ("#unit-cases", "本单位未办结的案件"),
    "police": ("#unit-cases", "本单位未办结的案件"),
    "orgadmin": ("h1", "您好"),
    "sysadmin": ("h1", "您好"),
    "auditor": ("h1", "您好"),
}


def test_each_demo_role_lands_on_its_own_work_on_a_phone(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    ARTIFACTS.mkdir(exist_ok=True)
    wrong = []
    for username, (selector, text) in LANDINGS.items():
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.screenshot(path=str(ARTIFACTS / f"landing-{username}.png"), full_page=True)
        shown = page.locator(selector)
        if not shown.count() or text not in page.locator("main").inner_text():
            wrong.append(f"{username}: no {selector} with {text}")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            wrong.append(f"{username}: {wide}px wider than the phone")
    assert not wrong, "; ".join(wrong)

    # the dispatcher's counts are links to their lists
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    count = int(page.locator('#queues a[data-queue="to_assess"] .display-6').inner_text())
    page.locator('#queues a[data-queue="to_assess"]').click()
    page.wait_for_url("**/cases/?queue=to_assess")
    assert f"共 {count} 件" in page.locator("main").inner_text()
