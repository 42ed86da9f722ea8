"""GET /api/v1/cases/{number} and /api/v1/cases: the acting user's scope, masked personal data,
keyset pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.api.tests.conftest import ZHANG_ID, ApiClient, case_body
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case, TimelineEvent
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch
from fengqiao.disputes.tests.factories import consent_and_notify, handled_case, register_case
from fengqiao.mediation.tests.factories import accepted_case


def east_case(cast: Any, world: Any, **extra: Any) -> Case:
    return register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east, **extra
    )


def west_case(cast: Any, world: Any) -> Case:
    return register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_west
    )


def test_detail_has_status_timeline_and_masked_parties(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    case = east_case(cast, world)
    case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    api = api_for(cast.mediator_east, world.committee_east)
    response = api.get(f"/cases/{case.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["status"] == "assessed"
    assert body["status_label"] == "已研判"
    assert body["platform"] == "甲镇平安办"
    assert [(e["action"], e["action_label"], e["to_status"]) for e in body["timeline"]] == [
        ("register", "登记", "registered"),
        ("assess", "研判", "assessed"),
    ]
    applicant = body["parties"][0]
    assert applicant["name"] == "张*"
    assert applicant["phone"] == "138****1111"
    assert applicant["id_number"] == "990***********1234"
    # No plaintext personal data anywhere in the answer.
    raw = json.dumps(body, ensure_ascii=False)
    for secret in ("990102198001011234", "13800001111", "13900002222", "张三", "李四"):
        assert secret not in raw


def test_mediation_entries_have_their_words_too(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    case = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)
    api = api_for(cast.mediator_east, world.committee_east)
    timeline = api.get(f"/cases/{case.number}").json()["timeline"]
    labels = {e["action"]: e["action_label"] for e in timeline}
    assert labels["consent"] == "调解意愿"
    assert labels["rights_notice"] == "送达告知书"
    assert labels["accept"] == "受理"


def test_case_outside_scope_is_404_like_a_missing_one(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    west = west_case(cast, world)
    api = api_for(cast.mediator_east, world.committee_east)
    hidden = api.get(f"/cases/{west.number}")
    missing = api.get("/cases/330199001000-2026-999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json()["detail"] == "未找到该案件，或您无权查看。"


def test_detail_against_the_cast(cast: Any, world: Any, api_for: Callable[..., ApiClient]) -> None:
    case = east_case(cast, world)
    expected = {
        "mediator_east": (world.committee_east, 200),
        "mediator_west": (world.committee_west, 404),
        "dispatcher": (world.town_a_platform, 200),
        "court_clerk": (world.tribunal_a, 404),
        "leader": (world.county_platform, 200),
    }
    for name, (org, status) in expected.items():
        response = api_for(getattr(cast, name), org).get(f"/cases/{case.number}")
        assert response.status_code == status, name


def test_list_is_scoped_and_paged_by_id(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], django_assert_max_num_queries: Any
) -> None:
    east = [east_case(cast, world, title=f"东村纠纷{i}") for i in range(5)]
    west_case(cast, world)
    api = api_for(cast.mediator_east, world.committee_east)
    numbers: list[str] = []
    cursor = ""
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(6):
            response = api.get("/cases", params)
        assert response.status_code == 200
        body = response.json()
        numbers += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert numbers == [c.number for c in east]
    assert pages == 3
    # the dispatcher sees both villages
    dispatcher = api_for(cast.dispatcher, world.town_a_platform)
    assert len(dispatcher.get("/cases", {"limit": 100}).json()["items"]) == 6


def test_list_filters(cast: Any, world: Any, api_for: Callable[..., ApiClient]) -> None:
    quiet = east_case(cast, world, title="未变")
    moved = east_case(cast, world, title="已研判")
    case_assess(
        actor=cast.dispatcher,
        case_id=moved.pk,
        version=None,
        category=moved.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    # Backdate the first case's only event: it has not changed since.
    TimelineEvent.objects.filter(case=quiet).update(at=timezone.now() - timedelta(days=10))
    api = api_for(cast.dispatcher, world.town_a_platform)

    def numbers(**params: Any) -> list[str]:
        response = api.get("/cases", params)
        assert response.status_code == 200, response.json()
        return [i["number"] for i in response.json()["items"]]

    assert numbers(status="assessed") == [moved.number]
    assert numbers(status="registered") == [quiet.number]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert numbers(updated_since=since) == [moved.number]
    assert numbers(updated_since="2000-01-01T00:00:00") == [quiet.number, moved.number]


def test_list_parameter_errors_are_422_in_chinese(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    for params, field, message in (
        ({"limit": 101}, "limit", "不能大于100。"),
        ({"limit": 0}, "limit", "不能小于1。"),
        ({"cursor": "abc"}, "cursor", "cursor 无效，请使用上一页返回的 next_cursor。"),
        ({"status": "lost"}, "status", None),
        ({"updated_since": "上周"}, "updated_since", None),
    ):
        response = api.get("/cases", params)
        assert response.status_code == 422, params
        errors = {e["field"]: e["msg"] for e in response.json()["errors"]}
        assert field in errors, response.json()
        if message is not None:
            assert errors[field] == message


def test_unmasked_id_is_never_in_a_list(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    api.post("/cases", case_body(world.village_east))
    raw = api.get("/cases").content.decode()
    assert ZHANG_ID not in raw
    assert "13800001111" not in raw


def test_detail_query_count_does_not_grow_with_the_timeline(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], django_assert_max_num_queries: Any
) -> None:
    case = east_case(cast, world)
    for _ in range(10):
        TimelineEvent.objects.create(
            case=case, action="remind", org=world.town_a_platform, actor_name="系统"
        )
    api = api_for(cast.dispatcher, world.town_a_platform)
    api.get(f"/cases/{case.number}")  # the key's first use records last_used_at
    with django_assert_max_num_queries(8):
        response = api.get(f"/cases/{case.number}")
    assert response.status_code == 200
    assert len(response.json()["timeline"]) == 11
    assert response.json()["timeline"][-1]["org"] == "甲镇平安办"


def test_detail_lists_deadlines_and_marks_one_in_an_unknown_year_provisional(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    from datetime import datetime
    from unittest.mock import patch
    from zoneinfo import ZoneInfo

    from fengqiao.disputes.holidays import holiday_schedule_import, parse_schedule

    # Dispatched Wed 30 Dec 2026, low risk: accepted within three working days — Mon 4 Jan
    # 2027 while 2027 has no holiday schedule (counted Monday to Friday).
    dispatched = datetime(2026, 12, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with patch("django.utils.timezone.now", return_value=dispatched):
        case = east_case(cast, world)
        case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=None,
            category=case.category,
            grade=RiskGrade.LOW,
            note="研判：按核实情况确定风险等级。",
        )
        case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    api = api_for(cast.dispatcher, world.town_a_platform)

    (deadline,) = api.get(f"/cases/{case.number}").json()["deadlines"]
    assert deadline["kind"] == "accept"
    assert deadline["org"] == world.committee_east.name
    assert deadline["due_at"].startswith("2027-01-04T23:59:59")
    assert deadline["provisional"] is True

    holiday_schedule_import(
        actor=None,
        data=parse_schedule(
            {
                "year": 2027,
                "notice": "国办发明电〔2026〕99号",
                "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
            }
        ),
    )
    (deadline,) = api.get(f"/cases/{case.number}").json()["deadlines"]
    assert deadline["provisional"] is False


# The names each role is shown through the API: the same rule as the case page
# (disputes/disclosure.py; the page's test walks the whole cast, test_disclosure.py).
API_NAMES = [
    ("mediator_east", "committee_east", "张三"),  # the handling org
    ("dispatcher", "town_a_platform", "张三"),  # the platform
    ("county_dispatcher", "county_platform", "张三"),  # the platform above
    ("leader", "county_platform", "张*"),  # oversees, read only
    ("justice_officer", "justice_office_a", "张*"),  # 司法所 supervision
    ("court_clerk", "tribunal_a", "张*"),  # the paired tribunal
]


@pytest.mark.parametrize(("who", "org", "name"), API_NAMES)
def test_detail_names_parties_as_the_case_page_does(
    who: str, org: str, name: str, cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    case = handled_case(cast, world)
    body = api_for(getattr(cast, who), getattr(world, org)).get(f"/cases/{case.number}").json()
    applicant = body["parties"][0]
    assert applicant["name"] == name
    # ID numbers and phones are masked for every role
    assert applicant["phone"] == "138****1111"
    assert applicant["id_number"] == "990***********1234"
    raw = json.dumps(body, ensure_ascii=False)
    for secret in ("990102198001011234", "13800001111", "13900002222"):
        assert secret not in raw
