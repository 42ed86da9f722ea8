"""End-to-end: a real browser against the live server. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_village_mediator_sees_only_their_village_on_the_roster(
    page: Any, live_server: Any, cast: Any
) -> None:
    login(page, live_server.url, "mediator_east", PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="调解员名册").first.click()
    table = page.locator("#roster")
    table.wait_for()
    text = table.inner_text()
    assert "东村调解员" in text
    assert "西村调解员" not in text
    assert "南村调解员" not in text


def test_five_wrong_passwords_lock_the_name_from_this_browser(
    page: Any, live_server: Any, cast: Any
) -> None:
    for _attempt in range(4):
        login(page, live_server.url, "dispatcher", "wrong-Passw0rd!")
        assert "用户名或密码错误" in page.locator("#login-error").inner_text()
    login(page, live_server.url, "dispatcher", "wrong-Passw0rd!")
    message = page.locator("#login-error").inner_text()
    assert "登录失败次数过多，请于" in message
    # Even the right password is refused while locked.
    login(page, live_server.url, "dispatcher", PASSWORD)
    assert "登录失败次数过多" in page.locator("#login-error").inner_text()
    assert page.url.endswith("/accounts/login/")
