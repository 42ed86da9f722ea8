"""The channels' senders: an SMS gateway (console or HTTP), email through Django's mail, and the
企业微信 / 钉钉 / 飞书 group-robot webhooks in their own formats. Each sends one message and
returns, or raises ``DeliveryFailed``; none is ever called inside a database transaction (the
outbox worker calls them between its claim and its mark)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from fengqiao.core.masking import mask_phone
from fengqiao.notify.choices import RobotProvider

logger = logging.getLogger(__name__)

# An answer's body is read up to this much, for the error kept on the delivery.
MAX_ANSWER = 2000
# 企业微信 takes at most 2048 bytes of text, 4096 of markdown; 钉钉 and 飞书 more. One bound.
ROBOT_MAX_BYTES = 2048


class DeliveryFailed(Exception):
    """A message not sent. ``permanent``: trying again cannot help (a 4xx answer, a robot
    that refuses its signature); the delivery goes to dead letters at once."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


# --- HTTP ------------------------------------------------------------------------------------

_local = threading.local()


def _session() -> requests.Session:
    # One keep-alive session per worker thread: a drain posts many messages to one host.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    """POST ``body`` as JSON; the decoded answer (or ``None`` when it is not JSON). Raises
    ``DeliveryFailed`` on a network error, a timeout or a status other than 2xx."""
    data = json.dumps(body, ensure_ascii=False).encode()
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        answer = _session().post(
            url,
            data=data,
            headers=all_headers,
            timeout=settings.FENGQIAO_NOTIFY_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
    text = answer.text[:MAX_ANSWER]
    if not 200 <= answer.status_code < 300:
        # 408 and 429 are worth another try; other 4xx answers will not change.
        permanent = 400 <= answer.status_code < 500 and answer.status_code not in (408, 429)
        raise DeliveryFailed(f"HTTP {answer.status_code}: {text[:200]}", permanent=permanent)
    try:
        return json.loads(text)
    except ValueError:
        return None


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def check_webhook_url(url: str) -> None:
    """A robot or gateway address: https, or http to this machine only (a local relay, tests);
    raises ``ValueError`` with the reason."""
    parts = urlsplit(url)
    if len(url) > 500:
        raise ValueError("too long")
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return
    raise ValueError("not https")


# --- SMS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    key: str


# What the console gateway sent in this process (like ``django.core.mail.outbox``).
sms_outbox: list[SentSms] = []


def send_sms(*, phone: str, text: str, key: str, secret: bool = False) -> None:
    """Send ``text`` to ``phone`` through the configured gateway; ``key`` is the delivery's
    idempotency key, the same on every try. ``secret`` (a verification code): the console
    gateway logs the text only where ``FENGQIAO_SMS_CONSOLE_SHOWS_CODES`` (a developer's
    machine, the demo), never in production."""
    backend = settings.FENGQIAO_SMS_BACKEND
    sign = settings.FENGQIAO_SMS_SIGN
    if backend == "console":
        sms_outbox.append(SentSms(phone, text, key))
        shown = (
            text
            if not secret or settings.FENGQIAO_SMS_CONSOLE_SHOWS_CODES
            else "[verification code not logged]"
        )
        logger.info("SMS to %s (%s): %s", mask_phone(phone), key, shown)
        return
    if backend == "http":
        if not settings.FENGQIAO_SMS_URL:
            raise ImproperlyConfigured("FENGQIAO_SMS_BACKEND=http needs FENGQIAO_SMS_URL")
        headers = {"Idempotency-Key": key}
        if settings.FENGQIAO_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.FENGQIAO_SMS_TOKEN}"
        post_json(
            settings.FENGQIAO_SMS_URL,
            {"id": key, "phone": phone, "sign": sign, "text": text},
            headers,
        )
        return
    raise ImproperlyConfigured(f"unknown FENGQIAO_SMS_BACKEND {backend!r}")


# --- Email -----------------------------------------------------------------------------------


def send_email(*, address: str, subject: str, text: str, key: str) -> None:
    message = EmailMessage(
        subject=subject,
        body=text,
        to=[address],
        # The same Message-ID on every try lets a receiving server drop a repeat.
        headers={"Message-ID": f"<{key}@fengqiao>"},
    )
    try:
        message.send(fail_silently=False)
    except (OSError, ValueError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc


# --- Group robots ----------------------------------------------------------------------------


def cut_bytes(text: str, limit: int = ROBOT_MAX_BYTES) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[:limit].decode(errors="ignore")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书's 签名校验: HMAC-SHA256 keyed by "timestamp\\nsecret" of an empty message, base64."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class RobotRequest:
    url: str
    body: dict[str, Any]


def robot_request(
    *,
    provider: str,
    url: str,
    secret: str,
    text: str,
    title: str,
    markdown: bool,
    now: float | None = None,
) -> RobotRequest:
    """The request a robot of ``provider`` takes for ``text``, in its documented format."""
    now = time.time() if now is None else now
    text = cut_bytes(text)
    if provider == RobotProvider.WECOM:
        if markdown:
            return RobotRequest(url, {"msgtype": "markdown", "markdown": {"content": text}})
        return RobotRequest(url, {"msgtype": "text", "text": {"content": text}})
    if provider == RobotProvider.DINGTALK:
        if secret:
            ts = int(now * 1000)
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
        if markdown:
            body = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        else:
            body = {"msgtype": "text", "text": {"content": text}}
        return RobotRequest(url, body)
    if provider == RobotProvider.FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
        return RobotRequest(url, body)
    raise ImproperlyConfigured(f"unknown robot provider {provider!r}")


def _robot_refused(provider: str, answer: Any) -> str:
    """The robot's own error in a 200 answer ("" when it accepted)."""
    if not isinstance(answer, dict):
        return ""
    if provider in (RobotProvider.WECOM, RobotProvider.DINGTALK):
        code = answer.get("errcode", 0)
        return "" if code == 0 else f"errcode {code}: {str(answer.get('errmsg', ''))[:200]}"
    code = answer.get("code", answer.get("StatusCode", 0))
    return "" if code == 0 else f"code {code}: {str(answer.get('msg', ''))[:200]}"


def send_robot(
    *, provider: str, url: str, secret: str, text: str, title: str, markdown: bool
) -> None:
    request = robot_request(
        provider=provider, url=url, secret=secret, text=text, title=title, markdown=markdown
    )
    answer = post_json(request.url, request.body)
    refused = _robot_refused(provider, answer)
    if refused:
        # A refused signature or a removed robot stays refused; rate limits pass (钉钉 410100,
        # 企业微信 45009, 飞书 9499 and 11232 are "too many": worth another try).
        transient = any(code in refused for code in ("410100", "45009", "9499", "11232"))
        raise DeliveryFailed(f"{_host(url)} {refused}", permanent=not transient)
