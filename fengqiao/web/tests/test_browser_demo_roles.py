"""In a real browser on the small demo county (``seed_demo --small``): the county 综治中心's
dispatcher takes over a case the township escalated and dispatches it, which no demo account
could do before; the 医调委 and 驻庭调解室 mediators land on their own work."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.models import User
from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.disputes.choices import CaseStatus, DispatchStatus
from fengqiao.disputes.models import Case, DispatchOrder
from fengqiao.disputes.queues import TO_DISPATCH, queue_cases

pytestmark = pytest.mark.browser


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_the_county_dispatcher_dispatches_a_case_the_township_escalated(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    county = User.objects.get(username="dispatcher_county")
    case = queue_cases(county, TO_DISPATCH).filter(timeline__action="escalate").first()
    assert case is not None

    login(page, base, "dispatcher_county")
    page.locator('#queues a[data-queue="to_dispatch"]').click()
    page.get_by_role("link", name=case.number).click()
    panel = page.locator("#act-dispatch")
    panel.locator("summary").click()
    boxes = panel.locator('input[name="orgs"]')
    if not panel.locator('input[name="orgs"]:checked').count():
        boxes.first.check()  # no recommendation preselected: the dispatcher picks one
    panel.locator("button[type=submit]", has_text="确认交办").click()
    page.wait_for_load_state()

    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    order = DispatchOrder.objects.filter(case=case, status=DispatchStatus.PENDING).get()
    assert order.from_org.region.code == case.platform.region.code
    assert case.platform.region.level == 3  # still the county's case, now sent on


@pytest.mark.parametrize("username", ["mediator_industry", "mediator_court"])
def test_the_new_mediators_land_on_their_own_work(
    page: Any, live_server: Any, demo_small: None, username: str
) -> None:
    user = User.objects.get(username=username)
    mediating = Case.objects.filter(handler=user, status=CaseStatus.MEDIATING).first()
    assert mediating is not None

    login(page, live_server.url, username)
    page.goto(f"{live_server.url}/cases/my/")

    assert page.locator("#to-mediate").get_by_role("link", name=mediating.number).count() == 1
