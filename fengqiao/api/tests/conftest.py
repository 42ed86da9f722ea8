"""Helpers for the API tests: keys for the fixed cast, valid ID numbers, a JSON client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.api.choices import ApiScope
from fengqiao.api.services import api_key_create

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
BOTH = [ApiScope.CASES_READ, ApiScope.CASES_WRITE]


def id_number(first17: str) -> str:
    """A resident ID number with a valid check character (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def credit_code(first17: str) -> str:
    """A 统一社会信用代码 with a valid check character (GB 32100)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


ZHANG_ID = id_number("33019919800101123")


def case_body(region: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "category": "neighbour",
        "title": "邻里排水沟纠纷",
        "facts": "张三家排水沟被堵，雨水倒灌。",
        "claims": "疏通排水沟",
        "region_code": region.code,
        "address": "3组12号",
        "occurred_at": "2025-06-01T09:30:00+08:00",
        "amount": "1200.50",
        "people_count": 2,
        "parties": [
            {
                "role": "applicant",
                "name": "张三",
                "id_number": ZHANG_ID,
                "phone": "13800001111",
                "address": "3组12号",
            },
            {"role": "respondent", "name": "李四", "phone": "13900002222"},
        ],
    }
    body.update(overrides)
    return body


class ApiClient:
    """A test client that sends the token and JSON."""

    def __init__(self, token: str | None, header: str = "bearer") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token is not None:
            if header == "bearer":
                self.headers["Authorization"] = f"Bearer {token}"
            else:
                self.headers["X-API-Key"] = token

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def make_token(db: None) -> Callable[..., str]:
    def make(user: Any, org: Any, scopes: list[str] | None = None, name: str = "测试对接") -> str:
        _key, token = api_key_create(
            actor=None, name=name, org=org, user=user, scopes=scopes or BOTH
        )
        return token

    return make


@pytest.fixture
def api_for(make_token: Callable[..., str]) -> Callable[..., ApiClient]:
    def make(user: Any, org: Any, scopes: list[str] | None = None) -> ApiClient:
        return ApiClient(make_token(user, org, scopes))

    return make
