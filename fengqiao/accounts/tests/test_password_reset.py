"""Password reset under dual control (三员分立): the system admin never holds a usable password;
the user sets their own with two halves of a code from two different administrators."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts import resets, services
from fengqiao.accounts.models import PasswordReset, User
from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.web.tests.html import page_text

NEW_PASSWORD = "Fq-own-Passw0rd#7"
REFUSED = "用户名或重置码错误，或重置码已使用、已过期。"
_HALF = re.compile(r'id="reset-half">([A-Z0-9-]+)<')


def _half(response: Any) -> str:
    assert response.status_code == 200
    match = _HALF.search(response.content.decode())
    assert match is not None, "no reset code on the page"
    return match.group(1)


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(cast: Any, user: User) -> str:
    return _half(_as(cast.system_admin).post(f"/accounts/users/{user.pk}/password/"))


def _reveal(cast: Any, user: User) -> str:
    reset = PasswordReset.objects.filter(user=user).latest("started_at")
    return _half(_as(cast.security_admin).post(f"/accounts/resets/{reset.pk}/reveal/"))


def _use(client: Client, username: str, first: str, second: str, password: str) -> Any:
    return client.post(
        "/accounts/password/reset/",
        {
            "username": username,
            "first_half": first,
            "second_half": second,
            "new_password1": password,
            "new_password2": password,
        },
    )


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_reset_end_to_end_through_the_pages(cast: Any) -> None:
    user = cast.mediator_east
    # The login page leads to the reset page
    login_page = Client().get("/accounts/login/")
    assert "/accounts/password/reset/" in login_page.content.decode()
    assert "使用重置码设置新密码" in page_text(login_page)
    # Given the system admin starts a reset: shown the first half only, once
    first = _start(cast, user)
    # the old password stops working at once
    assert "用户名或密码错误" in page_text(_login(Client(), user.username, PASSWORD))
    # the system admin alone, with the first half, cannot set a password
    for guess in ("", first, "ABCD-EFGH"):
        response = _use(Client(), user.username, first, guess, "Admin-chosen-Passw0rd!")
        assert REFUSED in page_text(response) or "必填" in page_text(response)
    # nor see the security admin's page
    assert _as(cast.system_admin).get("/accounts/resets/").status_code == 403
    # The security admin sees the pending reset and makes the second half, once
    listing = _as(cast.security_admin).get("/accounts/resets/")
    assert user.username in page_text(listing)
    second = _reveal(cast, user)
    reset = PasswordReset.objects.get(user=user)
    again = _as(cast.security_admin).post(f"/accounts/resets/{reset.pk}/reveal/", follow=True)
    assert "第二段重置码已生成过" in page_text(again)
    assert second not in again.content.decode()
    # The security admin alone, with the second half, cannot use it either
    assert REFUSED in page_text(_use(Client(), user.username, second, second, NEW_PASSWORD))
    # The user, with both halves, sets a password of their own
    client = Client()
    response = _use(client, user.username, first.lower(), second, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    # and logs in normally: no forced change, the platform opens
    assert _login(client, user.username, NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    # The code is good once
    assert REFUSED in page_text(_use(Client(), user.username, first, second, "Other-Passw0rd#8"))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Only hashes were stored, and the log names every step and who took it
    reset.refresh_from_db()
    stored = f"{reset.first_half_hash} {reset.second_half_hash}"
    for half in (first, second):
        assert half.replace("-", "") not in stored
        for event in AuditEvent.objects.all():
            assert half.replace("-", "") not in f"{event.before} {event.after}".replace("-", "")
    steps = list(
        AuditEvent.objects.filter(object_id=str(user.pk), event_type__startswith="auth.password")
        .order_by("id")
        .values_list("event_type", "actor")
    )
    assert steps == [
        (EventType.PASSWORD_RESET, cast.system_admin.pk),
        (EventType.PASSWORD_RESET_REVEALED, cast.security_admin.pk),
        (EventType.PASSWORD_RESET_COMPLETED, user.pk),
    ]


def test_an_expired_code_is_refused(cast: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user = cast.mediator_east
    first = _start(cast, user)
    second = _reveal(cast, user)
    later = timezone.now() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert REFUSED in page_text(_use(Client(), user.username, first, second, NEW_PASSWORD))
    user.refresh_from_db()
    assert not user.has_usable_password()
    # nor can the second half be made for it any more
    assert not resets.resets_pending().exists()


def test_a_new_reset_cancels_the_old_one(cast: Any) -> None:
    user = cast.mediator_east
    old_first = _start(cast, user)
    old_second = _reveal(cast, user)
    first = _start(cast, user)
    assert REFUSED in page_text(_use(Client(), user.username, old_first, old_second, NEW_PASSWORD))
    second = _reveal(cast, user)
    assert _use(Client(), user.username, first, second, NEW_PASSWORD).status_code == 302


def test_wrong_codes_count_as_failed_logins(cast: Any) -> None:
    user = cast.mediator_east
    first = _start(cast, user)
    second = _reveal(cast, user)
    client = Client()
    for _attempt in range(4):
        assert REFUSED in page_text(_use(client, user.username, first, "WXYZ-WXYZ", NEW_PASSWORD))
    assert "登录失败次数过多" in page_text(
        _use(client, user.username, first, "WXYZ-WXYZ", NEW_PASSWORD)
    )
    # the right code from this address waits for the lock too
    assert "登录失败次数过多" in page_text(_use(client, user.username, first, second, NEW_PASSWORD))
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED).count() == 5


def test_an_unknown_name_reads_like_a_wrong_code(cast: Any) -> None:
    response = _use(Client(), "nobody-here", "ABCD-EFGH", "JKMN-PQRS", NEW_PASSWORD)
    assert REFUSED in page_text(response)


def test_a_weak_password_is_refused_and_the_code_stays_good(cast: Any) -> None:
    user = cast.mediator_east
    first = _start(cast, user)
    second = _reveal(cast, user)
    weak = _use(Client(), user.username, first, second, "abcdefghijkl")
    assert "至少三类" in page_text(weak)
    assert _use(Client(), user.username, first, second, NEW_PASSWORD).status_code == 302


def test_no_path_lets_an_admin_set_another_users_password(cast: Any) -> None:
    with pytest.raises(services.AccessPolicyError):
        services.user_set_password(
            actor=cast.system_admin, user=cast.mediator_east, password=NEW_PASSWORD
        )
    # the reset form takes no password: one posted is ignored
    _as(cast.system_admin).post(
        f"/accounts/users/{cast.mediator_east.pk}/password/", {"password": NEW_PASSWORD}
    )
    cast.mediator_east.refresh_from_db()
    assert not cast.mediator_east.check_password(NEW_PASSWORD)
    assert not cast.mediator_east.has_usable_password()


def test_the_admin_who_started_a_reset_cannot_make_its_second_half(cast: Any) -> None:
    reset, _first = resets.password_reset_start(actor=cast.system_admin, user=cast.mediator_east)
    with pytest.raises(resets.ResetRefused):
        resets.password_reset_reveal(actor=cast.system_admin, reset=reset)
