"""A simple human check before a code is sent: an arithmetic question drawn as an image by
Pillow (no text a script can read from the page), its answer kept in the session only as a
keyed hash, good for one answer and for ``TTL`` seconds."""

from __future__ import annotations

import io
import secrets
import time

from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import constant_time_compare, salted_hmac
from PIL import Image, ImageDraw, ImageFont

SESSION_KEY = "portal_captcha"
TTL = 600
WIDTH, HEIGHT = 200, 64


def _digest(nonce: str, answer: str) -> str:
    return salted_hmac("fengqiao.portal.captcha", f"{nonce}\0{answer}").hexdigest()


def question(rng: secrets.SystemRandom) -> tuple[str, int]:
    """A sum or a difference of small numbers, and its answer."""
    a, b = rng.randint(2, 19), rng.randint(1, 9)
    if rng.random() < 0.5:
        return f"{a} + {b} = ?", a + b
    a, b = max(a, b), min(a, b)
    return f"{a} - {b} = ?", a - b


def new_challenge(session: SessionBase) -> bytes:
    """A new question (replacing any earlier one); the PNG that shows it."""
    rng = secrets.SystemRandom()
    text, answer = question(rng)
    nonce = secrets.token_hex(8)
    session[SESSION_KEY] = {"n": nonce, "h": _digest(nonce, str(answer)), "t": int(time.time())}
    return _draw(text, rng)


def _draw(text: str, rng: secrets.SystemRandom) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for _i in range(6):
        draw.line(
            [(rng.randint(0, WIDTH), rng.randint(0, HEIGHT)) for _j in range(2)],
            fill=(rng.randint(150, 210), rng.randint(150, 210), rng.randint(150, 210)),
            width=2,
        )
    font = ImageFont.load_default(size=34)
    x = 12
    for ch in text:
        draw.text((x, rng.randint(8, 16)), ch, font=font, fill=(rng.randint(0, 90), 30, 60))
        x += 20 if ch != " " else 8
    for _i in range(120):
        draw.point((rng.randint(0, WIDTH - 1), rng.randint(0, HEIGHT - 1)), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def check(session: SessionBase, answer: str) -> bool:
    """Whether ``answer`` answers the session's question; the question is used up either way."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict):
        return False
    if int(time.time()) - int(stored.get("t", 0)) > TTL:
        return False
    given = str(answer).strip()[:4]
    if not given.lstrip("-").isdigit():
        return False
    return constant_time_compare(str(stored.get("h", "")), _digest(str(stored.get("n", "")), given))
