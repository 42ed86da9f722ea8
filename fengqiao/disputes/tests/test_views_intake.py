"""Duplicate detection on the intake pages (登记纠纷 and 网格员快速上报): possible duplicates are
shown before registering, with what was typed kept; the registrant links the report to the
earlier case (重复反映, no second case) or confirms it is new; hidden cases stay hidden."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.disputes.choices import CaseStatus, IntakeChannel, PartyKind, PartyRole
from fengqiao.disputes.models import Case, RepeatReport
from fengqiao.disputes.services.outcomes import case_withdraw
from fengqiao.disputes.tests.test_views_common import east_case, fresh, west_case
from fengqiao.web.tests.html import page_text

VALID_ID = "11010519491231002X"
# The phone of 张三, the applicant of the cases made by ``east_case`` / ``west_case``.
ZHANG_PHONE = "13800001111"


def _intake(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "channel": IntakeChannel.WALK_IN,
        "category": "neighbour",
        "title": "宅基地滴水纠纷",
        "facts": "两家房屋相邻，屋檐滴水。",
        "claims": "拆除滴水檐",
        "region": world.village_east.pk,
        "address": "东村3组",
        "occurred_at": "2026-01-05T08:30",
        "amount": "800",
        "people_count": "3",
        "applicant_name": "赵一",
        "applicant_id_number": VALID_ID,
        "applicant_phone": "13912345678",
        "respondent_name": "钱二",
        "respondent_id_number": "",
        "respondent_phone": "13955556666",
    }
    data.update(overrides)
    return data


def _section(response: Any, element_id: str) -> str:
    """The HTML of the element with ``element_id`` (up to the next sibling section)."""
    html = response.content.decode()
    start = html.find(f'id="{element_id}"')
    assert start >= 0, f"no #{element_id}"
    return html[start : start + 4000]


def _kept(response: Any, data: dict[str, Any]) -> None:
    """Every value typed into the form is on the page again."""
    html = response.content.decode()
    for name in ("title", "address", "applicant_name", "applicant_phone", "respondent_name"):
        if data.get(name):
            assert f'value="{data[name]}"' in html, name
    for name in ("facts", "claims"):
        if data.get(name):
            assert f"{data[name]}</textarea>" in html, name
    if data.get("applicant_id_number"):
        assert f'value="{data["applicant_id_number"]}"' in html
    if data.get("people_count"):
        assert f'value="{data["people_count"]}"' in html
    assert f'<option value="{data["category"]}" selected>' in html
    assert f'<option value="{data["region"]}" selected>' in html


# --- 登记纠纷 (staff intake) ----------------------------------------------------------------------


def test_intake_shows_the_possible_duplicate_and_keeps_everything_typed(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a 邻里 case at 东村3组 last week
    earlier = east_case(cast, world, address="东村3组")
    # When the dispatcher registers a 邻里 dispute at the same address
    data = _intake(world)
    response = client_for(cast.dispatcher).post("/cases/new/", data)
    # then nothing is registered yet: the earlier case is shown, with the reason
    assert response.status_code == 200
    assert Case.objects.count() == 1
    panel = _section(response, "duplicates")
    assert earlier.number in panel
    assert "30日内同一地址同类纠纷" in panel
    assert f'name="link_to" value="{earlier.pk}"' in panel
    assert "确认为新纠纷并登记" in panel
    # and everything typed is still in the form
    _kept(response, data)
    assert f'<option value="{IntakeChannel.WALK_IN}" selected>' in response.content.decode()


def test_confirming_a_new_dispute_registers_it_and_tells_the_platform(
    cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world, address="东村3组")
    client = client_for(cast.dispatcher)
    response = client.post("/cases/new/", {**_intake(world), "confirm_new": "1"})
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == f"/cases/{new.pk}/"
    assert new.title == "宅基地滴水纠纷"
    assert new.parties.get(role=PartyRole.APPLICANT).id_number == VALID_ID
    # The new case says which case the check named, for whoever assesses it.
    detail = client.get(f"/cases/{new.pk}/")
    flagged = _section(detail, "flagged-duplicates")
    assert earlier.number in flagged
    assert "疑似重复提示" in page_text(detail)
    # The earlier case is untouched.
    assert not earlier.repeat_reports.exists()


def test_linking_records_the_report_on_the_earlier_case_without_a_second_case(
    cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world, address="东村3组")
    version = fresh(earlier).version
    client = client_for(cast.mediator_east)
    data = _intake(world)
    response = client.post("/cases/new/", {**data, "link_to": str(earlier.pk)})
    # The reporter is taken to the case the report went to, and told so.
    assert response["Location"] == f"/cases/{earlier.pk}/"
    assert Case.objects.count() == 1
    page = client.get(response["Location"])
    text = page_text(page)
    assert f"已作为重复反映并入案件{earlier.number}" in text
    # Nothing of the report is lost: it is kept on the earlier case.
    report = RepeatReport.objects.get(case=earlier)
    assert report.reported_by == cast.mediator_east
    assert (report.title, report.facts, report.claims) == (
        "宅基地滴水纠纷",
        "两家房屋相邻，屋檐滴水。",
        "拆除滴水檐",
    )
    assert (report.address, report.people_count, str(report.amount)) == ("东村3组", 3, "800.00")
    assert report.channel == IntakeChannel.WALK_IN
    applicant = next(p for p in report.parties if p["role"] == PartyRole.APPLICANT)
    assert (applicant["name"], applicant["id_number"], applicant["phone"]) == (
        "赵一",
        VALID_ID,
        "13912345678",
    )
    # The case page shows it with the contacts masked, and the timeline has 重复反映.
    reports = _section(page, "repeat-reports")
    assert "宅基地滴水纠纷" in reports
    assert "139****5678" in reports
    assert "13912345678" not in page.content.decode()
    assert "重复反映" in text
    # The state is unchanged (no form on the case goes stale), and the platform is told.
    after = fresh(earlier)
    assert (after.status, after.version) == (CaseStatus.REGISTERED, version)
    assert cast.dispatcher.notifications.filter(case=earlier, title__startswith="重复反映").exists()


def test_the_same_link_sent_twice_is_kept_once(cast: Any, world: Any, client_for: Any) -> None:
    earlier = east_case(cast, world, address="东村3组")
    client = client_for(cast.dispatcher)
    for _ in range(2):
        client.post("/cases/new/", {**_intake(world), "link_to": str(earlier.pk)})
    assert earlier.repeat_reports.count() == 1
    assert earlier.timeline.filter(action="repeat_report").count() == 1


def test_a_closed_case_is_shown_but_cannot_be_linked(
    cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world, address="东村3组")
    case_withdraw(actor=cast.dispatcher, case_id=earlier.pk, version=None, reason="申请人撤回")
    client = client_for(cast.dispatcher)
    data = _intake(world)
    shown = client.post("/cases/new/", data)
    panel = _section(shown, "duplicates")
    assert earlier.number in panel
    assert "该案已办结，不能并入" in panel
    assert 'name="link_to"' not in panel
    # A link posted anyway is refused with the reason, and the input is kept.
    refused = client.post("/cases/new/", {**data, "link_to": str(earlier.pk)})
    assert refused.status_code == 200
    assert f"案件{earlier.number}已办结（已撤回），不能并入" in page_text(refused)
    _kept(refused, data)
    assert not RepeatReport.objects.exists()
    assert Case.objects.count() == 1


def test_a_case_outside_the_scope_is_hinted_at_but_never_shown(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a 西村 case whose applicant 张三 has the phone the 东村 mediator is about to type
    hidden = west_case(cast, world)
    client = client_for(cast.mediator_east)
    data = _intake(world, applicant_phone=ZHANG_PHONE, address="东村9组")
    response = client.post("/cases/new/", data)
    # then the mediator is told there is something to check, and nothing about it
    assert response.status_code == 200
    html = response.content.decode()
    assert "另有您无权查看的疑似重复纠纷" in page_text(response)
    for secret in (hidden.number, hidden.title, "张三", "李四", "西村"):
        assert secret not in html
    assert 'name="link_to"' not in html
    _kept(response, data)
    # A link to it posted by hand is refused like a case that does not exist.
    refused = client.post("/cases/new/", {**data, "link_to": str(hidden.pk)})
    assert "您无权办理该案件" in page_text(refused)
    assert hidden.number not in refused.content.decode()
    assert not RepeatReport.objects.exists()
    # Confirmed as new, the case is registered; the dispatcher sees the 西村 case on it,
    # the mediator still only the hint.
    client.post("/cases/new/", {**data, "confirm_new": "1"})
    new = Case.objects.get(region=world.village_east)
    for_dispatcher = _section(
        client_for(cast.dispatcher).get(f"/cases/{new.pk}/"), "flagged-duplicates"
    )
    assert hidden.number in for_dispatcher
    for_mediator = client.get(f"/cases/{new.pk}/")
    assert "另有您无权查看的疑似重复案件" in _section(for_mediator, "flagged-duplicates")
    assert hidden.number not in for_mediator.content.decode()


def test_no_duplicate_registers_at_once(cast: Any, world: Any, client_for: Any) -> None:
    response = client_for(cast.dispatcher).post("/cases/new/", _intake(world))
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert not case.timeline.filter(action="duplicate_check").exists()


# --- 网格员快速上报 -------------------------------------------------------------------------


def _quick(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "category": "neighbour",
        "title": "两户又因排水沟起争执",
        "region": world.village_east.pk,
        "applicant_name": "张三",
        "applicant_phone": ZHANG_PHONE,
        "respondent_name": "李四",
        "facts": "雨后又堵了。",
    }
    data.update(overrides)
    return data


def test_quick_report_shows_the_duplicate_and_keeps_the_input(
    grid_worker: Any, cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world)
    data = _quick(world)
    response = client_for(grid_worker).post("/cases/report/", data)
    assert response.status_code == 200
    panel = _section(response, "duplicates")
    assert earlier.number in panel
    assert "同一当事人（手机号）有未办结的同类纠纷" in panel
    _kept(response, data)
    assert Case.objects.count() == 1


def test_quick_report_linked_tells_the_grid_worker_the_case_number(
    grid_worker: Any, cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world)
    client = client_for(grid_worker)
    response = client.post("/cases/report/", {**_quick(world), "link_to": str(earlier.pk)})
    assert response["Location"] == f"/cases/report/{earlier.pk}/linked/"
    done = client.get(response["Location"])
    assert "已作为重复反映并入以下案件" in page_text(done)
    assert earlier.number in _section(done, "case-number")
    report = earlier.repeat_reports.get()
    assert report.channel == IntakeChannel.GRID
    assert report.facts == "雨后又堵了。"
    assert Case.objects.count() == 1


def test_quick_report_confirmed_new_is_registered(
    grid_worker: Any, cast: Any, world: Any, client_for: Any
) -> None:
    earlier = east_case(cast, world)
    response = client_for(grid_worker).post("/cases/report/", {**_quick(world), "confirm_new": "1"})
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == f"/cases/report/{new.pk}/"
    assert new.channel == IntakeChannel.GRID
    assert str(earlier.pk) in new.timeline.get(action="duplicate_check").data["possible_duplicates"]


def test_quick_report_hides_a_case_of_another_village(
    grid_worker: Any, cast: Any, world: Any, client_for: Any
) -> None:
    hidden = west_case(cast, world)
    response = client_for(grid_worker).post("/cases/report/", _quick(world, applicant_name="孙七"))
    html = response.content.decode()
    assert "另有您无权查看的疑似重复纠纷" in page_text(response)
    for secret in (hidden.number, hidden.title, "西村"):
        assert secret not in html


# --- Shared validators (core.validators) on the intake form ------------------------------------


def test_a_company_respondent_is_recorded_by_its_credit_code(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a dispute with a company, whose 统一社会信用代码 the dispatcher types in full width
    code = "91110000600037341L"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    data = _intake(world, respondent_name="某物业公司", respondent_id_number=wide)
    response = client_for(cast.dispatcher).post("/cases/new/", {**data, "confirm_new": "1"})
    # then the case is registered with the company as an organisation party
    assert response.status_code == 302, page_text(response)
    respondent = Case.objects.get().parties.get(role=PartyRole.RESPONDENT)
    assert respondent.kind == PartyKind.ORGANIZATION
    assert respondent.id_number == code


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"respondent_id_number": "91110000600037341M"}, "统一社会信用代码校验位不正确"),
        ({"applicant_name": "赵一\x1b[0m"}, "内容含有不可见的控制字符"),
        ({"occurred_at": "1949-09-30T23:59"}, "发生时间不能早于1949-10-01"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_registered(
    cast: Any, world: Any, client_for: Any, change: dict[str, str], message: str
) -> None:
    response = client_for(cast.dispatcher).post(
        "/cases/new/", {**_intake(world, **change), "confirm_new": "1"}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Case.objects.exists()


def test_a_second_report_against_the_same_company_is_flagged_by_its_credit_code(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a case against 某物业公司 registered on the web form with its credit code
    code = "91110000600037341L"
    client = client_for(cast.dispatcher)
    first = _intake(world, respondent_name="某物业公司", respondent_id_number=code)
    client.post("/cases/new/", {**first, "confirm_new": "1"})
    earlier = Case.objects.get()
    # When another applicant elsewhere reports a dispute of the same kind against it
    again = _intake(
        world,
        respondent_name="某物业",
        respondent_id_number=code,
        applicant_name="孙七",
        applicant_id_number="",
        applicant_phone="13700007777",
        address="西村5组",
        respondent_phone="",
    )
    response = client.post("/cases/new/", again)
    # then the earlier case is shown, named by the credit code
    assert response.status_code == 200
    panel = _section(response, "duplicates")
    assert earlier.number in panel
    assert "同一当事人（统一社会信用代码）有未办结的同类纠纷" in panel
