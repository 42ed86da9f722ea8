"""Per-key request limits (issue "Hostile input and operations", item 8).

Each API key may make ``ApiKey.rate_per_minute`` requests per minute (the key's setting, edited
in 基础数据 → API 密钥 or given to ``manage.py create_api_key --rate``). The count is kept per
one-minute window in the cache: Redis when ``REDIS_URL`` is set, so every web process shares
it; in-process otherwise, where each web process counts on its own (an embedded install runs one
process). A request over the limit is answered 429 with ``Retry-After`` (seconds to the next
window). If the store itself fails (Redis unreachable) the request is let through and the
failure logged: throttling must not stop intake.
"""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import cache

from fengqiao.api.models import ApiKey

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class RateLimited(Exception):
    """The key used up its requests of this minute; ``retry_after`` seconds to the next."""

    def __init__(self, *, limit: int, retry_after: int) -> None:
        super().__init__(limit, retry_after)
        self.limit = limit
        self.retry_after = retry_after


def _count(cache_key: str) -> int:
    """Add one to the window's count and return it (atomic in Redis and in the local cache)."""
    if cache.add(cache_key, 1, timeout=WINDOW_SECONDS * 2):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # the window's entry expired between add and incr
        cache.add(cache_key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def api_key_hit(key: ApiKey, now: float | None = None) -> None:
    """Count one request of ``key``; raise ``RateLimited`` past the key's limit."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    # The prefix, not the row id: ids are reused by a test database, prefixes are random.
    cache_key = f"fengqiao:api-rate:{key.prefix}:{window}"
    try:
        count = _count(cache_key)
    except Exception:  # the store is down: let the request through, say so in the log
        logger.warning("API rate limit store unavailable; request of key %s allowed", key.prefix)
        return
    if count > key.rate_per_minute:
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        raise RateLimited(limit=key.rate_per_minute, retry_after=retry_after)
