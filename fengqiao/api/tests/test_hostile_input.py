"""Hostile input to the API (issue 13, item 2): control characters in any text field or in the
URL, cursors and numbers that only look like digits, unknown paths — each answered with a JSON
error in the documented shape (docs/api.md), never an HTML 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.api.tests.conftest import ApiClient, case_body
from fengqiao.disputes.models import Case, Party, RepeatReport
from fengqiao.disputes.tests.test_views_common import east_case

CONTROL = "内容含有不可见的控制字符，请删除后重新填写。"
# NUL (PostgreSQL cannot store it), a bell, an escape sequence, DEL, C1 NEL and C1 CSI, a bidi
# override, a lone surrogate (no UTF-8 for it).
BAD = ["\x00", "\x07", "\x1b[2J", "\x7f", "\x85", "\x9b", "\u202e", "\ud800"]
INVALID = "内容含有无效的字符，请删除后重新填写。"


def _expected(field: str, bad: str) -> list[dict[str, str]]:
    # pydantic refuses a lone surrogate itself, before the shared check
    if bad == "\ud800":
        return [{"field": field, "msg": INVALID, "type": "string_unicode"}]
    return [{"field": field, "msg": CONTROL, "type": "text_control"}]


TEXT_FIELDS = ["title", "facts", "claims", "address", "link_to"]
PARTY_FIELDS = ["name", "address"]


def _json_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The documented shape: ``{"code", "detail", "errors": [{"field", "msg", "type"}]}``."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = json.loads(response.content)
    assert set(body) == {"code", "detail", "errors"}
    assert body["code"] == code
    assert body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "msg", "type"}
    return body


@pytest.fixture
def api(cast: Any, world: Any, api_for: Callable[..., ApiClient]) -> ApiClient:
    return api_for(cast.dispatcher, world.town_a_platform)


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_control_characters_in_a_case_field_are_refused(
    world: Any, api: ApiClient, field: str, bad: str
) -> None:
    response = api.post("/cases", case_body(world.village_east, **{field: f"邻里{bad}纠纷"}))
    body = _json_error(response, 422, "invalid")
    assert body["errors"] == _expected(field, bad)
    assert not Case.objects.exists()
    assert not RepeatReport.objects.exists()


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("field", PARTY_FIELDS)
def test_control_characters_in_a_party_field_are_refused(
    world: Any, api: ApiClient, field: str, bad: str
) -> None:
    parties = [{"role": "applicant", "name": "张三", field: f"张{bad}三"}]
    response = api.post("/cases", case_body(world.village_east, parties=parties))
    body = _json_error(response, 422, "invalid")
    assert body["errors"] == _expected(f"parties[0].{field}", bad)
    assert not Party.objects.exists()


@pytest.mark.parametrize("field", ["title", "address", "parties[0].name"])
def test_a_line_break_is_refused_in_one_line_text(world: Any, api: ApiClient, field: str) -> None:
    if field.startswith("parties"):
        body = case_body(world.village_east, parties=[{"role": "applicant", "name": "张\n三"}])
    else:
        body = case_body(world.village_east, **{field: "第一行\n第二行"})
    _json_error(api.post("/cases", body), 422, "invalid")


def test_line_breaks_and_tabs_are_kept_in_facts_and_claims(world: Any, api: ApiClient) -> None:
    facts, claims = "第一行\r\n第二行\n\t第三行", "一、赔偿\n二、道歉"
    response = api.post("/cases", case_body(world.village_east, facts=facts, claims=claims))
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert (case.facts, case.claims) == (facts, claims)


URL_CONTROL = "请求地址含有不可见的控制字符。"


@pytest.mark.parametrize(
    "path",
    [
        "/cases/%00",
        "/cases/330199001000-2026-000001%00",
        "/cases/%E2%80%AE1",
        "/cases/a%0Ab",
        "/cases/%C2%85",
        "/nothing%00",
    ],
)
def test_a_control_character_in_the_path_is_a_json_400(api: ApiClient, path: str) -> None:
    body = _json_error(api.client.get(f"/api/v1{path}", headers=api.headers), 400, "bad_request")
    assert body["errors"] == [{"field": "path", "msg": URL_CONTROL, "type": "text_control"}]


@pytest.mark.parametrize(
    "path",
    [
        "/cases/%C2%B9",
        "/cases/%ED%A0%80",  # a surrogate in UTF-8 form: not UTF-8 at all
        "/cases/%E5%BC%A0%E4%B8%89",
        "/cases/" + "9" * 300,
    ],
)
def test_what_cannot_be_a_case_number_is_a_json_404(api: ApiClient, path: str) -> None:
    _json_error(api.client.get(f"/api/v1{path}", headers=api.headers), 404, "not_found")


@pytest.mark.parametrize("param", ["status", "updated_since", "cursor", "limit", "other"])
@pytest.mark.parametrize("bad", ["%00", "%1B", "%C2%9B"])
def test_a_control_character_in_a_query_parameter_is_a_json_400(
    api: ApiClient, param: str, bad: str
) -> None:
    response = api.client.get(f"/api/v1/cases?{param}=1{bad}", headers=api.headers)
    body = _json_error(response, 400, "bad_request")
    assert body["errors"] == [{"field": param, "msg": URL_CONTROL, "type": "text_control"}]


@pytest.mark.parametrize(
    "cursor",
    ["%C2%B9", "%D9%A1", "%EF%BC%91", "-1", "+1", " 1", "1.0", "0x10", "1" * 19, "%F0%9D%9F%99"],
)
def test_a_cursor_that_only_looks_like_digits_is_refused(api: ApiClient, cursor: str) -> None:
    response = api.client.get(f"/api/v1/cases?cursor={cursor}", headers=api.headers)
    body = _json_error(response, 422, "invalid")
    assert body["errors"][0]["field"] == "cursor"


def test_a_real_cursor_still_pages(cast: Any, world: Any, api: ApiClient) -> None:
    first, second = east_case(cast, world), east_case(cast, world, title="第二件")
    page = api.get("/cases", {"limit": 1}).json()
    assert [c["number"] for c in page["items"]] == [first.number]
    page = api.get("/cases", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [c["number"] for c in page["items"]] == [second.number]


def test_an_unknown_api_path_is_a_json_404(api: ApiClient) -> None:
    _json_error(api.client.get("/api/v1/nothing-here", headers=api.headers), 404, "not_found")
    _json_error(Client().get("/api/v2/cases"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(api: ApiClient) -> None:
    response = api.client.delete("/api/v1/cases", headers=api.headers)
    _json_error(response, 405, "method_not_allowed")


def test_an_unexpected_failure_is_a_json_500(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from fengqiao.api import selectors

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "case_page_for_user", broken)
    body = _json_error(api.get("/cases"), 500, "server_error")
    assert "boom" not in body["detail"]
    assert "boom" in caplog.text  # logged for the operator, not shown to the client
