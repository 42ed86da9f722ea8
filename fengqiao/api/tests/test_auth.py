"""Who gets in: a valid, unrevoked key of an active user, with the scope the endpoint needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from fengqiao.api.choices import ApiScope
from fengqiao.api.models import ApiKey
from fengqiao.api.services import api_key_revoke
from fengqiao.api.tests.conftest import ApiClient, case_body
from fengqiao.disputes.models import Case

MISSING = "缺少 API 密钥：请在 Authorization: Bearer 或 X-API-Key 请求头中提供。"


def test_no_key_is_401_in_chinese(world: Any) -> None:
    response = ApiClient(None).get("/cases")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["detail"] == MISSING
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_keys_are_401(cast: Any, world: Any, make_token: Callable[..., str]) -> None:
    token = make_token(cast.dispatcher, world.town_a_platform)
    prefix = token.split("_")[1]
    for wrong in (
        "not-a-key",
        "fq_short_abc",
        f"fq_{prefix}_{'0' * 48}",  # right prefix, wrong secret
        f"fq_ffffffff_{token.split('_', 2)[2]}",  # right secret, unknown prefix
        token[:-1],
        "",
    ):
        response = ApiClient(wrong).get("/cases")
        assert response.status_code == 401, wrong
        assert response.json()["detail"] in ("API 密钥无效。", MISSING), wrong
    assert ApiClient(f"fq_{prefix}_{'0' * 48}").get("/cases").json()["detail"] == "API 密钥无效。"
    assert ApiClient(token).get("/cases").status_code == 200


def test_revoked_key_is_401_at_once(cast: Any, world: Any, make_token: Callable[..., str]) -> None:
    token = make_token(cast.dispatcher, world.town_a_platform)
    client = ApiClient(token)
    assert client.get("/cases").status_code == 200
    key = ApiKey.objects.get(prefix=token.split("_")[1])
    api_key_revoke(actor=None, key_id=key.pk)
    response = client.get("/cases")
    assert response.status_code == 401
    assert response.json()["detail"] == "API 密钥已撤销。"
    create = client.post("/cases", case_body(world.village_east))
    assert create.status_code == 401
    assert not Case.objects.exists()


def test_key_of_a_deactivated_user_is_401(
    cast: Any, world: Any, make_token: Callable[..., str]
) -> None:
    token = make_token(cast.dispatcher, world.town_a_platform)
    cast.dispatcher.is_active = False
    cast.dispatcher.save(update_fields=["is_active"])
    response = ApiClient(token).get("/cases")
    assert response.status_code == 401
    assert "停用" in response.json()["detail"]


def test_missing_scope_is_403(cast: Any, world: Any, make_token: Callable[..., str]) -> None:
    reader = ApiClient(make_token(cast.dispatcher, world.town_a_platform, [ApiScope.CASES_READ]))
    response = reader.post("/cases", case_body(world.village_east))
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "detail": "该 API 密钥没有 cases:write 权限。",
        "errors": [],
    }
    assert not Case.objects.exists()
    writer = ApiClient(make_token(cast.dispatcher, world.town_a_platform, [ApiScope.CASES_WRITE]))
    assert writer.post("/cases", case_body(world.village_east)).status_code == 201
    number = Case.objects.get().number
    for path in ("/cases", f"/cases/{number}"):
        response = writer.get(path)
        assert response.status_code == 403
        assert "cases:read" in response.json()["detail"]
    assert reader.get(f"/cases/{number}").status_code == 200


def test_x_api_key_header_and_last_used(
    cast: Any, world: Any, make_token: Callable[..., str]
) -> None:
    token = make_token(cast.dispatcher, world.town_a_platform)
    key = ApiKey.objects.get(prefix=token.split("_")[1])
    assert key.last_used_at is None
    assert ApiClient(token, header="x-api-key").get("/cases").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_session_login_is_not_api_auth_and_csrf_does_not_apply(
    cast: Any, world: Any, make_token: Callable[..., str]
) -> None:
    # A logged-in browser session alone does not open the API.
    browser = Client()
    browser.force_login(cast.dispatcher)
    assert browser.get("/api/v1/cases").status_code == 401
    # A key-authenticated POST needs no CSRF token (no cookie is involved).
    token = make_token(cast.dispatcher, world.town_a_platform)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/cases",
        data=case_body(world.village_east),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
