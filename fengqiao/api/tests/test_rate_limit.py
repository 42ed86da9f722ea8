"""Per-key request limits (issue "Hostile input and operations", item 8): past the key's
``rate_per_minute`` the API answers 429 with Retry-After and a Chinese JSON error, other keys go
on, and the next minute the key works again. On the PostgreSQL run (REDIS_URL set) the count is
kept in Redis, shared by every web process; on SQLite in the process's cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from fengqiao.api import throttle
from fengqiao.api.models import ApiKey
from fengqiao.api.services import ApiKeyError, api_key_create
from fengqiao.api.tests.conftest import BOTH, ApiClient, case_body


def limited(make_token: Callable[..., str], cast: Any, world: Any, rate: int) -> ApiClient:
    token = make_token(cast.dispatcher, world.town_a_platform)
    ApiKey.objects.filter(prefix=token.split("_")[1]).update(rate_per_minute=rate)
    return ApiClient(token)


@pytest.fixture
def frozen_minute(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Pins the throttle's clock (the rest of the platform keeps its own)."""
    now = {"t": 1_800_000_000.0 + 10}  # ten seconds into a minute
    monkeypatch.setattr(throttle.time, "time", lambda: now["t"])

    def move(seconds: float) -> None:
        now["t"] += seconds

    return move


def test_past_the_limit_the_key_gets_429_with_retry_after(
    cast: Any, world: Any, make_token: Callable[..., str], frozen_minute: Callable[[float], None]
) -> None:
    api = limited(make_token, cast, world, rate=3)
    assert [api.get("/cases").status_code for _ in range(3)] == [200, 200, 200]

    refused = api.get("/cases")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert body["detail"] == "请求过于频繁：该 API 密钥每分钟最多 3 次请求，请 50 秒后重试。"
    # writes count against the same minute: an intake is refused, and nothing is registered
    created = api.post("/cases", case_body(world.village_east))
    assert created.status_code == 429

    # another key of the same org goes on
    other = ApiClient(make_token(cast.dispatcher, world.town_a_platform, name="另一个对接"))
    assert other.get("/cases").status_code == 200

    # and the next minute the key works again
    frozen_minute(50)
    assert api.get("/cases").status_code == 200


def test_an_unknown_token_is_refused_before_it_is_counted(
    cast: Any, world: Any, make_token: Callable[..., str], frozen_minute: Callable[[float], None]
) -> None:
    api = limited(make_token, cast, world, rate=1)
    assert ApiClient("fq_00000000_" + "0" * 64).get("/cases").status_code == 401
    assert api.get("/cases").status_code == 200


def test_a_failing_store_lets_requests_through(
    cast: Any,
    world: Any,
    make_token: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = limited(make_token, cast, world, rate=1)

    def down(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("Redis unreachable")

    monkeypatch.setattr(throttle.cache, "add", down)
    assert [api.get("/cases").status_code for _ in range(3)] == [200, 200, 200]
    assert "rate limit store unavailable" in caplog.text


def test_the_limit_is_the_keys_setting(cast: Any, world: Any) -> None:
    key, _token = api_key_create(
        actor=None,
        name="12345热线",
        org=world.town_a_platform,
        user=cast.dispatcher,
        scopes=BOTH,
        rate_per_minute=600,
    )
    assert key.rate_per_minute == 600
    with pytest.raises(ApiKeyError, match="每分钟请求上限应在 1 到 100000 之间"):
        api_key_create(
            actor=None,
            name="错误",
            org=world.town_a_platform,
            user=cast.dispatcher,
            scopes=BOTH,
            rate_per_minute=0,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=0)
    assert ApiKey._meta.get_field("rate_per_minute").default == 120


def test_create_api_key_takes_a_rate(cast: Any, world: Any, capsys: Any) -> None:
    call_command(
        "create_api_key",
        "--name=法院对接",
        f"--org={world.town_a_platform.pk}",
        f"--user={cast.dispatcher.username}",
        "--scope=cases:read",
        "--rate=30",
    )
    assert "每分钟最多 30 次请求" in capsys.readouterr().out
    assert ApiKey.objects.get(name="法院对接").rate_per_minute == 30
