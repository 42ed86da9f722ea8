"""The referral API (issue 14 item 8): a court's system registers a 委派 case (POST /cases),
sends it to a roster member, lists its referrals with their periods, and files a returned
case; the mediation side returns a failed case with the undisputed facts. The same services
as the pages; a key without the scope, a non-court user and another court are refused."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from fengqiao.api.choices import ApiScope
from fengqiao.api.services import api_key_create
from fengqiao.court.models import CourtReferral
from fengqiao.court.models.referral import ReferralStatus
from fengqiao.court.tests.referral_helpers import accepted_case, approved_member
from fengqiao.disputes.tests.factories import staff, start_mediation

ALL = [ApiScope.CASES_READ, ApiScope.CASES_WRITE, ApiScope.REFERRALS_READ, ApiScope.REFERRALS_WRITE]


def _api(user: Any, org: Any, scopes: list[str] = ALL) -> Any:
    _row, token = api_key_create(actor=None, name="法院系统", org=org, user=user, scopes=scopes)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(method: str, url: str, body: Any = None) -> Any:
        if method == "GET":
            return client.get(url)
        return client.post(url, json.dumps(body or {}), content_type="application/json")

    return call


def _case_body(world: Any) -> dict[str, Any]:
    return {
        "channel": "court_pre",
        "category": "contract",
        "title": "买卖合同欠款纠纷",
        "region_code": world.village_east.code,
        "parties": [
            {"role": "applicant", "name": "王五", "phone": "13800003333"},
            {"role": "respondent", "name": "赵六", "phone": "13900004444"},
        ],
    }


def test_a_court_system_registers_sends_and_lists_its_referrals(cast: Any, world: Any) -> None:
    member = approved_member(cast, world)
    call = _api(cast.court_clerk, world.tribunal_a)
    created = call("POST", "/api/v1/cases", _case_body(world))
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    sent = call("POST", "/api/v1/referrals", {"case_number": number, "member_id": member.pk})
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["status"], body["org"]) == ("sent", world.court_room_a.name)
    # Sending twice is refused by the same policy as the page
    again = call("POST", "/api/v1/referrals", {"case_number": number, "member_id": member.pk})
    assert again.status_code == 403
    listed = call("GET", "/api/v1/referrals?status=sent")
    assert [r["case_number"] for r in listed.json()["items"]] == [number]
    # Another court's system sees none of it
    county = _api(staff("county_clerk", "court_clerk", world.court), world.court)
    assert county("GET", "/api/v1/referrals").json()["items"] == []
    assert county("GET", f"/api/v1/referrals/{body['id']}").status_code == 404


def test_the_mediation_side_returns_a_failed_case_and_the_court_files_it(
    cast: Any, world: Any
) -> None:
    case, referral = accepted_case(cast, world)
    start_mediation(case, cast.room_mediator)
    mediator = _api(cast.room_mediator, world.court_room_a)
    refused = mediator("POST", f"/api/v1/referrals/{referral.pk}/return", {"undisputed_facts": ""})
    assert refused.status_code == 422
    returned = mediator(
        "POST",
        f"/api/v1/referrals/{referral.pk}/return",
        {"undisputed_facts": "双方确认货款3万元未付", "note": "对违约金有争议"},
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == ReferralStatus.RETURNED
    court = _api(cast.judge, world.tribunal_a)
    waiting = court("GET", "/api/v1/referrals?to_file=true").json()["items"]
    assert [(r["id"], r["undisputed_facts"]) for r in waiting] == [
        (referral.pk, "双方确认货款3万元未付")
    ]
    filed = court(
        "POST", f"/api/v1/referrals/{referral.pk}/file", {"filed_number": "（2026）浙0199民初9号"}
    )
    assert filed.status_code == 200
    assert filed.json()["filed_number"] == "（2026）浙0199民初9号"
    assert court("GET", "/api/v1/referrals?to_file=true").json()["items"] == []
    # The mediator cannot file; the period is in the court's detail
    assert (
        mediator("POST", f"/api/v1/referrals/{referral.pk}/file", {"filed_number": "x"}).status_code
        == 403
    )
    detail = court("GET", f"/api/v1/referrals/{referral.pk}").json()
    assert detail["period"] is not None
    assert detail["period"]["running"] is False


def test_a_key_without_the_scope_and_a_non_court_user_are_refused(cast: Any, world: Any) -> None:
    accepted_case(cast, world)
    reader = _api(cast.court_clerk, world.tribunal_a, [ApiScope.CASES_READ])
    assert reader("GET", "/api/v1/referrals").status_code == 403
    dispatcher = _api(cast.dispatcher, world.town_a_platform)
    assert dispatcher("GET", "/api/v1/referrals").status_code == 403
    referral = CourtReferral.objects.get()
    assert dispatcher("GET", f"/api/v1/referrals/{referral.pk}").status_code == 403


def test_a_court_system_adds_the_number_of_a_platform_dispatched_commission(
    cast: Any, world: Any
) -> None:
    from fengqiao.court.tests.referral_helpers import platform_commission

    _case, referral = platform_commission(cast, world)
    court = _api(cast.court_clerk, world.tribunal_a)
    url = f"/api/v1/referrals/{referral.pk}/number"
    bad = court("POST", url, {"court_case_number": "123", "procedure": "simplified"})
    assert bad.status_code == 422
    assert "法院案号格式不正确" in bad.json()["detail"]
    done = court(
        "POST", url, {"court_case_number": "（2026）浙0199民初77号", "procedure": "simplified"}
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["court_case_number"], body["procedure"]) == (
        "（2026）浙0199民初77号",
        "simplified",
    )
    assert body["period"]["running"] is True
    # Another court: not found; a mediator: not a court user
    county = _api(staff("county_clerk", "court_clerk", world.court), world.court)
    assert (
        county(
            "POST", url, {"court_case_number": "（2026）浙0199民初7号", "procedure": "ordinary"}
        ).status_code
        == 404
    )
    mediator = _api(cast.room_mediator, world.court_room_a)
    assert (
        mediator(
            "POST", url, {"court_case_number": "（2026）浙0199民初7号", "procedure": "ordinary"}
        ).status_code
        == 403
    )


def test_a_court_system_withdraws_an_open_referral_once(cast: Any, world: Any) -> None:
    _case, referral = accepted_case(cast, world)
    court = _api(cast.judge, world.tribunal_a)
    url = f"/api/v1/referrals/{referral.pk}/withdraw"
    assert court("POST", url, {"reason": " "}).status_code == 422
    done = court("POST", url, {"reason": "法院决定自行审理"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["return_note"]) == ("withdrawn", "法院决定自行审理")
    again = court("POST", url, {"reason": "法院决定自行审理"})
    assert again.status_code == 422
    assert "不能撤回" in again.json()["detail"]
    mediator = _api(cast.room_mediator, world.court_room_a)
    assert mediator("POST", url, {"reason": "x"}).status_code == 403
