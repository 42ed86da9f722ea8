"""The 司法确认 calls of API v1 (issue 14 item 8): a committee's key files, the court's key lists,
accepts, acknowledges the flags, rules and fetches the 民事裁定书 — the same rules as the pages."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from fengqiao.api.choices import ApiScope
from fengqiao.court.models.confirmation import Confirmation
from fengqiao.court.tests.confirmation_helpers import png, resolved_case

SCOPES = [ApiScope.CONFIRMATIONS_READ, ApiScope.CONFIRMATIONS_WRITE, ApiScope.CASES_READ]


# Rulings and 自动履行证明书 are issued signed: the world's orgs hold signing certificates.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant_names": ["张三", "李四"],
        "scan_name": "协议.png",
        "scan_base64": base64.b64encode(png().getvalue()).decode(),
    }
    body.update(overrides)
    return body


def test_file_accept_acknowledge_rule_and_fetch_the_ruling(
    cast: Any, world: Any, api_for: Any
) -> None:
    case = resolved_case(cast, world, registered_days_ago=0)
    mediator = api_for(cast.mediator_east, world.committee_east, SCOPES)
    # refused with the reason: a name not among the parties, then one side alone
    response = mediator.post(
        f"/cases/{case.number}/confirmations", _body(applicant_names=["王五", "李四"])
    )
    assert response.status_code == 422
    assert "王五" in response.json()["detail"]
    response = mediator.post(
        f"/cases/{case.number}/confirmations", _body(applicant_names=["张三", "张三"])
    )
    assert response.status_code == 422
    assert "双方当事人共同申请" in response.json()["detail"]
    response = mediator.post(f"/cases/{case.number}/confirmations", _body())
    assert response.status_code == 201, response.content
    filed = response.json()
    assert filed["court"] == world.tribunal_a.name
    assert filed["status"] == "pending"
    assert filed["applicants"] == ["张*", "李*"]
    assert [f["code"] for f in filed["flags"]] == ["same_day"]
    pk = filed["id"]
    # the mediator's key cannot accept; the court's can
    assert mediator.post(f"/confirmations/{pk}/accept", {}).status_code == 404
    judge = api_for(cast.judge, world.tribunal_a, SCOPES)
    listed = judge.get("/confirmations").json()["items"]
    assert [c["id"] for c in listed] == [pk]
    assert listed[0]["court"] == world.tribunal_a.name
    assert judge.post(f"/confirmations/{pk}/accept", {}).json()["number"].endswith("民特1号")
    refused = judge.post(f"/confirmations/{pk}/rule", {"outcome": "confirmed", "reasons": "合法"})
    assert refused.status_code == 422
    assert "筛查提示" in refused.json()["detail"]
    ack = judge.post(f"/confirmations/{pk}/flags/same_day/acknowledge", {"note": "已核实"})
    assert ack.json()["flags"][0]["acknowledged_at"] is not None
    ruled = judge.post(f"/confirmations/{pk}/rule", {"outcome": "confirmed", "reasons": "合法有效"})
    assert ruled.json()["status"] == "confirmed"
    # the mediator fetches the ruling
    pdf = mediator.get(f"/confirmations/{pk}/ruling.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert Confirmation.objects.get(pk=pk).decision_document is not None


def test_the_scope_and_the_court_side_are_enforced(cast: Any, world: Any, api_for: Any) -> None:
    case = resolved_case(cast, world)
    read_only = api_for(cast.mediator_east, world.committee_east, [ApiScope.CONFIRMATIONS_READ])
    response = read_only.post(f"/cases/{case.number}/confirmations", _body())
    assert response.status_code == 403
    mediator = api_for(cast.mediator_east, world.committee_east, SCOPES)
    pk = mediator.post(f"/cases/{case.number}/confirmations", _body()).json()["id"]
    # another village's mediator sees nothing of it; the police none either
    other = api_for(cast.mediator_west, world.committee_west, SCOPES)
    assert other.get(f"/confirmations/{pk}").status_code == 404
    police = api_for(cast.police, world.police_station_a, SCOPES)
    assert police.get("/confirmations").json()["items"] == []
    # refusing needs a reason; a refusal issues the notice
    judge = api_for(cast.judge, world.tribunal_a, SCOPES)
    assert judge.post(f"/confirmations/{pk}/refuse", {"reasons": ""}).status_code == 422
    refused = judge.post(f"/confirmations/{pk}/refuse", {"reasons": "不属于本院管辖"})
    assert refused.json()["status"] == "not_accepted"
    assert mediator.get(f"/confirmations/{pk}/ruling.pdf").status_code == 200
