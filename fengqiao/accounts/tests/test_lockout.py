"""Failed logins counted per (name, address) with a slower limit per name: names cannot be
probed by their answers, nobody can lock an owner out from everywhere with a few tries, and
concurrent failures are all counted."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import get_hasher
from django.db import connection
from django.test import Client
from django.utils import timezone

from fengqiao.accounts import lockout
from fengqiao.accounts.models import LoginThrottle, User
from fengqiao.accounts.tasks import login_throttles_clean
from fengqiao.accounts.tests.factories import PASSWORD, UserFactory
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.web.tests.html import page_text

WRONG = "Wrong-Passw0rd!"
GENERIC = "用户名或密码错误。"
LOCKED = "登录失败次数过多，请于"
_CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # masked anew on every response


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _page(response: Any, username: str) -> str:
    """The page as sent, with the typed name and the per-response CSRF token taken out."""
    return _CSRF_TOKEN.sub("TOKEN", response.content.decode()).replace(username, "NAME")


@pytest.fixture
def owner(db: None) -> User:
    account: User = UserFactory(username="zhangsan", real_name="张三")
    return account


def test_known_and_unknown_names_get_identical_answers(owner: User) -> None:
    known, unknown = Client(), Client()
    # Through the lock and beyond, a real name and a made-up one read exactly the same
    for attempt in range(7):
        a = _login(known, "zhangsan", WRONG)
        b = _login(unknown, "wangermazi", WRONG)
        assert a.status_code == b.status_code == 200
        assert _page(a, "zhangsan") == _page(b, "wangermazi"), f"attempt {attempt + 1}"
        assert (GENERIC if attempt < 4 else LOCKED) in page_text(a)
    # including the right password for the real name during the lock
    a = _login(known, "zhangsan", PASSWORD)
    b = _login(unknown, "wangermazi", PASSWORD)
    assert _page(a, "zhangsan") == _page(b, "wangermazi")
    assert LOCKED in page_text(a)


def test_unknown_name_costs_one_hash_like_a_known_one(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's ModelBackend hashes the password for a name it does not know, so an unknown
    # name does not answer faster than a known one with a wrong password.
    hasher = type(get_hasher())
    calls: list[str] = []
    encode, verify = hasher.encode, hasher.verify
    monkeypatch.setattr(
        hasher, "encode", lambda s, *a, **k: calls.append("e") or encode(s, *a, **k)
    )
    monkeypatch.setattr(
        hasher, "verify", lambda s, *a, **k: calls.append("v") or verify(s, *a, **k)
    )
    _login(Client(), "zhangsan", WRONG)
    known = len(calls)
    calls.clear()
    _login(Client(), "wangermazi", WRONG)
    assert known == len(calls) == 1


def test_a_lock_from_one_address_does_not_stop_the_owner_elsewhere(owner: User) -> None:
    attacker = Client()
    for _attempt in range(6):
        _login(attacker, "zhangsan", WRONG, ip="203.0.113.9")
    assert LOCKED in page_text(_login(attacker, "zhangsan", PASSWORD, ip="203.0.113.9"))
    # the owner at the office logs in
    response = _login(Client(), "zhangsan", PASSWORD, ip="10.1.2.3")
    assert response.status_code == 302
    # the attacker's address stays refused
    assert LOCKED in page_text(_login(attacker, "zhangsan", PASSWORD, ip="203.0.113.9"))


def test_the_per_name_limit_refuses_the_name_everywhere_and_locks_the_account(
    owner: User, settings: Any
) -> None:
    settings.FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME = 8
    # Given failures spread over many addresses, never five from one
    for n in range(7):
        response = _login(Client(), "zhangsan", WRONG, ip=f"198.51.100.{n}")
        assert GENERIC in page_text(response)
        assert _login(Client(), "nosuchuser", WRONG, ip=f"198.51.100.{n}")
    # when the eighth fails, for the real name and for the unknown one
    known = _login(Client(), "zhangsan", WRONG, ip="198.51.100.200")
    unknown = _login(Client(), "nosuchuser", WRONG, ip="198.51.100.200")
    # then both are refused everywhere with the same answer
    assert _page(known, "zhangsan") == _page(unknown, "nosuchuser")
    assert LOCKED in page_text(known)
    assert LOCKED in page_text(_login(Client(), "zhangsan", PASSWORD, ip="10.9.9.9"))
    assert LOCKED in page_text(_login(Client(), "nosuchuser", PASSWORD, ip="10.9.9.9"))
    # the real account carries the lock the system admin can lift, with its scope audited
    owner.refresh_from_db()
    assert owner.is_locked()
    scopes = sorted(
        (e.object_id, e.after["scope"])
        for e in AuditEvent.objects.filter(event_type=EventType.ACCOUNT_LOCKED)
    )
    assert scopes == [("", "name"), (str(owner.pk), "name")]


def test_failures_age_out_of_the_window(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    start = timezone.now()
    for _attempt in range(4):
        _login(client, "zhangsan", WRONG)
    # an hour later the count starts again: four more do not lock
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=61))
    for _attempt in range(4):
        assert GENERIC in page_text(_login(client, "zhangsan", WRONG))
    assert LOCKED in page_text(_login(client, "zhangsan", WRONG))


def test_the_counters_keep_no_readable_name(owner: User) -> None:
    _login(Client(), "Passw0rd-typed-as-name", WRONG)
    for row in LoginThrottle.objects.all():
        assert "passw0rd" not in f"{row.key} {row.name_key}".casefold()
    assert LoginThrottle.objects.count() == 2


def test_the_periodic_task_deletes_expired_counters_only(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = timezone.now()
    for _attempt in range(5):  # a lock on (zhangsan, 10.0.0.1) and a count on the name
        _login(Client(), "zhangsan", WRONG)
    _login(Client(), "lisi", WRONG, ip="10.0.0.2")
    assert LoginThrottle.objects.count() == 4
    # nothing has expired yet
    assert login_throttles_clean.call_local() == 0
    # after the window every row is spent
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=61))
    assert login_throttles_clean.call_local() == 4
    assert not LoginThrottle.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    settings.FENGQIAO_LOGIN_MAX_FAILURES = 1000
    settings.FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME = 1000
    threads_n, each = 8, 5
    barrier = threading.Barrier(threads_n)
    errors: list[Exception] = []

    def fail() -> None:
        try:
            barrier.wait(timeout=10)
            for _attempt in range(each):
                lockout.record_failure(name="zhangsan", ip="10.0.0.1", user=None)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    threads = [threading.Thread(target=fail) for _n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    counts = dict(LoginThrottle.objects.values_list("scope", "failures"))
    assert counts == {"address": threads_n * each, "name": threads_n * each}
