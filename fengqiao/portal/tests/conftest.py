"""The portal as a citizen uses it: the human check answered (its question fixed), codes read
from the console SMS gateway after the outbox is drained."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from fengqiao.notify import backends
from fengqiao.notify.outbox import drain

CAPTCHA_ANSWER = "7"


@pytest.fixture(autouse=True)
def fixed_captcha(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The arithmetic question is random; a test reads its image no better than a script, so
    the question is fixed (3 + 4) and the rest of the check runs as it does for a citizen."""
    monkeypatch.setattr(
        "fengqiao.portal.captcha.question", lambda rng: ("3 + 4 = ?", int(CAPTCHA_ANSWER))
    )
    cache.clear()
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()
    cache.clear()


def last_code(phone: str) -> str | None:
    """The code of the last SMS sent to ``phone``, after draining the outbox."""
    drain(seconds=5)
    codes = [
        found.group(1)
        for m in backends.sms_outbox
        if m.phone == phone and (found := re.search(r"验证码为(\d{6})", m.text))
    ]
    return codes[-1] if codes else None


def send_code(client: Client, path: str, **fields: str) -> Any:
    client.get(path)
    client.get("/portal/captcha.png")
    return client.post(path, {"action": "send", "captcha": CAPTCHA_ANSWER, **fields})


def verify(client: Client, path: str, phone: str, **fields: str) -> Any:
    """Ask for a code at ``path`` and enter it; the last answer."""
    answer = send_code(client, path, phone=phone, **fields)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    code = last_code(phone)
    assert code is not None
    return client.post(path, {"action": "verify", "code": code})


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()
