"""End-to-end: a handler reveals a party's phone on the case page (an htmx POST that swaps the
party's row in place) and the leader is not offered it (docs/security.md, masking)."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.tests.factories import handled_case
from fengqiao.web.tests.test_browser import login

pytestmark = pytest.mark.browser


def test_handler_reveals_a_phone_in_place_and_the_leader_is_not_offered_it(
    page: Any, live_server: Any, cast: Any, world: Any
) -> None:
    case = handled_case(cast, world)
    applicant = case.parties.get(name="张三")
    # Given 东村's mediator on the case page: the applicant's numbers are masked
    login(page, live_server.url, "mediator_east", PASSWORD)
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    row = page.locator(f"#party-{applicant.pk}")
    assert "138****1111" in row.inner_text()
    # When they press 查看完整号码
    row.get_by_role("button", name="查看完整号码").click()
    # then the row shows the full phone and ID number in place, marked as audited
    page.locator(f"#party-{applicant.pk} .badge").wait_for()
    text = page.locator(f"#party-{applicant.pk}").inner_text()
    assert "13800001111" in text
    assert "990102198001011234" in text
    assert "已记入审计日志" in text
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count() == 1
    # And the leader reads 张* with no reveal button
    page.context.clear_cookies()
    login(page, live_server.url, "leader", PASSWORD)
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    leader_row = page.locator(f"#party-{applicant.pk}")
    assert "张*" in leader_row.inner_text()
    assert leader_row.get_by_role("button").count() == 0
