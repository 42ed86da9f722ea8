from __future__ import annotations

from typing import Any

import pytest

from fengqiao.documents.render import qr_data_uri


def agreement_context(**overrides: Any) -> dict[str, Any]:
    """A 调解协议书 of a boundary dispute, with every art. 29 field filled in."""
    context: dict[str, Any] = {
        "number": "（2026）枫调字第0012号",
        "parties": [
            {"role": "申请人", "name": "欧阳明轩", "details": "男，汉族，住本县枫桥镇"},
            {"role": "被申请人", "name": "司马静怡", "details": "女，汉族，住本县枫桥镇"},
        ],
        "facts": "双方系相邻住户，因宅基地东侧围墙位置发生争执。",
        "disputed_points": "围墙是否越过宅基地界线。",
        "responsibilities": "被申请人砌墙越界约三十厘米，应承担主要责任。",
        "terms": ["被申请人拆除越界部分围墙。", "申请人放弃其他请求。"],
        "performance_method": "被申请人自行拆除",
        "performance_place": "枫桥镇双方宅基地",
        "performance_deadline": "二〇二七年一月三十一日前",
        "copies": 3,
        "mediators": ["调解员甲"],
        "committee": "枫桥镇人民调解委员会",
        "date": "2026年12月4日",
        "public_id": "test-public-id",
        "version": 1,
        "verify_url": "/verify/test-public-id",
        "qr": qr_data_uri("/verify/test-public-id"),
    }
    context.update(overrides)
    return context


@pytest.fixture
def context() -> dict[str, Any]:
    return agreement_context()
