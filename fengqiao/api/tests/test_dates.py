"""Dates through the API (issue 13, items 1 and 2): ISO 8601 only, an offset PostgreSQL can
store, 发生时间 from 1949-10-01 to now — and one bad intake never breaks a page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.api.tests.conftest import ApiClient, case_body
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.test_views_common import east_case

TOO_EARLY = "发生时间不能早于1949-10-01。"
IN_FUTURE = "发生时间不能晚于当前时间。"
NOT_ISO = "时间格式无效，应为 ISO 8601（如 2026-03-01T09:30:00+08:00）。"
OFFSET = "时区偏移超出范围（应在 ±15:59 之内），北京时间请写 +08:00。"

BAD_TIMES = [
    ("0001-01-01T00:00:00+08:00", TOO_EARLY),
    ("1949-09-30T23:59:59+08:00", TOO_EARLY),
    ("9999-12-31T23:59:59-08:00", IN_FUTURE),
    ("2025-01-01T00:00:00+16:00", OFFSET),
    ("2025-01-01T00:00:00-23:59", OFFSET),
    (-1, NOT_ISO),
    ("-1", NOT_ISO),
    (0.5, NOT_ISO),
    ("0.5", NOT_ISO),
    ("1735660800", NOT_ISO),
    ("2025-13-01T00:00:00", NOT_ISO),
    ("yesterday", NOT_ISO),
    (True, NOT_ISO),
]


# errors[].type, stable for clients (docs/api.md)
TYPES = {
    TOO_EARLY: "date_too_early",
    IN_FUTURE: "future",
    NOT_ISO: "datetime_format",
    OFFSET: "datetime_offset",
}


def _refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid"
    kind = TYPES[message if message in TYPES else "发生" + message]
    assert body["errors"] == [{"field": field, "msg": message, "type": kind}]
    assert message in body["detail"]


@pytest.mark.parametrize(("value", "message"), BAD_TIMES, ids=repr)
def test_occurred_at_out_of_range_or_not_iso_is_refused(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], value: Any, message: str
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    response = api.post("/cases", case_body(world.village_east, occurred_at=value))
    _refused(response, "occurred_at", message)
    assert not Case.objects.exists()


@pytest.mark.parametrize(("value", "message"), BAD_TIMES, ids=repr)
def test_updated_since_out_of_range_or_not_iso_is_refused(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], value: Any, message: str
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    message = message.removeprefix("发生")  # the list's filter is just a 时间
    _refused(api.get("/cases", {"updated_since": value}), "updated_since", message)


@pytest.mark.parametrize(
    "value",
    [
        "1949-10-01T00:00:00+08:00",
        "2025-06-01T09:30:00Z",
        "2025-06-01T09:30:00",
        "2025-06-01 09:30",
        "2025-06-01",
        "2025-06-01T09:30:00.123+14:00",
        "2025-06-01T09:30:00-15:59",
    ],
)
def test_iso_times_in_range_are_taken(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], value: str
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    response = api.post("/cases", case_body(world.village_east, occurred_at=value))
    assert response.status_code == 201, response.json()
    assert api.get("/cases", {"updated_since": value}).status_code == 200
    assert api.get(f"/cases/{response.json()['number']}").status_code == 200


def test_a_minute_of_clock_skew_is_not_the_future(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    ahead = (timezone.now() + timedelta(minutes=1)).isoformat()
    response = api.post("/cases", case_body(world.village_east, occurred_at=ahead))
    assert response.status_code == 201, response.json()


# --- The regression: one bad intake must not break the case list ---------------------------------


def test_a_year_one_intake_is_refused_and_every_page_keeps_working(
    cast: Any, world: Any, client_for: Any, api_for: Any
) -> None:
    # given a case in 东村 that the dispatcher sees
    case = east_case(cast, world)
    api: ApiClient = api_for(cast.dispatcher, world.town_a_platform)
    # when an integration posts a case that happened in year 1 (Beijing time)
    response = api.post(
        "/cases", case_body(world.village_east, occurred_at="0001-01-01T00:00:00+08:00")
    )
    # then it is refused in the API's error shape, in Chinese
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "occurred_at"
    assert body["errors"][0]["msg"] == TOO_EARLY
    assert Case.objects.count() == 1
    # and the case list, the case page and the API still answer for everyone in scope
    web = client_for(cast.dispatcher)
    assert web.get("/cases/").status_code == 200
    assert web.get(f"/cases/{case.pk}/").status_code == 200
    assert api.get("/cases").status_code == 200
    assert api.get(f"/cases/{case.number}").status_code == 200
