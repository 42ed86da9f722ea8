"""Limits against scripted use of the portal, counted in the cache like the API's
(``fengqiao.api.throttle``): per client address and per phone number, in fixed windows. Keys
are keyed hashes: no phone number or address is written to the cache. A store that fails lets
the request through (and logs it): the limits must not stop a citizen applying."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# Verification codes asked for from one address in an hour, and to one phone in a day (every
# purpose and case counted, whether or not a code was really sent: the answer is the same).
CODES_PER_ADDRESS = Limit("codes-ip", 20, 3600)
CODES_PER_PHONE = Limit("codes-phone", 10, 86400)
# One code per phone, purpose and case per minute.
CODE_RESEND = Limit("code-resend", 1, 60)
# Applications sent from one address in an hour; tries at a code (track, apply) per address.
APPLY_PER_ADDRESS = Limit("apply-ip", 10, 3600)
CHECKS_PER_ADDRESS = Limit("check-ip", 30, 3600)
# Complaints about a mediator sent from one address in an hour (a party has one open complaint
# at a time besides: ``mediators`` refuses a second).
COMPLAINTS_PER_ADDRESS = Limit("complain-ip", 5, 3600)


class Throttled(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _key(limit: Limit, ident: str, now: float) -> tuple[str, int]:
    window = int(now // limit.seconds)
    digest = salted_hmac("fengqiao.portal.throttle", f"{limit.name}\0{ident}").hexdigest()[:32]
    return f"fengqiao:portal:{limit.name}:{digest}:{window}", window


def hit(limit: Limit, ident: str, *, now: float | None = None) -> None:
    """Count one use of ``ident`` (an address, a phone) against ``limit``; ``Throttled`` with
    the words to show when it is over."""
    now = time.time() if now is None else now
    key, window = _key(limit, ident, now)
    try:
        if cache.add(key, 1, timeout=limit.seconds * 2):
            count = 1
        else:
            try:
                count = int(cache.incr(key))
            except ValueError:
                cache.add(key, 1, timeout=limit.seconds * 2)
                count = 1
    except Exception:
        logger.warning("portal rate-limit store unavailable; request allowed (%s)", limit.name)
        return
    if count > limit.count:
        wait = max(1, math.ceil((window + 1) * limit.seconds - now))
        raise Throttled(refusal(wait))


def refusal(seconds: int) -> str:
    if seconds <= 90:
        return _("操作过于频繁，请%(n)s秒后再试。") % {"n": seconds}
    if seconds <= 5400:
        return _("操作过于频繁，请%(n)s分钟后再试。") % {"n": math.ceil(seconds / 60)}
    return _("操作过于频繁，请%(n)s小时后再试。") % {"n": math.ceil(seconds / 3600)}
