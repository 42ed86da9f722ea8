"""While the database cannot be reached, a request is answered 503 in Chinese (the API's JSON
error, a page for people, /healthz "down"), never the 500 page (docs/reliability-faults.md;
reliability/test_faults.py stops a real PostgreSQL under load)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.db.backends import utils

from fengqiao.api.tests.conftest import ApiClient

MESSAGE = "数据库暂时无法连接，请稍后重试。"


@pytest.fixture
def database_gone(db: None) -> Iterator[Callable[[], None]]:
    """Every statement from ``cut()`` on fails as it does when PostgreSQL has gone away (put
    back before the test database is rolled back)."""
    saved = utils.CursorWrapper.execute, utils.CursorWrapper.executemany

    def gone(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    def cut() -> None:
        utils.CursorWrapper.execute = gone  # type: ignore[method-assign,assignment]
        utils.CursorWrapper.executemany = gone  # type: ignore[method-assign,assignment]

    yield cut
    utils.CursorWrapper.execute, utils.CursorWrapper.executemany = saved  # type: ignore[method-assign]


def test_api_answers_503_json_in_chinese(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], database_gone: Callable[[], None]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    database_gone()

    response = api.get("/cases")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["code"] == "unavailable"
    assert body["detail"].startswith(MESSAGE)


def test_a_signed_in_page_answers_503_in_chinese(
    cast: Any, client_for: Callable[..., Any], database_gone: Callable[[], None]
) -> None:
    # given a signed-in user (the session is read in a middleware, outside any view)
    client = client_for(cast.dispatcher)
    client.raise_request_exception = False
    database_gone()

    response = client.get("/cases/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    text = response.content.decode()
    assert "<h1>暂停服务</h1>" in text
    assert MESSAGE in text
    assert "系统出错" not in text


def test_healthz_is_down_and_says_why(client: Any, db: None, database_gone: Any) -> None:
    database_gone()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["problems"] == ["数据库无法连接：页面和接口暂停服务，数据库恢复后自动恢复。"]
