"""The org, roster, person and report pages beyond the status matrix: what they show, to whom,
and what seeing personal data or exporting leaves in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from fengqiao.accounts.choices import DataScope
from fengqiao.accounts.models import Role, RoleGrant
from fengqiao.accounts.tests.factories import UserFactory
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.orgs.choices import MediatorGrade, PersonRole
from fengqiao.orgs.models import MediatorProfile, Person
from fengqiao.orgs.tests.factories import mediator
from fengqiao.web.tests.html import names_in, page_text, table_text, xlsx_text

ID_NUMBER = "330102198001011234"
PHONE = "13812345678"


def _role(code: str, scope: str, perms: list[str]) -> Role:
    role = Role.objects.create(code=code, name=code, scope=scope)
    for perm in perms:
        app_label, codename = perm.split(".")
        role.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return role


@pytest.fixture
def with_personal_data(world: Any) -> Person:
    person = world.mediator_east_person
    person.id_number, person.phone = ID_NUMBER, PHONE
    person.save()
    west = world.mediator_west_person
    west.id_number, west.phone = "330102198001015678", "13900001111"
    west.save()
    return person


# --- Roster -------------------------------------------------------------------------------------


def test_roster_shows_people_with_and_without_a_mediator_profile(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given an invited mediator with no profile and a graded one with two specialties
    mediator(
        world.committee_east, name="无档案调解员", role=PersonRole.INVITED_MEDIATOR, profile=False
    )
    graded = mediator(
        world.committee_east,
        name="有档案调解员",
        specialties=(DisputeCategory.NEIGHBOUR, DisputeCategory.MARRIAGE_FAMILY),
    )
    MediatorProfile.objects.filter(person=graded).update(
        grade=MediatorGrade.SENIOR, stars=4, studio_name="老娘舅工作室"
    )
    # when 东村's mediator opens the roster
    response = client_for(cast.mediator_east).get("/orgs/roster/")
    # then both are listed, with the profile's details where there is one
    assert response.status_code == 200
    roster = table_text(response, "roster")
    assert "无档案调解员" in roster
    assert "婚姻家庭" in roster
    assert "邻里" in roster
    assert "高级人民调解员" in roster
    assert "4★" in roster
    assert "老娘舅工作室" in roster
    row = response.context["rows"]
    by_name = {r.person.name: r for r in row}
    assert by_name["无档案调解员"].profile is None
    assert by_name["无档案调解员"].specialties == []


def test_roster_masks_phone_numbers(cast: Any, with_personal_data: Person, client_for: Any) -> None:
    roster = table_text(client_for(cast.mediator_east).get("/orgs/roster/"), "roster")
    assert "138****5678" in roster
    assert PHONE not in roster


def test_roster_region_filter_outside_the_scope_is_ignored(
    cast: Any, world: Any, client_for: Any
) -> None:
    url = f"/orgs/roster/?region={world.village_south.code}"
    response = client_for(cast.mediator_east).get(url)
    assert response.context["region"] is None
    assert names_in(table_text(response, "roster"), ["东村调解员", "南村调解员"]) == {"东村调解员"}


def test_roster_region_filter_narrows_within_the_scope(
    cast: Any, world: Any, client_for: Any
) -> None:
    url = f"/orgs/roster/?region={world.village_west.code}"
    roster = table_text(client_for(cast.dispatcher).get(url), "roster")
    assert names_in(roster, ["东村调解员", "西村调解员"]) == {"西村调解员"}


def test_roster_ignores_an_unknown_role_filter(cast: Any, client_for: Any) -> None:
    response = client_for(cast.leader).get("/orgs/roster/?role=judge")
    assert response.status_code == 200
    # (the county's five mediators: three villages, the tribunal's room, the industry committee)
    assert len(response.context["rows"]) == 5


def test_everyone_the_roster_lists_can_be_opened(cast: Any, world: Any, client_for: Any) -> None:
    # A mediator living in 南村 (乙镇) but serving on 东村's committee
    commuter = mediator(world.committee_east, name="跨镇调解员", region=world.village_south)
    client = client_for(cast.dispatcher)
    assert "跨镇调解员" in table_text(client.get("/orgs/roster/"), "roster")
    assert client.get(f"/orgs/people/{commuter.pk}/").status_code == 200
    assert client_for(cast.mediator_west).get(f"/orgs/people/{commuter.pk}/").status_code == 404


# --- Org and person pages -------------------------------------------------------------------


def test_org_detail_lists_current_members_only(cast: Any, world: Any, client_for: Any) -> None:
    left = mediator(world.committee_east, name="已离任调解员")
    membership = left.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    response = client_for(cast.mediator_east).get(f"/orgs/{world.committee_east.pk}/")
    members = table_text(response, "org-members")
    assert "东村调解员" in members
    assert "已离任调解员" not in members


def test_org_list_counts_current_members(cast: Any, world: Any, client_for: Any) -> None:
    mediator(world.committee_east, name="调解员乙")
    response = client_for(cast.mediator_east).get("/orgs/")
    (org,) = response.context["page_obj"].object_list
    assert org.member_count == 2


def test_person_detail_masks_personal_data(
    cast: Any, with_personal_data: Person, client_for: Any
) -> None:
    response = client_for(cast.leader).get(f"/orgs/people/{with_personal_data.pk}/")
    text = page_text(response)
    assert "330***********1234" in text
    assert "138****5678" in text
    assert ID_NUMBER not in text
    assert PHONE not in text
    # No role of the cast may reveal them, so the button is not offered
    assert "查看完整证件号和手机号" not in text


def test_person_detail_of_someone_without_a_profile(cast: Any, world: Any, client_for: Any) -> None:
    plain = mediator(world.committee_east, name="无档案调解员", profile=False)
    response = client_for(cast.mediator_east).get(f"/orgs/people/{plain.pk}/")
    assert response.status_code == 200
    assert "调解员档案" not in page_text(response)


# --- Revealing personal data ----------------------------------------------------------------


def test_reveal_shows_full_data_in_scope_and_is_audited(
    world: Any, with_personal_data: Person, client_for: Any
) -> None:
    # Given a 司法所 officer whose role may see personal data in 甲镇
    viewer = UserFactory(username="justice")
    role = _role("pd_viewer", DataScope.REGION, ["orgs.view_person", "orgs.view_personal_data"])
    RoleGrant.objects.create(user=viewer, role=role, org=world.town_a_platform)
    client = client_for(viewer)
    # the detail page offers the reveal button
    detail = client.get(f"/orgs/people/{with_personal_data.pk}/")
    assert "查看完整证件号和手机号" in page_text(detail)
    # when they reveal a person in scope
    response = client.post(f"/orgs/people/{with_personal_data.pk}/reveal/")
    # then the full numbers are shown and the viewing is audited
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    assert PHONE in response.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert event.actor == viewer
    assert event.object_id == str(with_personal_data.pk)
    # and the log itself holds no personal data
    assert ID_NUMBER not in str(event.before) + str(event.after) + event.object_repr
    # a person out of scope stays hidden, and nothing is audited for it
    south = world.mediator_south_person
    assert client.post(f"/orgs/people/{south.pk}/reveal/").status_code == 404
    assert AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count() == 1


def test_reveal_is_limited_to_the_scope_of_the_personal_data_permission(
    world: Any, with_personal_data: Person, client_for: Any
) -> None:
    # Given a user who sees 甲镇's people but personal data only within 东村's committee
    viewer = UserFactory(username="narrow")
    wide = _role("people_town", DataScope.REGION, ["orgs.view_person"])
    narrow = _role("pd_committee", DataScope.ORG, ["orgs.view_personal_data"])
    RoleGrant.objects.create(user=viewer, role=wide, org=world.town_a_platform)
    RoleGrant.objects.create(user=viewer, role=narrow, org=world.committee_east)
    client = client_for(viewer)
    # 西村's mediator can be opened but not revealed
    west = world.mediator_west_person
    assert client.get(f"/orgs/people/{west.pk}/").status_code == 200
    assert client.post(f"/orgs/people/{west.pk}/reveal/").status_code == 404
    # 东村's can
    assert client.post(f"/orgs/people/{with_personal_data.pk}/reveal/").status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count() == 1


def test_reveal_needs_a_post(cast: Any, world: Any, client_for: Any) -> None:
    url = f"/orgs/people/{world.mediator_east_person.pk}/reveal/"
    assert client_for(cast.leader).get(url).status_code == 405


# --- Reports ------------------------------------------------------------------------------------


def test_report_flags_committees_that_fall_short(cast: Any, world: Any, client_for: Any) -> None:
    # Given 西村's committee with three members including a woman
    mediator(world.committee_west, name="西村委员甲", position="member")
    mediator(world.committee_west, name="西村委员乙", position="member", gender=Gender.FEMALE)
    response = client_for(cast.dispatcher).get("/orgs/reports/?report=composition")
    rows = {r.org.name: r for r in response.context["rows"]}
    assert rows["西村人民调解委员会"].problems == []
    assert rows["东村人民调解委员会"].problems == ["委员少于3人", "无妇女成员"]
    # only the ones that fall short
    short = client_for(cast.dispatcher).get("/orgs/reports/?report=composition&short=1")
    # (甲镇's own committee has no members yet)
    assert [r.org.name for r in short.context["rows"]] == [
        "甲镇人民调解委员会",
        "东村人民调解委员会",
    ]


@pytest.mark.parametrize("year", ["abc", "99999", "-1", ""])
def test_report_with_a_bad_year_falls_back_to_this_year(
    year: str, cast: Any, client_for: Any
) -> None:
    response = client_for(cast.leader).get(f"/orgs/reports/?report=training&year={year}")
    assert response.status_code == 200
    assert response.context["year"] >= 2024


def test_unknown_report_falls_back_to_composition(cast: Any, client_for: Any) -> None:
    response = client_for(cast.leader).get("/orgs/reports/?report=nope")
    assert response.status_code == 200
    assert response.context["kind"] == "composition"


def test_export_is_watermarked_and_audited(cast: Any, client_for: Any) -> None:
    response = client_for(cast.dispatcher).get("/orgs/reports/?report=staffing&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="staffing-')
    text = xlsx_text(response)
    assert f"导出人：{cast.dispatcher.display_name}" in text
    event = AuditEvent.objects.get(event_type=EventType.DATA_EXPORTED)
    assert event.actor == cast.dispatcher
    assert event.object_id == "staffing"
    # (甲镇's three committees and two rooms)
    assert event.after["rows"] == 5


def test_export_needs_the_export_permission(cast: Any, world: Any, client_for: Any) -> None:
    # Given a role that may read the reports but not export them
    reader = UserFactory(username="reader")
    role = _role("report_reader", DataScope.REGION, ["orgs.view_reports"])
    RoleGrant.objects.create(user=reader, role=role, org=world.county_platform)
    client = client_for(reader)
    page = client.get("/orgs/reports/")
    assert page.status_code == 200
    assert "导出 Excel" not in page_text(page)
    assert client.get("/orgs/reports/?format=xlsx").status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.DATA_EXPORTED).exists()
