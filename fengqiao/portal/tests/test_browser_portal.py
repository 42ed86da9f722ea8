"""In a real browser on a phone-sized screen (390 × 844), on the small demo county: a citizen
starts at /portal/, applies for mediation with an SMS code, gets the case number, then tracks
the case from the home page with another code. The codes are read from the console SMS gateway
after the outbox is drained, as a citizen reads them from the phone."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.disputes.models import Case
from fengqiao.portal.tests.conftest import CAPTCHA_ANSWER, last_code
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = "13755556666"


def _code_step(page: Any, phone: str) -> None:
    page.fill("#id_phone", phone)
    page.fill("#id_captcha", CAPTCHA_ANSWER)
    page.click("#send-code")
    page.wait_for_selector("#code-sent")
    code = last_code(phone)
    assert code is not None
    page.fill("#id_code", code)
    page.click("#verify-code")


def test_a_citizen_applies_and_tracks_on_a_phone(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/portal/")
    page.click("#portal-apply")
    page.wait_for_selector("#captcha-image")
    _code_step(page, PHONE)

    page.wait_for_selector("#apply-form")
    page.fill("#id_applicant_name", "赵小花")
    page.fill("#id_respondent_name", "钱大伟")
    place = page.locator("#id_place option:not([value=''])").first.get_attribute("value")
    page.select_option("#id_place", place)
    page.select_option("#id_category", "neighbour")
    page.fill("#id_title", "楼上漏水泡坏了我家天花板")
    page.fill("#id_facts", "上周楼上卫生间漏水，我家天花板和墙面被泡坏，找对方协商不理。")
    page.fill("#id_claims", "修好漏水并赔偿维修费")
    page.check("#id_consent")
    page.check("#id_online")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.click("#submit-application")

    page.wait_for_selector("#case-number")
    number = page.inner_text("#case-number").strip()
    case = Case.objects.get(number=number)
    assert case.platform.name in page.inner_text("#handling")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-apply-done.png"), full_page=True)

    # Later, in a fresh browser session: track the case from the home page.
    page.context.clear_cookies()
    page.goto(f"{base}/portal/")
    page.click("#portal-track")
    page.fill("#id_case_number", number)
    _code_step(page, PHONE)
    page.wait_for_selector("#steps")
    assert page.inner_text("#case-number").strip() == number
    assert "已收到申请，登记立案" in page.inner_text("#steps")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "portal-track.png"), full_page=True)
