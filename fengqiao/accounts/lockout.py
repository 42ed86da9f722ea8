"""Failed-login counting that neither tells a real name from an unknown one nor lets anyone
lock an account out from everywhere with a handful of tries.

Failures are counted per (name as typed, client address): after
``FENGQIAO_LOGIN_MAX_FAILURES`` within ``FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES`` that pair is
refused for ``FENGQIAO_LOCKOUT_MINUTES``; the owner elsewhere still logs in. A slower limit
per name across all addresses (``FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME``) refuses the name
everywhere for the same time and, for a real account, sets the account's lock, which the
system admin can lift. Known and unknown names are counted and answered alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from fengqiao.accounts.models import LoginThrottle, User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.middleware import client_ip

Scope = LoginThrottle.Scope
NAME_MAX_LENGTH = 150


def normalise_name(username: str) -> str:
    """The name as counted: trimmed, case-folded (logins are case-insensitive), bounded."""
    return username.strip().casefold()[:NAME_MAX_LENGTH]


def address(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


def _digest(*parts: str) -> str:
    value = "\0".join(parts)
    return salted_hmac("fengqiao.accounts.lockout", value, algorithm="sha256").hexdigest()


def _keys(name: str, ip: str) -> dict[str, str]:
    return {
        Scope.ADDRESS: _digest(Scope.ADDRESS, name, ip),
        Scope.NAME: _digest(Scope.NAME, name),
    }


def refused_message(until: datetime) -> str:
    return _("登录失败次数过多，请于%(t)s后再试。") % {
        "t": timezone.localtime(until).strftime("%H:%M")
    }


def audit_target(user: User | None, name: str) -> dict[str, object]:
    if user is not None:
        return {"obj": user}
    return {"object_type": "accounts.user", "object_repr": name}


def refused_until(*, name: str, ip: str, user: User | None) -> tuple[datetime, str] | None:
    """The end of a lock that refuses this name from this address now, and its scope."""
    now = timezone.now()
    keys = _keys(name, ip)
    locks = [
        (row.locked_until, row.scope)
        for row in LoginThrottle.objects.filter(key__in=keys.values(), locked_until__gt=now)
        if row.locked_until is not None
    ]
    if user is not None and user.locked_until is not None and user.is_locked():
        locks.append((user.locked_until, Scope.NAME))
    return max(locks) if locks else None


def refuse(*, name: str, ip: str, user: User | None) -> str | None:
    """The message refusing this attempt (audited) while a lock holds, else None."""
    lock = refused_until(name=name, ip=ip, user=user)
    if lock is None:
        return None
    audit_record(
        actor=None,
        event_type=EventType.LOGIN_REFUSED_LOCKED,
        after={"scope": str(lock[1])},
        **audit_target(user, name),  # type: ignore[arg-type]
    )
    return refused_message(lock[0])


def _count(key: str, name_key: str, scope: str, now: datetime) -> LoginThrottle:
    """Add one failure to the row of ``key``, starting a new window when the last is over."""
    window = timedelta(minutes=settings.FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES)
    while True:
        with transaction.atomic():
            # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before
            # anything is read, so concurrent failures queue here and none is lost.
            counted = LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1)
            if counted:
                # A row created after the UPDATE did not count this failure: only a row the
                # UPDATE changed (and so holds locked) is read here.
                row = LoginThrottle.objects.select_for_update().get(key=key)
                if row.window_start <= now - window:
                    row.failures, row.window_start = 1, now
                    row.save(update_fields=["failures", "window_start"])
                return row
            try:
                with transaction.atomic():
                    return LoginThrottle.objects.create(
                        key=key, name_key=name_key, scope=scope, failures=1, window_start=now
                    )
            except IntegrityError:
                continue  # a concurrent failure created the row first: count on it


def record_failure(*, name: str, ip: str, user: User | None) -> datetime | None:
    """Count a failed attempt (the caller audits it); returns the end of a lock it starts."""
    now = timezone.now()
    until = now + timedelta(minutes=settings.FENGQIAO_LOCKOUT_MINUTES)
    keys = _keys(name, ip)
    name_key = keys[Scope.NAME]
    limits = {
        Scope.ADDRESS: settings.FENGQIAO_LOGIN_MAX_FAILURES,
        Scope.NAME: settings.FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME,
    }
    locked: datetime | None = None
    with transaction.atomic():
        for scope in (Scope.ADDRESS, Scope.NAME):
            row = _count(keys[scope], name_key, scope, now)
            if row.failures < limits[scope]:
                continue
            row.failures, row.window_start, row.locked_until = 0, now, until
            row.save(update_fields=["failures", "window_start", "locked_until"])
            if scope == Scope.NAME and user is not None:
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=0)
            audit_record(
                actor=None,
                event_type=EventType.ACCOUNT_LOCKED,
                after={"scope": str(scope), "locked_until": until.isoformat()},
                **audit_target(user, name),  # type: ignore[arg-type]
            )
            locked = until
    return locked


def clear_address(*, name: str, ip: str) -> None:
    """A successful login from an address forgets that address's failures for the name; the
    count across addresses stays, or a guesser's own logins would reset it."""
    LoginThrottle.objects.filter(key=_keys(name, ip)[Scope.ADDRESS]).delete()


def clear_name(*, name: str) -> int:
    """The system admin's unlock: every count and lock of the name, from every address."""
    deleted, _rows = LoginThrottle.objects.filter(name_key=_keys(name, "")[Scope.NAME]).delete()
    return deleted


def name_locked(*, name: str) -> bool:
    """Whether some address (or every one) is refused this name now: the admin's user page."""
    return LoginThrottle.objects.filter(
        name_key=_keys(name, "")[Scope.NAME], locked_until__gt=timezone.now()
    ).exists()


def throttles_expired_delete(*, now: datetime | None = None) -> int:
    """Rows no longer locking and whose window is over carry nothing; the periodic task
    removes them."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES)
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    deleted, _rows = LoginThrottle.objects.filter(unlocked, window_start__lte=now - window).delete()
    return deleted
