"""Verification codes by SMS: sent through the outbox to a bare phone number, read back from the
console gateway, accepted once; resend, daily, wrong-try and expiry limits; nothing readable
stored or logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fengqiao.core.crypto import lookup_hash
from fengqiao.notify import backends
from fengqiao.notify.choices import Channel, DeliveryStatus, NotificationKind
from fengqiao.notify.codes import (
    DAILY_LIMIT,
    CodePurpose,
    CodeRefused,
    check_code,
    purge,
    send_code,
)
from fengqiao.notify.models import Delivery, VerificationCode
from fengqiao.notify.outbox import drain
from fengqiao.notify.services import enqueue_sms

PHONE = "13912345678"
OTHER = "13698765432"
APPLY = CodePurpose.PORTAL_APPLY
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_sms_outbox() -> Iterator[None]:
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()


def _received(phone: str = PHONE) -> str:
    """The code in the last SMS the console gateway sent to ``phone`` (after a drain)."""
    drain(seconds=5)
    texts = [m.text for m in backends.sms_outbox if m.phone == phone]
    assert texts, "no SMS sent"
    found = re.search(r"验证码为(\d{6})", texts[-1])
    assert found, texts[-1]
    return found.group(1)


def _age(seconds: int, **filters: object) -> None:
    """Move the codes matching ``filters`` ``seconds`` into the past."""
    for row in VerificationCode.objects.filter(**filters):
        VerificationCode.objects.filter(pk=row.pk).update(
            created_at=row.created_at - timedelta(seconds=seconds),
            expires_at=row.expires_at - timedelta(seconds=seconds),
        )


def test_a_code_arrives_by_sms_and_is_accepted_once(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.FENGQIAO_SMS_CONSOLE_SHOWS_CODES = False  # as production settings have it
    caplog.set_level(logging.DEBUG)
    send_code(phone=PHONE, purpose=APPLY)
    code = _received()
    (sms,) = backends.sms_outbox
    assert sms.text == f"【枫桥平台】您的验证码为{code}，10分钟内有效。如非本人操作请忽略。"
    check_code(phone=PHONE, purpose=APPLY, code=code)
    with pytest.raises(CodeRefused, match="已失效"):
        check_code(phone=PHONE, purpose=APPLY, code=code)
    # Neither the phone nor the code is in the log, the outbox row or the code's row.
    assert PHONE not in caplog.text
    assert code not in caplog.text
    delivery = Delivery.objects.get()
    assert delivery.notification_id is None
    assert delivery.channel == Channel.SMS
    assert delivery.kind == NotificationKind.VERIFICATION
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.address_masked == "139****5678"
    assert code not in delivery.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM notify_delivery")
        (raw,) = cursor.fetchone()
    assert PHONE not in raw
    row = VerificationCode.objects.get()
    assert row.phone_hash == lookup_hash(PHONE)
    assert code not in row.code_hash
    assert not row.live
    assert row.used_at is not None


def test_the_demo_shows_the_code_in_the_servers_log(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    # `make run` has no SMS provider: the citizen's code is in the server's output, the phone
    # masked as ever
    settings.FENGQIAO_SMS_CONSOLE_SHOWS_CODES = True
    caplog.set_level(logging.INFO)
    send_code(phone=PHONE, purpose=APPLY)
    code = _received()
    assert f"您的验证码为{code}" in caplog.text
    assert "139****5678" in caplog.text
    assert PHONE not in caplog.text


def test_the_code_is_bound_to_phone_purpose_and_scope() -> None:
    send_code(phone=PHONE, purpose=CodePurpose.PORTAL_TRACK, scope="FQ-1")
    code = _received()
    for phone, purpose, scope in [
        (OTHER, CodePurpose.PORTAL_TRACK, "FQ-1"),
        (PHONE, CodePurpose.PORTAL_APPLY, "FQ-1"),
        (PHONE, CodePurpose.PORTAL_TRACK, "FQ-2"),
    ]:
        with pytest.raises(CodeRefused):
            check_code(phone=phone, purpose=purpose, scope=scope, code=code)
    check_code(phone="139 1234 5678", purpose=CodePurpose.PORTAL_TRACK, scope="FQ-1", code=code)


def test_a_new_code_waits_a_minute_and_ends_the_previous_one() -> None:
    send_code(phone=PHONE, purpose=APPLY)
    first = _received()
    with pytest.raises(CodeRefused, match="秒后再重新获取"):
        send_code(phone=PHONE, purpose=APPLY)
    # Another purpose or scope is not held back by it.
    send_code(phone=PHONE, purpose=CodePurpose.CONFIRM, scope="7")
    _age(61, purpose=APPLY)
    send_code(phone=PHONE, purpose=APPLY)
    second = _received()
    assert len(backends.sms_outbox) == 3
    if first != second:
        with pytest.raises(CodeRefused):
            check_code(phone=PHONE, purpose=APPLY, code=first)
    check_code(phone=PHONE, purpose=APPLY, code=second)


def test_at_most_ten_codes_a_day_per_phone() -> None:
    for i in range(DAILY_LIMIT):
        send_code(phone=PHONE, purpose=CodePurpose.CONFIRM, scope=str(i))
    with pytest.raises(CodeRefused, match="今日获取验证码次数已达上限"):
        send_code(phone=PHONE, purpose=APPLY)
    send_code(phone=OTHER, purpose=APPLY)
    _age(24 * 3600 + 1)
    send_code(phone=PHONE, purpose=APPLY)
    assert VerificationCode.objects.filter(phone_hash=lookup_hash(PHONE)).count() == 11


def test_five_wrong_tries_kill_the_code() -> None:
    send_code(phone=PHONE, purpose=APPLY)
    code = _received()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused, match=f"还可再试{left}次"):
            check_code(phone=PHONE, purpose=APPLY, code=wrong)
    with pytest.raises(CodeRefused, match="错误次数过多"):
        check_code(phone=PHONE, purpose=APPLY, code=wrong)
    with pytest.raises(CodeRefused, match="已失效"):
        check_code(phone=PHONE, purpose=APPLY, code=code)


def test_an_expired_code_is_refused_and_old_rows_are_purged() -> None:
    send_code(phone=PHONE, purpose=APPLY)
    code = _received()
    _age(10 * 60 + 1)
    with pytest.raises(CodeRefused, match="已失效"):
        check_code(phone=PHONE, purpose=APPLY, code=code)
    assert purge() == 0
    _age(3 * 24 * 3600)
    assert purge() == 1


@pytest.mark.parametrize("phone", ["", "1381234567", "12812345678", "138123456789", "abc"])
def test_a_phone_that_is_not_a_mainland_mobile_is_refused(phone: str) -> None:
    with pytest.raises(CodeRefused, match="11位手机号码"):
        send_code(phone=phone, purpose=APPLY)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "１２３４５６"])
def test_a_malformed_code_is_refused_without_counting(code: str) -> None:
    send_code(phone=PHONE, purpose=APPLY)
    with pytest.raises(CodeRefused, match="6位数字"):
        check_code(phone=PHONE, purpose=APPLY, code=code)
    assert VerificationCode.objects.get().failures == 0


def test_enqueue_sms_sends_once_per_key() -> None:
    first = enqueue_sms(phone=PHONE, text="你好", kind=NotificationKind.INFO, key="case:1:reg")
    again = enqueue_sms(phone=PHONE, text="你好", kind=NotificationKind.INFO, key="case:1:reg")
    assert first.pk == again.pk
    drain(seconds=5)
    assert [(m.phone, m.text) for m in backends.sms_outbox] == [(PHONE, "你好")]
    assert Delivery.objects.get().text == "你好"  # only verification texts are blanked
    with pytest.raises(ValueError):
        enqueue_sms(phone="12345", text="x", kind=NotificationKind.INFO, key="k")


def test_a_code_lasts_ten_minutes() -> None:
    send_code(phone=PHONE, purpose=APPLY)
    row = VerificationCode.objects.get()
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert row.created_at <= timezone.now()
