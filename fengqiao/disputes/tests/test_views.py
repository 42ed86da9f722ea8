"""The case pages against the fixed cast: who gets which page, what the lists and the detail
show, intake and the quick report."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fengqiao.disputes.choices import CaseStatus, IntakeChannel, PartyRole
from fengqiao.disputes.models import (
    Case,
    DueItem,
)
from fengqiao.disputes.services.outcomes import (
    case_refer,
)
from fengqiao.disputes.tests.test_views_common import (
    accept,
    assess,
    dispatch,
    east_case,
    fullwidth,
    to_mediating,
    west_case,
)
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import (
    case_agree,
    case_fail,
)
from fengqiao.web.tests.html import page_text, table_text

CAST = [
    "mediator_east",
    "mediator_west",
    "dispatcher",
    "court_clerk",
    "leader",
    "system_admin",
    "security_admin",
    "auditor",
    "citizen",
    "outsider",
]
READERS = {"mediator_east", "mediator_west", "dispatcher", "court_clerk", "leader"}
REGISTRARS = {"mediator_east", "mediator_west", "dispatcher", "court_clerk"}


# --- Who gets which page ------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/cases/", READERS),
        ("/cases/my/", READERS),
        ("/cases/new/", REGISTRARS),
        ("/cases/report/", REGISTRARS),
    ],
)
def test_pages_open_for_the_roles_that_hold_their_permission(
    who: str, url: str, allowed: set[str], cast: Any, client_for: Any
) -> None:
    response = client_for(getattr(cast, who)).get(url)
    assert response.status_code == (200 if who in allowed else 403)


@pytest.mark.parametrize("url", ["/cases/", "/cases/my/", "/cases/new/", "/cases/report/"])
def test_anonymous_is_sent_to_login(url: str, world: Any, client_for: Any) -> None:
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


DETAIL = {
    "mediator_east": 200,
    "mediator_west": 404,
    "dispatcher": 200,
    "court_clerk": 404,
    "leader": 200,
    "system_admin": 403,
    "security_admin": 403,
    "auditor": 403,
    "citizen": 403,
    "outsider": 403,
}


@pytest.mark.parametrize(("who", "expected"), DETAIL.items())
def test_case_detail_is_open_only_within_the_scope(
    who: str, expected: int, cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    assert client_for(getattr(cast, who)).get(f"/cases/{case.pk}/").status_code == expected


def test_the_court_clerk_sees_a_case_its_tribunal_handles(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    Case.objects.filter(pk=case.pk).update(handling_org=world.tribunal_a)
    assert client_for(cast.court_clerk).get(f"/cases/{case.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("mediator_east", {"邻里排水沟纠纷"}),
        ("mediator_west", {"西村土地边界纠纷"}),
        ("dispatcher", {"邻里排水沟纠纷", "西村土地边界纠纷"}),
        ("leader", {"邻里排水沟纠纷", "西村土地边界纠纷"}),
        ("court_clerk", set()),
    ],
)
def test_case_list_shows_only_cases_in_the_scope(
    who: str, sees: set[str], cast: Any, world: Any, client_for: Any
) -> None:
    east_case(cast, world)
    west_case(cast, world)
    listed = table_text(client_for(getattr(cast, who)).get("/cases/"), "case-list")
    assert {t for t in ("邻里排水沟纠纷", "西村土地边界纠纷") if t in listed} == sees


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_names_to_the_platform_and_masks_them_for_a_leader(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a case held by 甲镇平安办 (the rule itself: test_disclosure.py)
    east_case(cast, world)
    # the township's dispatcher, who works it, reads the parties' names
    worked = table_text(client_for(cast.dispatcher).get("/cases/"), "case-list")
    assert "张三、李四" in worked
    # the county's leader, who only oversees it, reads them masked
    overseen = table_text(client_for(cast.leader).get("/cases/"), "case-list")
    assert "张*、李*" in overseen
    assert "张三" not in overseen
    assert "李四" not in overseen


def test_keyword_in_full_width_digits_finds_the_case_number(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given two cases, when the dispatcher types the first one's number with a Chinese IME
    wanted, other = east_case(cast, world), west_case(cast, world)
    typed = fullwidth(wanted.number)
    assert typed != wanted.number
    response = client_for(cast.dispatcher).get("/cases/", {"q": typed})
    # then the list holds that case and only that one
    listed = table_text(response, "case-list")
    assert wanted.number in listed
    assert other.number not in listed


def test_keyword_finds_a_party_name(cast: Any, world: Any, client_for: Any) -> None:
    wanted, other = east_case(cast, world), west_case(cast, world)
    Case.objects.filter(pk=other.pk).update(title="其他")
    other.parties.update(name="王五")
    listed = table_text(client_for(cast.dispatcher).get("/cases/", {"q": "张三"}), "case-list")
    assert wanted.number in listed
    assert other.number not in listed


def test_filters_narrow_the_list(cast: Any, world: Any, client_for: Any) -> None:
    east, west = east_case(cast, world), west_case(cast, world)
    assess(east, cast)
    client = client_for(cast.dispatcher)
    by_status = table_text(client.get("/cases/", {"status": "assessed"}), "case-list")
    assert east.number in by_status
    assert west.number not in by_status
    by_region = table_text(client.get("/cases/", {"region": world.village_west.code}), "case-list")
    assert west.number in by_region
    assert east.number not in by_region
    today = timezone.localdate().isoformat()
    in_range = table_text(client.get("/cases/", {"since": today, "until": today}), "case-list")
    assert east.number in in_range
    assert "没有符合条件的案件" in table_text(
        client.get("/cases/", {"since": "2001-01-01", "until": "2001-01-31"}), "case-list"
    )


def test_bad_filter_values_are_ignored(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    response = client_for(cast.dispatcher).get(
        "/cases/", {"status": "nonsense", "since": "not-a-date", "page": "x"}
    )
    assert response.status_code == 200
    assert case.number in table_text(response, "case-list")


def test_overdue_filter_and_red_rows(cast: Any, world: Any, client_for: Any) -> None:
    late, on_time = east_case(cast, world), east_case(cast, world, title="另一件")
    for case in (late, on_time):
        dispatch(assess(case, cast), cast, world)
    DueItem.objects.filter(case=late).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    response = client_for(cast.dispatcher).get("/cases/", {"overdue": "1"})
    listed = table_text(response, "case-list")
    assert late.number in listed
    assert on_time.number not in listed
    assert f'class="table-danger" data-case="{late.number}"' in response.content.decode()


def test_list_pages_thirty_at_a_time(cast: Any, world: Any, client_for: Any) -> None:
    for i in range(31):
        east_case(cast, world, title=f"案{i}")
    client = client_for(cast.dispatcher)
    first = client.get("/cases/")
    assert len(first.context["page_obj"].object_list) == 30
    assert "第 1 / 2 页" in page_text(first)
    assert len(client.get("/cases/", {"page": 2}).context["page_obj"].object_list) == 1


def test_list_query_count_does_not_grow_with_the_cases(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        case = east_case(cast, world, title=f"案{i}")
        if i % 2:
            dispatch(assess(case, cast), cast, world)
    client = client_for(cast.dispatcher)
    client.get("/cases/")  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get("/cases/")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 30


# --- The detail ---------------------------------------------------------------------------------


def test_detail_masks_party_ids_and_phones(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    parties = table_text(client_for(cast.dispatcher).get(f"/cases/{case.pk}/"), "parties")
    assert "张三" in parties
    assert "990***********1234" in parties
    assert "138****1111" in parties
    assert "990102198001011234" not in parties
    assert "13800001111" not in parties


def test_detail_offers_only_the_actions_of_the_user(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    dispatcher = client_for(cast.dispatcher).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-assess"' in dispatcher
    assert 'id="act-reject"' in dispatcher
    assert 'id="act-start"' not in dispatcher
    leader = client_for(cast.leader).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-' not in leader
    assert "您当前没有可对该案件执行的操作" in leader
    # The village mediator sees the case but does not hold it until it is dispatched.
    mediator = client_for(cast.mediator_east).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-' not in mediator


def test_detail_shows_orders_deadlines_and_timeline(cast: Any, world: Any, client_for: Any) -> None:
    case = accept(dispatch(assess(east_case(cast, world), cast), cast, world), cast)
    response = client_for(cast.mediator_east).get(f"/cases/{case.pk}/")
    assert "东村人民调解委员会" in table_text(response, "orders")
    due = table_text(response, "due-items")
    assert "调解期限" in due
    assert "剩余" in due
    timeline = page_text(response)
    for label in ("登记", "研判", "交办", "受理"):
        assert label in timeline
    html = response.content.decode()
    # No consent recorded yet: 开始调解 is not offered (the panel says what is missing)
    assert 'id="act-start"' not in html
    assert "mediation-consent-needed" in html
    assert 'id="act-extend"' in html


OUTCOME_CARDS = ("agreement", "failure", "referral")


@pytest.mark.parametrize(
    ("card", "close", "shown"),
    [
        (
            "agreement",
            lambda m, c: case_agree(
                actor=m, case_id=c.pk, version=None, kind=AgreementKind.ORAL, terms="李四赔付三百元"
            ),
            "李四赔付三百元",
        ),
        (
            "failure",
            lambda m, c: case_fail(
                actor=m, case_id=c.pk, version=None, undisputed_facts="排水沟位于两家之间"
            ),
            "排水沟位于两家之间",
        ),
        (
            "referral",
            lambda m, c: case_refer(
                actor=m, case_id=c.pk, version=None, target="litigation", receiver="甲镇人民法庭"
            ),
            "甲镇人民法庭",
        ),
    ],
)
def test_detail_shows_the_outcome_record_of_a_closed_case(
    card: str, close: Any, shown: str, cast: Any, world: Any, client_for: Any
) -> None:
    # Given a case being mediated, with no outcome yet: none of the outcome cards
    case = to_mediating(east_case(cast, world), cast, world)
    html = client_for(cast.dispatcher).get(f"/cases/{case.pk}/").content.decode()
    assert not any(f'id="{c}"' in html for c in OUTCOME_CARDS)

    # When the committee closes it, then its page shows that outcome's record and no other
    close(cast.mediator_east, case)
    html = client_for(cast.dispatcher).get(f"/cases/{case.pk}/").content.decode()
    assert [c for c in OUTCOME_CARDS if f'id="{c}"' in html] == [card]
    assert shown in html


# --- 我的工作 -----------------------------------------------------------------------------------


def test_worklist_of_the_dispatcher_and_the_mediator(
    cast: Any, world: Any, client_for: Any
) -> None:
    new = east_case(cast, world)
    sent = dispatch(assess(east_case(cast, world, title="已交办的"), cast), cast, world)
    working = to_mediating(east_case(cast, world, title="调解中的"), cast, world)
    dispatcher = client_for(cast.dispatcher).get("/cases/my/")
    assert new.number in table_text(dispatcher, "to-assess")
    mediator = client_for(cast.mediator_east).get("/cases/my/")
    assert sent.number in table_text(mediator, "to-accept")
    assert working.number in table_text(mediator, "to-mediate")
    assert sent.number not in table_text(
        client_for(cast.mediator_west).get("/cases/my/"), "to-accept"
    )


def test_worklist_colours_deadlines(cast: Any, world: Any, client_for: Any) -> None:
    soon = dispatch(assess(east_case(cast, world, title="快到期"), cast), cast, world)
    late = dispatch(assess(east_case(cast, world, title="已超期"), cast), cast, world)
    now = timezone.now()
    soon.dispatches.update(accept_by=now + timezone.timedelta(hours=5))
    DueItem.objects.filter(case=soon).update(due_at=now + timezone.timedelta(hours=5))
    late.dispatches.update(accept_by=now - timezone.timedelta(hours=5))
    DueItem.objects.filter(case=late).update(due_at=now - timezone.timedelta(hours=5))
    response = client_for(cast.mediator_east).get("/cases/my/")
    html = response.content.decode()
    assert f'class="table-warning" data-case="{soon.number}"' in html
    assert f'class="table-danger" data-case="{late.number}"' in html
    assert soon.number in table_text(response, "due-soon")
    assert late.number in table_text(response, "overdue")
    assert "已超期" in table_text(response, "overdue")


def test_deadline_panels_agree_with_the_lists_for_every_role(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given two cases dispatched to 东村: one past its acceptance limit, one due tomorrow
    late = dispatch(assess(east_case(cast, world, title="已超期"), cast), cast, world)
    soon = dispatch(assess(east_case(cast, world, title="快到期"), cast), cast, world)
    now = timezone.now()
    DueItem.objects.filter(case=late).update(due_at=now - timezone.timedelta(hours=5))
    DueItem.objects.filter(case=soon).update(due_at=now + timezone.timedelta(days=1))

    for user in (cast.dispatcher, cast.leader, cast.mediator_east):
        # when each opens 我的工作
        client = client_for(user)
        response = client.get("/cases/my/")

        # then the panels list the cases, and their counts are those of the lists they link to
        work = response.context["work"]
        assert late.number in table_text(response, "overdue"), user
        assert soon.number in table_text(response, "due-soon"), user
        overdue_list = client.get("/cases/", {"queue": "overdue"}).context["page_obj"].paginator
        assert work.overdue_count == overdue_list.count == 1, user
        soon_list = client.get("/cases/", {"queue": "due_soon"}).context["page_obj"].paginator
        assert work.due_soon_count == soon_list.count == 1, user


def test_a_dispatched_case_lists_the_org_it_waits_at(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case dispatched to 东村, not yet accepted
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    client = client_for(cast.dispatcher)

    # then the list and the case page name 东村 as 承办单位 (待受理), not "—"
    row = table_text(client.get("/cases/"), "case-list")
    assert "东村人民调解委员会 （待受理）" in " ".join(row.split())
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "东村人民调解委员会" in detail[detail.index('id="handling-org"') :][:300]
    # and once accepted, the org itself
    accept(case, cast)
    row = table_text(client.get("/cases/"), "case-list")
    assert "东村人民调解委员会" in row
    assert "待受理" not in row


# --- Intake -------------------------------------------------------------------------------------

VALID_ID = "11010519491231002X"


def _intake(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "channel": IntakeChannel.WALK_IN,
        "category": "neighbour",
        "title": "宅基地滴水纠纷",
        "facts": "两家房屋相邻，屋檐滴水。",
        "claims": "",
        "region": world.village_east.pk,
        "address": "东村3组",
        "occurred_at": "",
        "amount": "",
        "people_count": "2",
        "applicant_name": "赵一",
        "applicant_id_number": VALID_ID,
        "applicant_phone": "13912345678",
        "respondent_name": "钱二",
        "respondent_id_number": "",
        "respondent_phone": "",
    }
    data.update(overrides)
    return data


def test_intake_registers_a_case_at_the_township_platform(
    cast: Any, world: Any, client_for: Any
) -> None:
    response = client_for(cast.mediator_east).post("/cases/new/", _intake(world))
    case = Case.objects.get(title="宅基地滴水纠纷")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.platform == world.town_a_platform
    assert case.channel == IntakeChannel.WALK_IN
    applicant = case.parties.get(role=PartyRole.APPLICANT)
    assert applicant.id_number == VALID_ID
    assert applicant.phone == "13912345678"
    assert case.registered_by == cast.mediator_east


@pytest.mark.parametrize("who", ["mediator_east", "justice_officer", "room_mediator"])
def test_registered_cases_go_to_the_township_platform_not_up_the_committee_chain(
    who: str, cast: Any, world: Any, client_for: Any
) -> None:
    # Given registrants whose org's parents lead to the 司法局 and the county 综治中心
    # (村调委会 → 乡镇调委会 → 司法所 → 司法局 → 区综治中心), registering a dispute in 东村
    user = getattr(cast, who)
    client = client_for(user)
    page = client.get("/cases/new/")
    assert "甲镇平安办" in page_text(page)
    assert client.post("/cases/new/", _intake(world)).status_code == 302
    # Then the case is 甲镇平安办's, numbered with 甲镇's code, and its dispatcher can assess it
    case = Case.objects.get()
    assert case.platform == world.town_a_platform
    assert case.number.startswith(f"{world.town_a.code}-")
    assert cast.dispatcher.notifications.filter(case=case).exists()
    assess = client_for(cast.dispatcher).get(f"/cases/{case.pk}/")
    assert 'id="act-assess"' in assess.content.decode()


def test_intake_accepts_full_width_digits_and_a_lower_case_x(
    cast: Any, world: Any, client_for: Any
) -> None:
    data = _intake(
        world, applicant_id_number=fullwidth(VALID_ID.lower()), applicant_phone="１３９ 1234 5678"
    )
    assert client_for(cast.dispatcher).post("/cases/new/", data).status_code == 302
    applicant = Case.objects.get().parties.get(role=PartyRole.APPLICANT)
    assert (applicant.id_number, applicant.phone) == (VALID_ID, "13912345678")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant_id_number", "110105194912310021", "身份证号校验位不正确"),
        ("applicant_id_number", "1101051949123", "身份证号应为18位"),
        ("applicant_id_number", "110105194913310021", "出生日期无效"),
        ("applicant_phone", "1391234567", "请输入11位手机号码"),
        ("applicant_phone", "", "这个字段是必填项"),
        ("respondent_phone", "02312345678", "请输入11位手机号码"),
        ("title", "", "这个字段是必填项"),
    ],
)
def test_intake_errors_in_chinese_keep_the_input(
    field: str, value: str, message: str, cast: Any, world: Any, client_for: Any
) -> None:
    response = client_for(cast.dispatcher).post("/cases/new/", _intake(world, **{field: value}))
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert "两家房屋相邻，屋檐滴水。" in text
    assert 'value="东村3组"' in response.content.decode()
    assert not Case.objects.exists()


def test_intake_refuses_a_place_outside_the_scope(cast: Any, world: Any, client_for: Any) -> None:
    client = client_for(cast.mediator_east)
    options = client.get("/cases/new/").context["form"].fields["region"].queryset
    assert list(options) == [world.village_east]
    response = client.post("/cases/new/", _intake(world, region=world.village_south.pk))
    assert response.status_code == 400
    assert "选择一个有效的选项" in page_text(response)
    assert not Case.objects.exists()


def test_intake_future_occurrence_is_refused(cast: Any, world: Any, client_for: Any) -> None:
    later = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(cast.dispatcher).post("/cases/new/", _intake(world, occurred_at=later))
    assert response.status_code == 400
    assert "发生时间不能晚于当前时间" in page_text(response)


def test_court_clerk_intake_goes_to_the_platform_of_the_tribunal_township(
    cast: Any, world: Any, client_for: Any
) -> None:
    data = _intake(world, channel=IntakeChannel.COURT_PRE)
    response = client_for(cast.court_clerk).post("/cases/new/", data)
    case = Case.objects.get()
    assert case.platform == world.town_a_platform
    # The tribunal sent it (法院委派): the clerk goes on to the case, and can open it.
    assert case.source_org == world.tribunal_a
    assert response["Location"] == f"/cases/{case.pk}/"
    follow = client_for(cast.court_clerk).get(response["Location"])
    assert follow.status_code == 200


# --- Quick report -------------------------------------------------------------------------------


def test_grid_worker_reports_in_six_fields(
    grid_worker: Any, cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(grid_worker)
    form = client.get("/cases/report/").context["form"]
    assert form.initial["region"] == world.village_east.pk  # the one place is preselected
    response = client.post(
        "/cases/report/",
        {
            "category": "neighbour",
            "title": "两户因排水沟起争执",
            "region": world.village_east.pk,
            "applicant_name": "孙七",
            "applicant_phone": "13700001111",
            "respondent_name": "周八",
            "facts": "",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/cases/report/{case.pk}/"
    assert case.channel == IntakeChannel.GRID
    assert case.status == CaseStatus.REGISTERED
    assert case.platform == world.town_a_platform
    assert case.number.startswith(f"{world.town_a.code}-")
    done = client.get(response["Location"])
    assert case.number in page_text(done)
    # The township dispatcher is told.
    assert cast.dispatcher.notifications.filter(case=case).exists()


def test_quick_report_error_keeps_the_input(grid_worker: Any, world: Any, client_for: Any) -> None:
    response = client_for(grid_worker).post(
        "/cases/report/",
        {
            "category": "neighbour",
            "title": "两户因排水沟起争执",
            "region": world.village_east.pk,
            "applicant_name": "孙七",
            "applicant_phone": "1370000",
            "respondent_name": "周八",
        },
    )
    assert response.status_code == 400
    assert "请输入11位手机号码" in page_text(response)
    assert 'value="两户因排水沟起争执"' in response.content.decode()
    assert not Case.objects.exists()


# --- Navigation ---------------------------------------------------------------------------------


def test_navigation_shows_case_entries_by_permission(cast: Any, client_for: Any) -> None:
    mediator = page_text(client_for(cast.mediator_east).get("/"))
    for label in ("我的工作", "纠纷案件", "登记纠纷"):
        assert label in mediator
    leader = page_text(client_for(cast.leader).get("/"))
    assert "纠纷案件" in leader
    assert "登记纠纷" not in leader
    auditor = page_text(client_for(cast.auditor).get("/"))
    assert "纠纷案件" not in auditor
