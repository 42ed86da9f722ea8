"""Phones (issue 18 item 7): every page a grid worker or a village mediator uses fits a
390 × 844 screen — no horizontal scroll — and the lists read as cards, one case each.

Screenshots go to test-artifacts/phone-<user>-<page>.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.disputes.tests.factories import consent_and_notify
from fengqiao.disputes.tests.test_views_common import accept, assess, dispatch, east_case
from fengqiao.orgs.models import Person
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_TITLE = "东村张家与李家因宅基地边界及排水沟走向长期争执引发的相邻关系纠纷"


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _overflow(page: Any) -> int:
    """How far the page is wider than the screen (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _check(page: Any, base: str, who: str, paths: list[str]) -> list[str]:
    wide = []
    ARTIFACTS.mkdir(exist_ok=True)
    for path in paths:
        page.goto(f"{base}{path}")
        page.wait_for_load_state()
        for details in page.locator("details").all():
            if details.is_visible():
                details.evaluate("d => d.open = true")  # open forms must fit too
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(ARTIFACTS / f"phone-{who}-{name}.png"), full_page=True)
        if _overflow(page) > 0:
            wide.append(f"{path} (+{_overflow(page)}px)")
    return wide


@pytest.fixture
def cases(cast: Any, world: Any) -> dict[str, Any]:
    """A case waiting for 东村 to accept, one being mediated, one in a long-titled report."""
    waiting = dispatch(assess(east_case(cast, world, title=LONG_TITLE), cast), cast, world)
    mediating = accept(dispatch(assess(east_case(cast, world), cast), cast, world), cast)
    consent_and_notify(mediating, cast.mediator_east)
    return {"waiting": waiting, "mediating": mediating}


def test_a_mediators_pages_fit_a_phone(
    page: Any, live_server: Any, cast: Any, world: Any, cases: dict[str, Any]
) -> None:
    page.set_viewport_size(PHONE)
    _login(page, live_server.url, "mediator_east")
    person = Person.objects.get(user=cast.mediator_east)
    paths = [
        "/",
        "/cases/my/",
        "/cases/",
        f"/cases/{cases['waiting'].pk}/",
        f"/cases/{cases['mediating'].pk}/",
        "/cases/new/",
        "/notifications/",
        "/orgs/",
        f"/orgs/{world.committee_east.pk}/",
        "/orgs/roster/",
        f"/orgs/people/{person.pk}/",
        "/regions/",
        "/accounts/me/",
    ]
    wide = _check(page, live_server.url, "mediator", paths)
    assert not wide, "wider than the phone: " + ", ".join(wide)

    # the lists are cards: a case's number and title side by side with their labels
    page.goto(f"{live_server.url}/cases/my/")
    row = page.locator("#to-accept tbody tr").first
    box = row.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    assert LONG_TITLE in row.inner_text()
    # the 退回理由 box is whole on the screen
    reason = row.locator("input[name=reason]")
    reason_box = reason.bounding_box()
    assert reason_box is not None
    assert reason_box["x"] >= 0
    assert reason_box["x"] + reason_box["width"] <= PHONE["width"]
    assert reason_box["width"] >= 200


def test_a_grid_workers_pages_fit_a_phone(
    page: Any, live_server: Any, cast: Any, world: Any, grid_worker: Any
) -> None:
    page.set_viewport_size(PHONE)
    mine = east_case(cast, world, title=LONG_TITLE)
    mine.registered_by = grid_worker
    mine.save(update_fields=["registered_by"])
    _login(page, live_server.url, "grid_east")
    paths = [
        "/",
        "/cases/report/",
        "/cases/my/",
        "/cases/",
        f"/cases/{mine.pk}/",
        f"/cases/report/{mine.pk}/",
        "/cases/new/",
        "/notifications/",
        "/orgs/",
        "/regions/",
        "/accounts/me/",
    ]
    wide = _check(page, live_server.url, "grid", paths)
    assert not wide, "wider than the phone: " + ", ".join(wide)
