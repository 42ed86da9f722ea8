"""Password resets under dual control (三员分立).

The system admin must not be handed a password that logs in as the user. A reset therefore
makes the password unusable and creates a one-time code in two halves: the first is shown once
to the system admin who started it, the second once to a security admin (on the page of pending
resets, as an audited act). The user, given both halves by two different people, sets a new
password of their own within ``FENGQIAO_PASSWORD_RESET_HOURS``. Only Argon2 hashes of the
halves are stored; a code is good once; a new reset cancels the previous one; a wrong code
counts as a failed login for the lockout. Neither admin alone can use a code.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import lockout
from fengqiao.accounts.models import PasswordReset, User
from fengqiao.accounts.services import (
    AccessPolicyError,
    LoginRefused,
    _check_account_change,
    login_attempt,
)
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record

# No 0/O, 1/I/L: halves are read aloud and typed from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_HALF_LENGTH = 8


def _new_half() -> str:
    return "".join(secrets.choice(_ALPHABET) for _n in range(_HALF_LENGTH))


def format_half(half: str) -> str:
    return f"{half[:4]}-{half[4:]}"


def _normalise_half(typed: str) -> str:
    return "".join(c for c in typed.upper() if c.isalnum())[: _HALF_LENGTH * 2]


class ResetRefused(Exception):
    """A reset step refused; ``message`` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def password_reset_start(*, actor: User, user: User) -> tuple[PasswordReset, str]:
    """The system admin's reset: the password stops working (and with it every session) and
    the first half of the code is returned to be shown once."""
    _check_account_change(actor, user)
    if actor.pk == user.pk:
        raise AccessPolicyError(_("不能重置自己的密码，请在“修改密码”中修改。"))
    half = _new_half()
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        cancelled = PasswordReset.objects.filter(
            user=user, used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
        ).update(cancelled_at=now)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        reset = PasswordReset.objects.create(
            user=user,
            started_by=actor,
            started_at=now,
            expires_at=now + timedelta(hours=settings.FENGQIAO_PASSWORD_RESET_HOURS),
            first_half_hash=make_password(half),
        )
        audit_record(
            actor=actor,
            event_type=EventType.PASSWORD_RESET,
            obj=user,
            after={
                "reset": reset.pk,
                "expires_at": reset.expires_at.isoformat(),
                "cancelled_earlier": cancelled,
            },
        )
    return reset, format_half(half)


def resets_pending() -> QuerySet[PasswordReset]:
    """Open resets, for the security admin's page."""
    return (
        PasswordReset.objects.filter(
            used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("user", "started_by", "revealed_by")
        .order_by("-started_at")
    )


def password_reset_reveal(*, actor: User, reset: PasswordReset) -> str:
    """The security admin's half: made and shown once, never by the admin who started the
    reset nor by the account's owner."""
    half = _new_half()
    with transaction.atomic():
        reset = PasswordReset.objects.select_for_update().get(pk=reset.pk)
        if not reset.is_open():
            raise ResetRefused(_("该重置已使用、作废或过期。"))
        if actor.pk in (reset.started_by_id, reset.user_id):
            raise ResetRefused(_("第二段重置码须由发起人和本人以外的安全管理员生成。"))
        if reset.second_half_hash:
            raise ResetRefused(
                _("第二段重置码已生成过，不能再次查看；如已遗失，请系统管理员重新发起重置。")
            )
        reset.second_half_hash = make_password(half)
        reset.revealed_by, reset.revealed_at = actor, timezone.now()
        reset.save(update_fields=["second_half_hash", "revealed_by", "revealed_at"])
        audit_record(
            actor=actor,
            event_type=EventType.PASSWORD_RESET_REVEALED,
            obj=reset.user,
            after={"reset": reset.pk},
        )
    return format_half(half)


def _codes_match(reset: PasswordReset | None, first: str, second: str) -> bool:
    """Both halves against their hashes; without a reset the same two hashes are computed so
    an unknown name or a missing reset does not answer faster."""
    if reset is None or not reset.second_half_hash:
        make_password(first)
        make_password(second)
        return False
    first_ok = check_password(first, reset.first_half_hash)
    second_ok = check_password(second, reset.second_half_hash)
    return first_ok and second_ok


def password_reset_complete(
    *, request: HttpRequest | None, username: str, first: str, second: str, password: str
) -> User:
    """The user sets a new password with both halves. Raises ``LoginRefused`` for a wrong,
    used or expired code (counted as a failed login) and ``ValidationError`` for a password
    the policy refuses (the code stays good)."""
    username = username.strip()
    name, ip, user = login_attempt(request, username)
    reset = (
        PasswordReset.objects.filter(user=user).order_by("-started_at").first() if user else None
    )
    if reset is not None and not reset.is_open():
        reset = None
    if not _codes_match(reset, _normalise_half(first), _normalise_half(second)):
        with transaction.atomic():
            audit_record(
                actor=None,
                event_type=EventType.LOGIN_FAILED,
                after={"via": "reset_code"},
                **lockout.audit_target(user, username[: lockout.NAME_MAX_LENGTH]),  # type: ignore[arg-type]
            )
            locked = lockout.record_failure(name=name, ip=ip, user=user)
        if locked is not None:
            raise LoginRefused(lockout.refused_message(locked))
        raise LoginRefused(_("用户名或重置码错误，或重置码已使用、已过期。"))
    if user is None or reset is None:  # a match needs both; this keeps the types honest
        raise LoginRefused(_("用户名或重置码错误，或重置码已使用、已过期。"))
    validate_password(password, user)
    with transaction.atomic():
        # The row lock makes a code good once, even for two submissions at the same moment.
        reset = PasswordReset.objects.select_for_update().get(pk=reset.pk)
        if not reset.is_open():
            raise LoginRefused(_("用户名或重置码错误，或重置码已使用、已过期。"))
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        reset.used_at = now
        reset.save(update_fields=["used_at"])
        user.set_password(password)
        user.must_change_password = False
        user.password_changed_at = now
        user.locked_until, user.failed_login_count = None, 0
        user.save(
            update_fields=[
                "password",
                "must_change_password",
                "password_changed_at",
                "locked_until",
                "failed_login_count",
            ]
        )
        lockout.clear_address(name=name, ip=ip)
        audit_record(
            actor=user,
            event_type=EventType.PASSWORD_RESET_COMPLETED,
            obj=user,
            after={"reset": reset.pk},
        )
    return user
