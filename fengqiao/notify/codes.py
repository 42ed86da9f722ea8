"""短信验证码: one-time codes sent to a phone, for the portal (apply, track) and for a party's
confirmation of an agreement.

- A code is 6 digits from ``secrets``; it is valid for ``CODE_TTL`` (10 minutes) and once.
- Nothing readable is stored: the phone only as its keyed lookup hash (the one ``Party.phone_hash``
  holds, so a code can be matched to a case's party), the code only as an HMAC keyed with
  ``SECRET_KEY`` over the phone hash, purpose, scope and code; compared in constant time.
- One live code per (phone, purpose, scope) — a partial unique constraint — and a new one may be
  asked for only ``RESEND_SECONDS`` (60 s) after the previous one; at most ``DAILY_LIMIT`` (10)
  codes per phone in 24 hours, whatever the purpose.
- ``MAX_FAILURES`` (5) wrong tries kill the code; a used code is dead.
- The SMS goes through the outbox (``enqueue_sms``), sent after commit; once sent, its text is
  blanked in the outbox. Neither the phone nor the code is ever logged.

``check_code`` commits its own counting of a wrong try: call it outside a transaction that a
refusal would roll back (a rolled-back count would give a guesser unlimited tries)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.crypto import lookup_hash
from fengqiao.core.validators import MOBILE
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import VerificationCode

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=10)
RESEND_SECONDS = 60
DAILY_LIMIT = 10
MAX_FAILURES = 5
SCOPE_MAX_LENGTH = 64
# Rows older than this are of no use (the day's count looks back 24 hours) and are deleted.
KEEP = timedelta(days=2)


class CodePurpose(models.TextChoices):
    PORTAL_APPLY = "portal_apply", gettext_lazy("申请调解")
    PORTAL_TRACK = "portal_track", gettext_lazy("查询进度")
    CONFIRM = "confirm", gettext_lazy("确认协议")


class CodeRefused(Exception):
    """A code not sent or not accepted; ``message`` says why, in Chinese, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_phone(phone: str) -> str:
    """The phone as typed, without spaces or dashes, or ``CodeRefused``."""
    value = "".join(ch for ch in str(phone)[:32] if ch not in " -")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE.fullmatch(value):
        raise CodeRefused(_("请输入正确的11位手机号码。"))
    return value


def _check_args(purpose: str, scope: str) -> None:
    if purpose not in CodePurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    if len(scope) > SCOPE_MAX_LENGTH:
        raise ValueError("scope too long")


def _digest(phone_hash: str, purpose: str, scope: str, code: str) -> str:
    value = "\0".join((phone_hash, purpose, scope, code))
    return salted_hmac("fengqiao.notify.codes", value, algorithm="sha256").hexdigest()


def sms_text(code: str) -> str:
    from django.conf import settings

    return _("【%(sign)s】您的验证码为%(code)s，10分钟内有效。如非本人操作请忽略。") % {
        "sign": settings.FENGQIAO_SMS_SIGN,
        "code": code,
    }


def send_code(*, phone: str, purpose: str, scope: str = "") -> None:
    """Send a new code to ``phone`` for ``purpose`` (and ``scope``), ending any earlier one;
    ``CodeRefused`` when the number is not a mainland mobile or when too soon or too often."""
    from fengqiao.notify.services import enqueue_sms

    _check_args(purpose, scope)
    phone = normalise_phone(phone)
    phone_hash = lookup_hash(phone)
    now = timezone.now()
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))
    try:
        with transaction.atomic():
            current = (
                VerificationCode.objects.select_for_update()
                .filter(phone_hash=phone_hash, purpose=purpose, scope=scope, live=True)
                .first()
            )
            if current is not None:
                wait = RESEND_SECONDS - int((now - current.created_at).total_seconds())
                if wait > 0:
                    raise CodeRefused(_("验证码已发送，请%(s)s秒后再重新获取。") % {"s": wait})
            sent_today = VerificationCode.objects.filter(
                phone_hash=phone_hash, created_at__gt=now - timedelta(days=1)
            ).count()
            if sent_today >= DAILY_LIMIT:
                raise CodeRefused(_("该手机号今日获取验证码次数已达上限，请明天再试。"))
            if current is not None:
                VerificationCode.objects.filter(pk=current.pk).update(live=False)
            row = VerificationCode.objects.create(
                phone_hash=phone_hash,
                purpose=purpose,
                scope=scope,
                code_hash=_digest(phone_hash, purpose, scope, code),
                created_at=now,
                expires_at=now + CODE_TTL,
            )
            enqueue_sms(
                phone=phone,
                text=sms_text(code),
                kind=NotificationKind.VERIFICATION,
                key=f"code:{row.pk}",
            )
    except IntegrityError as exc:
        # Another request for the same phone and purpose wrote its code at the same moment.
        raise CodeRefused(_("验证码已发送，请稍后再重新获取。")) from exc


def check_code(*, phone: str, purpose: str, scope: str = "", code: str) -> None:
    """Accept ``code`` for ``phone`` (and use it up) or raise ``CodeRefused``. A wrong try is
    counted and committed before the refusal; the ``MAX_FAILURES``-th kills the code."""
    _check_args(purpose, scope)
    phone = normalise_phone(phone)
    code = str(code).strip()[:16]
    if len(code) != CODE_LENGTH or not code.isdigit() or not code.isascii():
        raise CodeRefused(_("请输入6位数字验证码。"))
    phone_hash = lookup_hash(phone)
    now = timezone.now()
    refusal = ""
    # Its own transaction (a savepoint inside a caller's): the count of a wrong try stays even
    # if the caller's transaction is rolled back by the refusal, when the caller has none.
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, purpose=purpose, scope=scope, live=True)
            .first()
        )
        if row is None or row.expires_at <= now:
            refusal = _("验证码已失效，请重新获取。")
        elif not constant_time_compare(row.code_hash, _digest(phone_hash, purpose, scope, code)):
            failures = row.failures + 1
            left = MAX_FAILURES - failures
            VerificationCode.objects.filter(pk=row.pk).update(failures=failures, live=left > 0)
            refusal = (
                _("验证码不正确，还可再试%(n)s次。") % {"n": left}
                if left > 0
                else _("验证码错误次数过多，已失效，请重新获取。")
            )
        else:
            VerificationCode.objects.filter(pk=row.pk).update(used_at=now, live=False)
    if refusal:
        raise CodeRefused(refusal)


def purge(now: datetime | None = None) -> int:
    """Delete codes older than ``KEEP``; how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _types = VerificationCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted
