"""In a real browser on the small demo county: the 司法所 (``justice``) starts at the login page,
opens 调解员管理 from the menu, scores the last applicant and appoints the next best of the
demo round, then exports last month's approved subsidy statement; the village mediator opens
我的业绩 on a phone-sized screen and it fits."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.mediators.choices import ApplicationStatus
from fengqiao.mediators.models import Application
from fengqiao.orgs.models import MediatorProfile, Membership
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_the_justice_office_appoints_and_exports(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    login(page, base, "justice")

    # 调解员管理 from the menu, then 选聘 and the demo round
    page.get_by_role("link", name="调解员管理").first.click()
    page.locator("#mediators-sections").get_by_role("link", name="选聘").click()
    page.locator("#rounds a").first.click()
    assert "合格分数线75.00分" in page.locator("#round-rules").inner_text()

    # The unscored applicant's scores: a score out of bounds is refused, nothing changes
    last = Application.objects.get(name="温知远")
    row = page.locator(f"#application-{last.pk}")
    row.locator('input[name="written_score"]').fill("65")
    row.locator('input[name="interview_score"]').fill("70")
    row.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    last.refresh_from_db()
    assert str(last.written_score) == "65.00"
    assert "68.00" in page.locator(f"#application-{last.pk}").inner_text()  # 26 + 42

    # The next best (石望川, 82.30) is appointed for the round's three years
    second = Application.objects.get(name="石望川")
    page.locator(f"#application-{second.pk}").get_by_role("link", name="聘任决定").click()
    page.locator("#appoint-submit").click()
    page.wait_for_load_state()
    assert "已聘任为调解员" in page.content()
    second.refresh_from_db()
    assert second.status == ApplicationStatus.APPOINTED
    assert second.person is not None
    assert Membership.objects.filter(person=second.person, org=second.round.org).exists()
    assert MediatorProfile.objects.filter(person=second.person).exists()

    # 案件补贴: last month's approved statement, exported
    page.locator("#mediators-nav").get_by_role("link", name="案件补贴").click()
    page.locator("#statements a").first.click()
    assert page.locator("#statement-status").inner_text() == "已审批"
    with page.expect_download() as download:
        page.locator("#statement-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_mediator_reads_their_own_work_on_a_phone(
    page: Any, live_server: Any, demo_small: None
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    login(page, base, "mediator")

    page.goto(f"{base}/mediators/me/")
    page.wait_for_load_state()
    assert page.locator("#work-figures").is_visible()
    assert "批评教育" in page.locator("#work-complaints").inner_text()
    assert "已审批" in page.locator("#work-subsidies").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-mediator-my-work.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
