"""In a real browser on the small demo county (issue 14's Playwright test, the referral part):
the clerk logs in, finds 诉调对接 in the navigation from the landing page, sends the waiting
委派 case to the 驻庭调解室 and sees it under 已委派/委托; the room's mediator accepts it from
their landing page and sees the 30-day period on the case page; the clerk sees the same date
under 调解中. Screenshots go to test-artifacts/referral-NN-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fengqiao.court.models import CourtReferral
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import IntakeChannel
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"referral-{name}.png"), full_page=True)


def test_a_clerk_sends_a_referral_and_the_mediator_accepts_it(
    page: Any,
    live_server: Any,
    demo_small: None,
) -> None:
    base = live_server.url
    login(page, base, "clerk")
    assert "本单位未办结的案件" in page.locator("main").inner_text()
    page.get_by_role("link", name="诉调对接").first.click()
    page.wait_for_url(f"{base}/court/")
    row = page.locator("#tab-pending tr", has_text="买卖合同货款纠纷（待委派）")
    number = row.locator("td").first.inner_text().strip()
    _shot(page, "01-pending")
    row.get_by_role("link", name="委派/委托").click()
    page.wait_for_url("**/refer/")
    page.select_option("#id_member", index=1)
    page.fill("#id_note", "请于30日内调解，期满未达成协议的退回本院立案。")
    _shot(page, "02-form")
    page.get_by_role("button", name="委派").click()
    page.wait_for_url(f"{base}/court/?tab=sent")
    assert number in page.locator("#tab-sent").inner_text()
    assert "已委派，等待调解组织受理" in page.locator("main").inner_text()
    _shot(page, "03-sent")

    # The room's mediator accepts it from their landing page
    login(page, base, "mediator_court")
    page.locator("#to-accept tr", has_text=number).get_by_role("button", name="受理").click()
    page.wait_for_load_state()
    referral = CourtReferral.objects.select_related("case").get(case__number=number)
    due = deadlines.mediation_deadline(IntakeChannel.COURT_PRE, referral.accepted_at)
    shown = timezone.localtime(due).strftime("%Y-%m-%d")
    page.goto(f"{base}/cases/{referral.case_id}/")
    panel = page.locator("#court-referral").inner_text()
    assert "调解中" in panel
    assert shown in panel
    _shot(page, "04-mediator-case")

    # The clerk sees the same period under 调解中
    login(page, base, "clerk")
    page.goto(f"{base}/court/?tab=mediating")
    assert shown in page.locator("#tab-mediating tr", has_text=number).inner_text()
    _shot(page, "05-mediating")
