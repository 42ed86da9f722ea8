"""POST /api/v1/cases: registration through the service, Chinese validation, the acting user's
scope, duplicates and idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fengqiao.api import services
from fengqiao.api.tests.conftest import ZHANG_ID, ApiClient, case_body, credit_code, id_number
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core.crypto import lookup_hash
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case, CaseCounter, Party
from fengqiao.disputes.selectors import worklist_for_user


def test_create_case_happy_path(cast: Any, world: Any, api_for: Callable[..., ApiClient]) -> None:
    # given a key of the 甲镇 dispatcher, owned by the 甲镇平安办
    api = api_for(cast.dispatcher, world.town_a_platform)
    # when a case at 东村 is posted
    response = api.post("/cases", case_body(world.village_east))
    # then it is registered for 甲镇平安办 and numbered by 甲镇
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get()
    assert body["number"] == case.number
    assert body["number"].startswith(f"{world.town_a.code}-")
    assert body["status"] == CaseStatus.REGISTERED
    assert body["status_label"] == "已登记"
    assert body["duplicates"] == []
    assert body["has_hidden_duplicates"] is False
    assert case.platform == world.town_a_platform
    assert case.region == world.village_east
    assert case.registered_by == cast.dispatcher
    assert str(case.amount) == "1200.50"
    assert case.timeline.get().action == "register"
    assert AuditEvent.objects.filter(
        event_type=EventType.CASE_REGISTERED, object_id=str(case.pk), actor=cast.dispatcher
    ).exists()
    applicant = case.parties.get(role="applicant")
    assert applicant.id_number == ZHANG_ID
    assert applicant.id_number_hash == lookup_hash(ZHANG_ID)


def test_full_width_input_is_normalised(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    wide_id = "".join(chr(ord(c) + 0xFEE0) for c in ZHANG_ID)
    parties = [
        {"role": "applicant", "name": " 张三 ", "id_number": wide_id, "phone": "138-0000-1111"}
    ]
    response = api.post("/cases", case_body(world.village_east, parties=parties))
    assert response.status_code == 201, response.json()
    party = Party.objects.get()
    assert (party.name, party.id_number, party.phone) == ("张三", ZHANG_ID, "13800001111")


def test_organization_party_with_credit_code(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    code = credit_code("91330199MA2B3C4D5")
    company = {"role": "respondent", "kind": "organization", "name": "某物业公司"}
    ok = case_body(world.village_east)
    ok["parties"] = [ok["parties"][0], {**company, "id_number": code}]
    assert api.post("/cases", ok).status_code == 201
    bad = case_body(world.village_east)
    bad["parties"] = [bad["parties"][0], {**company, "id_number": code[:-1] + "0"}]
    if code.endswith("0"):
        bad["parties"][1]["id_number"] = code[:-1] + "1"
    response = api.post("/cases", bad)
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "统一社会信用代码校验位不正确，请核对。"


WRONG_CHECK = ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1")
BAD_BIRTH = id_number("33019919801301123")
ISO_HINT = "时间格式无效，应为 ISO 8601（如 2026-03-01T09:30:00+08:00）。"


def one(**party: str) -> dict[str, Any]:
    return {"parties": [{"role": "applicant", "name": "张三", **party}]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (one(id_number=WRONG_CHECK), "parties[0].id_number", "身份证号校验位不正确，请核对。"),
        (
            one(id_number="33019919800101"),
            "parties[0].id_number",
            "身份证号应为18位数字（最后一位可为X）。",
        ),
        (one(id_number=BAD_BIRTH), "parties[0].id_number", "身份证号中的出生日期无效。"),
        (one(phone="1380000111"), "parties[0].phone", "手机号应为11位中国大陆手机号码。"),
        (one(phone="12800001111"), "parties[0].phone", "手机号应为11位中国大陆手机号码。"),
        (
            one(role="judge"),
            "parties[0].role",
            "取值无效，可选值：applicant、respondent、third_party。",
        ),
        ({"parties": []}, "parties", "至少需要1项。"),
        ({"category": "gossip"}, "category", None),
        ({"channel": "pigeon"}, "channel", None),
        ({"channel": "portal"}, "channel", "网上申请只能通过公众门户提交，请选择其他受理渠道。"),
        ({"title": "   "}, "title", "请填写纠纷简述。"),
        ({"title": "长" * 201}, "title", "不能超过200个字符。"),
        ({"amount": "-1"}, "amount", "不能小于0。"),
        ({"amount": "abc"}, "amount", "应为数字。"),
        ({"people_count": 0}, "people_count", "不能小于1。"),
        ({"occurred_at": "昨天"}, "occurred_at", ISO_HINT),
        ({"occurred_at": "2999-01-01T00:00:00+08:00"}, "occurred_at", "发生时间不能晚于当前时间。"),
        ({"region_code": "东村"}, "region_code", "区划代码应为数字。"),
        # The checks shared with the web forms (core.validators)
        (
            one(name="张三\x1b[0m"),
            "parties[0].name",
            "内容含有不可见的控制字符，请删除后重新填写。",
        ),
        ({"facts": "事实\x00"}, "facts", "内容含有不可见的控制字符，请删除后重新填写。"),
        (
            {"occurred_at": "1949-09-30T23:00:00+08:00"},
            "occurred_at",
            "发生时间不能早于1949-10-01。",
        ),
        (
            {
                "parties": [
                    {
                        "role": "applicant",
                        "kind": "organization",
                        "name": "某公司",
                        "id_number": "91110000600037341M",
                    }
                ]
            },
            "parties[0].id_number",
            "统一社会信用代码校验位不正确，请核对。",
        ),
    ],
)
def test_validation_errors_are_422_in_chinese(
    cast: Any,
    world: Any,
    api_for: Callable[..., ApiClient],
    change: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    response = api.post("/cases", case_body(world.village_east, **change))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("请求数据有误：")
    by_field = {e["field"]: e["msg"] for e in body["errors"]}
    assert field in by_field, body
    if message is not None:
        assert by_field[field] == message
    else:
        assert by_field[field].startswith("取值无效，可选值：")
    assert not Case.objects.exists()


def test_missing_fields_and_bad_json(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    response = api.post("/cases", {"title": "只有标题"})
    assert response.status_code == 422
    fields = {e["field"]: e["msg"] for e in response.json()["errors"]}
    assert fields == {
        "channel": "必填项。",
        "category": "必填项。",
        "region_code": "必填项。",
        "parties": "必填项。",
    }
    response = api.post("/cases", "{not json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是合法的 JSON。"


def test_an_applicant_is_required_by_the_service(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    parties = [{"role": "respondent", "name": "李四"}]
    response = api.post("/cases", case_body(world.village_east, parties=parties))
    assert response.status_code == 422
    assert response.json()["detail"] == "至少需要一名申请人（反映人）。"


def test_village_mediator_key_registers_in_own_village_for_the_township_platform(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    # given a key acting as the 东村 mediator, owned by the 东村 committee (not a platform)
    api = api_for(cast.mediator_east, world.committee_east)
    # when it registers a case at 东村
    response = api.post("/cases", case_body(world.village_east))
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["number"])
    # then the case is queued for 甲镇平安办 and waits in the dispatcher's worklist
    assert case.platform == world.town_a_platform
    assert case in worklist_for_user(cast.dispatcher).to_assess
    assert case not in worklist_for_user(cast.mediator_west).to_assess


def test_village_mediator_cannot_register_in_another_township(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.mediator_east, world.committee_east)
    for region in (world.village_south, world.village_west):
        response = api.post("/cases", case_body(region))
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "region_code",
                "msg": f"发生地{region.code}不在您可登记的村（社区）或网格范围内。",
                "type": "not_allowed",
            }
        ]
    response = api.post("/cases", case_body(world.village_east, region_code="330199009999"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "区划代码330199009999不存在。"
    assert not Case.objects.exists()


def test_users_without_the_register_permission_are_403(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.leader, world.county_platform)
    response = api.post("/cases", case_body(world.village_east))
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权登记纠纷。"
    assert not Case.objects.exists()


def test_platform_org_id_must_be_a_platform_over_the_place(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    county_dispatcher = cast.county_dispatcher
    api = api_for(county_dispatcher, world.county_platform)

    def post(region: Any, platform: Any) -> Any:
        return api.post("/cases", case_body(region, platform_org_id=platform.pk))

    response = post(world.village_east, world.committee_east)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "platform_org_id"
    response = post(world.village_south, world.town_a_platform)
    assert response.status_code == 422
    assert "不管辖发生地" in response.json()["detail"]
    assert not Case.objects.exists()
    # the county key defaults to its own platform; naming 甲镇平安办 for 东村 is accepted
    default = api.post("/cases", case_body(world.village_south))
    assert default.status_code == 201
    assert Case.objects.get(number=default.json()["number"]).platform == world.county_platform
    named = post(world.village_east, world.town_a_platform)
    assert named.status_code == 201
    assert Case.objects.get(number=named.json()["number"]).platform == world.town_a_platform


def test_idempotency_key_returns_the_first_answer(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    body = case_body(world.village_east)
    first = api.post("/cases", body, **{"Idempotency-Key": "order-7f3a"})
    again = api.post("/cases", body, **{"Idempotency-Key": "order-7f3a"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1
    # The same key with a different request is refused, not silently answered.
    other = api.post(
        "/cases",
        case_body(world.village_east, title="另一件事"),
        **{"Idempotency-Key": "order-7f3a"},
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert Case.objects.count() == 1
    # Another key, or no key, registers anew.
    assert api.post("/cases", body, **{"Idempotency-Key": "order-7f3b"}).status_code == 201
    other_client = api_for(cast.dispatcher, world.town_a_platform)
    assert other_client.post("/cases", body, **{"Idempotency-Key": "order-7f3a"}).status_code == 201
    assert Case.objects.count() == 3
    bad = api.post("/cases", body, **{"Idempotency-Key": "键"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "Idempotency-Key"


def test_duplicates_are_reported_within_scope(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    dispatcher = api_for(cast.dispatcher, world.town_a_platform)
    west = dispatcher.post("/cases", case_body(world.village_west)).json()
    # The 东村 mediator reports the same applicant: the 西村 case is hidden from them.
    east_api = api_for(cast.mediator_east, world.committee_east)
    first_east = east_api.post("/cases", case_body(world.village_east)).json()
    assert first_east["duplicates"] == []
    assert first_east["has_hidden_duplicates"] is True
    second_east = east_api.post("/cases", case_body(world.village_east)).json()
    assert [d["number"] for d in second_east["duplicates"]] == [first_east["number"]]
    assert second_east["duplicates"][0]["reason_texts"] == [
        "同一当事人（身份证号）有未办结的同类纠纷",
        "同一当事人（手机号）有未办结的同类纠纷",
        "30日内同一地址同类纠纷",
    ]
    assert second_east["has_hidden_duplicates"] is True
    # The dispatcher sees all three.
    third = dispatcher.post("/cases", case_body(world.village_east)).json()
    numbers = {d["number"] for d in third["duplicates"]}
    assert numbers == {west["number"], first_east["number"], second_east["number"]}
    assert third["has_hidden_duplicates"] is False


def test_concurrent_twin_with_the_same_key_gets_the_first_answer(
    cast: Any, world: Any, api_for: Callable[..., ApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a first request has registered its case under the key
    api = api_for(cast.dispatcher, world.town_a_platform)
    body = case_body(world.village_east)
    first = api.post("/cases", body, **{"Idempotency-Key": "race-1"})
    assert first.status_code == 201
    # when a twin passed the replay check before the first one committed (simulated by
    # letting its first look find nothing)
    real_replay = services._replay
    calls: list[str] = []

    def late_replay(*args: Any) -> Any:
        calls.append("replay")
        return None if len(calls) == 1 else real_replay(*args)

    monkeypatch.setattr(services, "_replay", late_replay)
    twin = api.post("/cases", body, **{"Idempotency-Key": "race-1"})
    # then the unique constraint rolls its case back and it answers with the first case
    assert calls == ["replay", "replay"]
    assert twin.status_code == 201
    assert twin.json() == first.json()
    assert Case.objects.count() == 1
    assert CaseCounter.objects.get().last_seq == 1


# One POST /cases: the key, its user's grants, the place, the duplicate check (ID number and
# phone, one statement), the counter, the case, its parties, the timeline, the audit row and
# the platform's notifications — 10 statements — and the transaction around them (here a
# savepoint and its release inside the test's transaction; BEGIN and COMMIT when served).
# Risk grading adds 4: the rule set's version, the parties (their ages), their other cases by
# keyed hash, the assessment row (docs/risk.md).
# Telling the parties by SMS adds 3: the step's template, the outbox rows, the notices
# (disputes/services/parties.py). Marking the case for the statistics adds 1 (stats.PendingFact,
# docs/measures.md).
CREATE_STATEMENTS = 18
CREATE_QUERY_CEILING = CREATE_STATEMENTS + 2


def test_one_registration_stays_under_its_query_ceiling(
    cast: Any,
    world: Any,
    api_for: Callable[..., ApiClient],
    django_assert_max_num_queries: Any,
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    # An earlier case of another category: the duplicate check runs and finds nothing.
    assert api.post("/cases", case_body(world.village_east, category="contract")).status_code == 201
    with django_assert_max_num_queries(CREATE_QUERY_CEILING) as captured:
        response = api.post("/cases", case_body(world.village_east))
    assert response.status_code == 201, response.json()
    assert Case.objects.count() == 2
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) <= CREATE_STATEMENTS, statements
