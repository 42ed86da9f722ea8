"""Login with lockout, TOTP, logout, the forced password change, the password policy and the
idle timeout — each through the real pages, each write checked in the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import LoginThrottle, User
from fengqiao.accounts.tests.factories import PASSWORD, UserFactory
from fengqiao.accounts.views import TOTP_SESSION_KEY
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.web.tests.html import page_text

WRONG = "Wrong-Passw0rd!"
NEW_PASSWORD = "Fq-new-Passw0rd#2"
GENERIC = "用户名或密码错误。"
LOCKED = "登录失败次数过多，请于"


def _login(client: Client, username: str, password: str, otp: str = "") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password, "otp": otp})


def _events(event_type: str, user: User | None = None) -> int:
    qs = AuditEvent.objects.filter(event_type=event_type)
    if user is not None:
        qs = qs.filter(object_type="accounts.user", object_id=str(user.pk))
    return qs.count()


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def user(db: None) -> User:
    account: User = UserFactory(username="zhangsan", real_name="张三")
    return account


# --- Lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_refuse_the_name_from_that_address(client: Client, user: User) -> None:
    # Given four wrong passwords, each answered with the generic message
    for _attempt in range(4):
        response = _login(client, "zhangsan", WRONG)
        assert response.status_code == 200
        assert GENERIC in page_text(response)
    # when the fifth is wrong too
    response = _login(client, "zhangsan", WRONG)
    # then the answer is the Chinese lockout message, naming no account
    assert LOCKED in page_text(response)
    lock = LoginThrottle.objects.get(scope=LoginThrottle.Scope.ADDRESS)
    remaining = lock.locked_until - timezone.now()  # type: ignore[operator]
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    # and the right password is refused from this address while the lock holds
    response = _login(client, "zhangsan", PASSWORD)
    assert LOCKED in page_text(response)
    assert not _logged_in(client)
    # the account itself is not locked: its owner elsewhere is not shut out
    user.refresh_from_db()
    assert not user.is_locked()
    # every step is in the audit log, the lock with its scope
    assert _events(EventType.LOGIN_FAILED, user) == 5
    locked = AuditEvent.objects.get(event_type=EventType.ACCOUNT_LOCKED)
    assert (locked.object_id, locked.after["scope"]) == (str(user.pk), "address")
    assert _events(EventType.LOGIN_REFUSED_LOCKED, user) == 1
    assert _events(EventType.LOGIN, user) == 0


def _lock(client: Client, username: str) -> None:
    for _attempt in range(5):
        _login(client, username, WRONG)


def test_lock_holds_for_fifteen_minutes(
    client: Client, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lock(client, "zhangsan")
    start = timezone.now()
    # 14 minutes later the right password is still refused
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=14))
    assert LOCKED in page_text(_login(client, "zhangsan", PASSWORD))
    assert not _logged_in(client)
    # after 15 minutes it is accepted
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=15, seconds=1))
    response = _login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_success_after_the_lock_forgets_the_address_failures(client: Client, user: User) -> None:
    _lock(client, "zhangsan")
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(client, "zhangsan", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ADDRESS).exists()


def test_unknown_username_gets_the_generic_message_and_is_audited(client: Client, db: None) -> None:
    response = _login(client, "nobody", WRONG)
    assert GENERIC in page_text(response)
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.object_repr == "nobody"
    assert event.object_id == ""


def test_wrong_password_for_a_known_user_reads_the_same_as_an_unknown_user(
    client: Client, user: User
) -> None:
    known = page_text(_login(client, "zhangsan", WRONG))
    unknown = page_text(_login(client, "lisi", WRONG))
    assert GENERIC in known
    assert GENERIC in unknown


def test_success_resets_the_failure_counter_and_is_audited(client: Client, user: User) -> None:
    for _attempt in range(4):
        _login(client, "zhangsan", WRONG)
    response = _login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.failed_login_count == 0
    assert _events(EventType.LOGIN, user) == 1
    # four more failures after a success do not lock
    client.post("/accounts/logout/")
    for _attempt in range(4):
        _login(client, "zhangsan", WRONG)
    user.refresh_from_db()
    assert not user.is_locked()


def test_username_is_case_insensitive(client: Client, user: User) -> None:
    assert _login(client, "ZhangSan", PASSWORD).status_code == 302


def test_inactive_user_cannot_log_in(client: Client, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert GENERIC in page_text(_login(client, "zhangsan", PASSWORD))
    assert not _logged_in(client)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/orgs/", "/orgs/"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
    ],
)
def test_login_follows_only_local_next_urls(
    target: str, expected: str, client: Client, user: User
) -> None:
    response = client.post(
        f"/accounts/login/?next={target}", {"username": "zhangsan", "password": PASSWORD}
    )
    assert response["Location"] == expected


def test_logged_in_user_is_sent_home_from_the_login_page(client: Client, user: User) -> None:
    client.force_login(user)
    assert client.get("/accounts/login/")["Location"] == "/"


def test_logout_is_a_post_and_is_audited(client: Client, user: User) -> None:
    _login(client, "zhangsan", PASSWORD)
    # a GET (a link, an image tag on another site) does not log out
    assert client.get("/accounts/logout/").status_code == 405
    assert _logged_in(client)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not _logged_in(client)
    assert _events(EventType.LOGOUT, user) == 1
    assert client.get("/").status_code == 302


# --- Forced password change --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/accounts/me/", "/orgs/", "/orgs/roster/", "/audit/", "/accounts/users/"]
)
def test_must_change_password_redirects_every_page(url: str, client: Client, user: User) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


def test_forced_change_then_the_platform_opens(client: Client, user: User) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    _login(client, "zhangsan", PASSWORD)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "首次登录或密码已被重置" in page_text(page)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    # the session survives the change and every page opens
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.password_changed_at is not None
    assert user.check_password(NEW_PASSWORD)
    assert _events(EventType.PASSWORD_CHANGED, user) == 1


def test_password_change_checks_the_old_password_and_the_repeat(client: Client, user: User) -> None:
    client.force_login(user)
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": WRONG, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "原密码不正确" in page_text(wrong_old)
    mismatch = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "x"},
    )
    assert "两次输入的新密码不一致" in page_text(mismatch)
    same = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "新密码不能与原密码相同" in page_text(same)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert _events(EventType.PASSWORD_CHANGED) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "10"),  # short (see test_short_password_message_is_chinese)
        ("Password123", "这个密码太常见了"),
        ("abcdefghijkl", "至少三类"),
        ("12345678901234", "密码只包含数字"),
        ("Zhangsan-2026", "太相似"),
    ],
)
def test_password_policy_rejects_weak_passwords(
    password: str, message: str, client: Client, user: User
) -> None:
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in page_text(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_short_password_message_is_chinese() -> None:
    from django.core.exceptions import ValidationError

    from fengqiao.accounts.validators import MinimumLengthValidator

    with pytest.raises(ValidationError) as raised:
        MinimumLengthValidator(min_length=10).validate("Ab1!xyz")
    assert raised.value.messages == ["密码长度不能少于10个字符。"]
    assert MinimumLengthValidator(min_length=10).get_help_text() == "密码长度不能少于10个字符。"


def test_password_page_shows_the_policy_in_chinese(client: Client, user: User) -> None:
    client.force_login(user)
    text = page_text(client.get("/accounts/password/"))
    assert "至少三类" in text


# --- Idle timeout ------------------------------------------------------------------------------


def test_idle_timeout_is_thirty_minutes_renewed_on_every_request() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_request_pushes_the_session_expiry_back(client: Client, user: User) -> None:
    _login(client, "zhangsan", PASSWORD)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/").status_code == 200
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timedelta(minutes=29)


def test_an_idle_session_expires(client: Client, user: User) -> None:
    _login(client, "zhangsan", PASSWORD)
    key = client.session.session_key
    # thirty minutes without a request
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- TOTP ---------------------------------------------------------------------------------------


def _enable_totp(client: Client) -> str:
    page = client.get("/accounts/me/totp/")
    assert page.status_code == 200
    secret: str = client.session[TOTP_SESSION_KEY]
    assert secret in page_text(page)
    response = client.post("/accounts/me/totp/", {"code": pyotp.TOTP(secret).at(timezone.now())})
    assert response.status_code == 302
    return secret


def test_totp_setup_refuses_a_wrong_code(client: Client, user: User) -> None:
    client.force_login(user)
    client.get("/accounts/me/totp/")
    secret = client.session[TOTP_SESSION_KEY]
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    response = client.post("/accounts/me/totp/", {"code": wrong})
    assert "动态口令不正确" in page_text(response)
    user.refresh_from_db()
    assert not user.totp_enabled
    assert _events(EventType.TOTP_ENABLED) == 0
    # the secret on screen stays the same until it is confirmed
    assert client.session[TOTP_SESSION_KEY] == secret


def test_totp_once_enabled_is_required_at_login(client: Client, user: User) -> None:
    client.force_login(user)
    secret = _enable_totp(client)
    user.refresh_from_db()
    assert user.totp_enabled
    assert user.totp_secret == secret
    assert TOTP_SESSION_KEY not in client.session
    assert _events(EventType.TOTP_ENABLED, user) == 1
    client.post("/accounts/logout/")
    # password alone: asked for the code, not logged in
    response = _login(client, "zhangsan", PASSWORD)
    assert "请输入动态口令" in page_text(response)
    assert response.context["show_otp"] is True
    assert not _logged_in(client)
    # a wrong code is refused and counted as a failed login
    code = pyotp.TOTP(secret).at(timezone.now())
    wrong = f"{(int(_next_code(secret)) + 1) % 1000000:06d}"
    response = _login(client, "zhangsan", PASSWORD, wrong)
    assert "动态口令错误" in page_text(response)
    assert not _logged_in(client)
    assert _events(EventType.LOGIN_FAILED, user) == 1
    # the code that confirmed the setup is spent
    response = _login(client, "zhangsan", PASSWORD, code)
    assert "动态口令错误" in page_text(response)
    # the next code logs in
    response = _login(client, "zhangsan", PASSWORD, _next_code(secret))
    assert response.status_code == 302
    assert _logged_in(client)


def _next_code(secret: str, steps: int = 1) -> str:
    return pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30 * steps))


def test_a_totp_code_is_good_only_once(client: Client, user: User) -> None:
    client.force_login(user)
    secret = _enable_totp(client)
    client.post("/accounts/logout/")
    code = _next_code(secret)
    assert _login(client, "zhangsan", PASSWORD, code).status_code == 302
    client.post("/accounts/logout/")
    # replayed (someone looking over a shoulder, a logged request): refused
    response = _login(client, "zhangsan", PASSWORD, code)
    assert "动态口令错误" in page_text(response)
    assert not _logged_in(client)


def test_totp_code_from_outside_the_drift_window_is_refused(client: Client, user: User) -> None:
    client.force_login(user)
    secret = _enable_totp(client)
    client.post("/accounts/logout/")
    response = _login(client, "zhangsan", PASSWORD, _next_code(secret, steps=3))
    assert "动态口令错误" in page_text(response)


def test_totp_code_without_the_right_password_is_refused(client: Client, user: User) -> None:
    client.force_login(user)
    secret = _enable_totp(client)
    client.post("/accounts/logout/")
    response = _login(client, "zhangsan", WRONG, _next_code(secret))
    assert GENERIC in page_text(response)
    assert not _logged_in(client)


def test_totp_can_be_disabled_and_is_audited(client: Client, user: User) -> None:
    client.force_login(user)
    _enable_totp(client)
    response = client.post("/accounts/me/totp/", {"action": "disable"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.totp_enabled
    assert user.totp_secret == ""
    assert _events(EventType.TOTP_DISABLED, user) == 1


# --- Accounts created by the system admin ------------------------------------------------------


def test_user_created_by_the_admin_must_change_password_at_first_login(
    cast: Any, client_for: Any
) -> None:
    admin = client_for(cast.system_admin)
    response = admin.post(
        "/accounts/users/new/",
        {"username": "wangwu", "real_name": "王五", "phone": "13912345678", "password": PASSWORD},
    )
    assert response.status_code == 302
    created = User.objects.get(username="wangwu")
    assert created.must_change_password
    event = AuditEvent.objects.get(event_type=EventType.USER_CREATED)
    assert event.actor == cast.system_admin
    # the phone number is personal data and is not written into the log
    assert "13912345678" not in str(event.after)
    # first login: straight to the password page, and nowhere else until changed
    client = Client()
    assert _login(client, "wangwu", PASSWORD).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get("/").status_code == 200
