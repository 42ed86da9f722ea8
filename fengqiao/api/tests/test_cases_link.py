"""``POST /cases`` and duplicates: the same "link or confirm new" choice as the intake pages.
Without ``link_to`` the case is registered and the new case records the possible duplicates;
with ``link_to`` the report is kept on the earlier case and nothing is registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fengqiao.api.tests.conftest import ApiClient, case_body
from fengqiao.disputes.models import Case, RepeatReport
from fengqiao.disputes.services.outcomes import case_withdraw


def test_registering_despite_duplicates_records_them_on_the_new_case(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    first = api.post("/cases", case_body(world.village_east)).json()
    second = api.post("/cases", case_body(world.village_east))
    assert second.status_code == 201
    assert [d["number"] for d in second.json()["duplicates"]] == [first["number"]]
    new = Case.objects.get(number=second.json()["number"])
    flag = new.timeline.get(action="duplicate_check")
    earlier = Case.objects.get(number=first["number"])
    assert flag.data["possible_duplicates"] == {str(earlier.pk): ["id_number", "phone", "address"]}
    # The first case, which had nothing to repeat, carries no such event.
    assert not earlier.timeline.filter(action="duplicate_check").exists()


def test_link_to_records_a_repeat_report_and_registers_nothing(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    first = api.post("/cases", case_body(world.village_east)).json()
    body = case_body(world.village_east, title="排水沟又堵了", link_to=first["number"])
    response = api.post("/cases", body, **{"Idempotency-Key": "hotline-7"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["linked_to"] == first["number"]
    assert answer["status"] == "registered"
    assert Case.objects.count() == 1
    report = RepeatReport.objects.get()
    assert report.case.number == first["number"]
    assert report.title == "排水沟又堵了"
    assert report.channel == "phone"
    assert report.parties[0]["phone"] == "13800001111"
    # A retry answers the same and records nothing more.
    again = api.post("/cases", body, **{"Idempotency-Key": "hotline-7"})
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == answer
    assert RepeatReport.objects.count() == 1


def test_link_to_a_case_the_user_cannot_see_is_refused_without_a_hint(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    west = api_for(cast.dispatcher, world.town_a_platform).post(
        "/cases", case_body(world.village_west)
    )
    east_api = api_for(cast.mediator_east, world.committee_east)
    hidden = east_api.post("/cases", case_body(world.village_east, link_to=west.json()["number"]))
    missing = east_api.post(
        "/cases", case_body(world.village_east, link_to="330199001000-2026-999999")
    )
    for response in (hidden, missing):
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "link_to"
        assert "不存在或您无权查看" in response.json()["detail"]
    assert not RepeatReport.objects.exists()
    assert Case.objects.count() == 1


def test_link_to_a_closed_case_is_rejected(
    cast: Any, world: Any, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(cast.dispatcher, world.town_a_platform)
    first = api.post("/cases", case_body(world.village_east)).json()
    case = Case.objects.get(number=first["number"])
    case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=None, reason="撤回")
    response = api.post("/cases", case_body(world.village_east, link_to=first["number"]))
    assert response.status_code == 422
    assert response.json()["code"] == "rejected"
    assert "不能并入" in response.json()["detail"]
    assert not RepeatReport.objects.exists()


def test_openapi_documents_link_to(world: Any, client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "link_to" in doc["components"]["schemas"]["CaseIn"]["properties"]
    create = doc["paths"]["/api/v1/cases"]["post"]["responses"]
    assert {"200", "201"} <= set(create)
