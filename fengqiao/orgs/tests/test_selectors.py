"""The org and roster selectors, called directly, against the fixed cast."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from fengqiao.core.choices import DisputeCategory
from fengqiao.orgs.choices import MediatorGrade, PersonRole
from fengqiao.orgs.models import MediatorProfile
from fengqiao.orgs.selectors import (
    org_get_for_user,
    org_list_for_user,
    person_get_for_user,
    roster_for_user,
)
from fengqiao.orgs.tests.factories import OrganizationFactory, kind, mediator

TOWN_A_ORGS = {
    "甲镇平安办",
    "甲镇人民法庭",
    "甲镇司法所",
    "甲镇人民调解委员会",
    "甲镇人民法庭驻庭人民调解工作室",
    "测试区公安分局甲镇派出所",
    "甲镇派出所驻所人民调解工作室",
    "东村人民调解委员会",
    "西村人民调解委员会",
}
ALL_ORGS = TOWN_A_ORGS | {
    "测试区综治中心",
    "测试区司法局",
    "测试区人民法院",
    "测试区公安分局",
    "测试区医疗纠纷人民调解委员会",
    "乙镇平安办",
    "乙镇司法所",
    "乙镇人民调解委员会",
    "南村人民调解委员会",
}

ORG_SCOPE = {
    "mediator_east": {"东村人民调解委员会"},
    "mediator_west": {"西村人民调解委员会"},
    "dispatcher": TOWN_A_ORGS,
    "court_clerk": {"甲镇人民法庭"},
    "leader": ALL_ORGS,
    "system_admin": ALL_ORGS,
    "security_admin": set(),
    "auditor": set(),
    "citizen": set(),
    "outsider": set(),
    "justice_officer": TOWN_A_ORGS,
    "judge": {"甲镇人民法庭"},
    "police": {"测试区公安分局甲镇派出所"},
    # A mediator's role reaches the region of their org: the tribunal's room sits in 甲镇.
    "room_mediator": TOWN_A_ORGS,
    "grid_worker": {"东村人民调解委员会"},
}

ROSTER_SCOPE = {
    "mediator_east": {"东村调解员"},
    "mediator_west": {"西村调解员"},
    "dispatcher": {"东村调解员", "西村调解员", "驻庭调解员"},
    "court_clerk": set(),
    "leader": {"东村调解员", "西村调解员", "南村调解员", "驻庭调解员", "医调委调解员"},
    "system_admin": {"东村调解员", "西村调解员", "南村调解员", "驻庭调解员", "医调委调解员"},
    "security_admin": set(),
    "auditor": set(),
    "citizen": set(),
    "outsider": set(),
    "justice_officer": {"东村调解员", "西村调解员", "驻庭调解员"},
    "room_mediator": {"东村调解员", "西村调解员", "驻庭调解员"},
    # The county's industry committee: the county's roster.
    "industry_mediator": {"东村调解员", "西村调解员", "南村调解员", "驻庭调解员", "医调委调解员"},
}


@pytest.mark.parametrize(("who", "expected"), ORG_SCOPE.items())
def test_org_list_for_user(who: str, expected: set[str], cast: Any) -> None:
    names = set(org_list_for_user(getattr(cast, who)).values_list("name", flat=True))
    assert names == expected


@pytest.mark.parametrize(("who", "expected"), ORG_SCOPE.items())
def test_org_get_for_user_matches_the_list(
    who: str, expected: set[str], cast: Any, world: Any
) -> None:
    user = getattr(cast, who)
    for org in (world.committee_east, world.committee_south, world.tribunal_a):
        if org.name in expected:
            assert org_get_for_user(user, org.pk) == org
        else:
            with pytest.raises(Http404):
                org_get_for_user(user, org.pk)


@pytest.mark.parametrize(("who", "expected"), ROSTER_SCOPE.items())
def test_roster_for_user(who: str, expected: set[str], cast: Any) -> None:
    names = set(roster_for_user(getattr(cast, who)).values_list("name", flat=True))
    assert names == expected


@pytest.mark.parametrize(("who", "expected"), ROSTER_SCOPE.items())
def test_person_get_for_user_matches_the_roster(
    who: str, expected: set[str], cast: Any, world: Any
) -> None:
    user = getattr(cast, who)
    for person in (
        world.mediator_east_person,
        world.mediator_west_person,
        world.mediator_south_person,
    ):
        if person.name in expected:
            assert person_get_for_user(user, person.pk) == person
        else:
            with pytest.raises(Http404):
                person_get_for_user(user, person.pk)


def test_court_clerk_sees_the_people_of_its_own_court(cast: Any, world: Any) -> None:
    judge = mediator(
        world.tribunal_a, name="特邀调解员甲", role=PersonRole.INVITED_MEDIATOR, profile=False
    )
    assert set(roster_for_user(cast.court_clerk)) == {judge}
    assert person_get_for_user(cast.court_clerk, judge.pk) == judge
    # The tribunal's people are in 甲镇: the dispatcher sees them, the village mediators do not.
    assert judge in roster_for_user(cast.dispatcher)
    assert judge not in roster_for_user(cast.mediator_east)


def test_a_person_on_the_roster_can_always_be_opened(cast: Any, world: Any) -> None:
    # Given a mediator who lives in 南村 (乙镇) but serves on 东村's committee (甲镇)
    commuter = mediator(world.committee_east, name="跨村调解员", region=world.village_south)
    # then everyone whose roster lists them can open their page
    for user in (cast.mediator_east, cast.dispatcher, cast.leader):
        assert commuter in roster_for_user(user)
        assert person_get_for_user(user, commuter.pk) == commuter
    # and 西村's mediator still cannot
    assert commuter not in roster_for_user(cast.mediator_west)
    with pytest.raises(Http404):
        person_get_for_user(cast.mediator_west, commuter.pk)


def test_roster_drops_people_whose_membership_ended(cast: Any, world: Any) -> None:
    membership = world.mediator_east_person.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    assert world.mediator_east_person not in roster_for_user(cast.mediator_east)
    assert world.mediator_east_person not in roster_for_user(cast.leader)


def test_roster_lists_only_mediator_roles(cast: Any, world: Any) -> None:
    mediator(world.committee_east, name="网格员甲", role=PersonRole.GRID_WORKER)
    expert = mediator(world.committee_east, name="调解专家甲", role=PersonRole.EXPERT)
    names = set(roster_for_user(cast.mediator_east).values_list("name", flat=True))
    assert names == {"东村调解员", "调解专家甲"}
    only_experts = roster_for_user(cast.mediator_east, role=PersonRole.EXPERT)
    assert list(only_experts) == [expert]


def test_roster_filters_stay_inside_the_scope(cast: Any, world: Any) -> None:
    family = mediator(
        world.committee_west,
        name="婚姻家庭调解员",
        specialties=(DisputeCategory.MARRIAGE_FAMILY,),
    )
    MediatorProfile.objects.filter(person=family).update(grade=MediatorGrade.SENIOR)
    by_specialty = roster_for_user(cast.leader, specialty=DisputeCategory.MARRIAGE_FAMILY)
    assert list(by_specialty) == [family]
    assert list(roster_for_user(cast.leader, grade=MediatorGrade.SENIOR)) == [family]
    assert list(roster_for_user(cast.leader, query="婚姻")) == [family]
    in_west = set(roster_for_user(cast.leader, region=world.village_west))
    assert in_west == {world.mediator_west_person, family}
    # A filter never widens the scope: 东村's mediator asking for 西村 gets nothing.
    assert list(roster_for_user(cast.mediator_east, region=world.village_west)) == []
    assert list(roster_for_user(cast.mediator_east, query="婚姻")) == []


def test_org_list_filters_stay_inside_the_scope(cast: Any, world: Any) -> None:
    OrganizationFactory(name="东村妇联", kind=kind("mass_org"), region=world.village_east)
    east = org_list_for_user(cast.mediator_east, kind="mass_org")
    assert list(east.values_list("name", flat=True)) == ["东村妇联"]
    assert list(org_list_for_user(cast.mediator_west, kind="mass_org")) == []
    assert set(
        org_list_for_user(cast.dispatcher, region=world.village_west).values_list("name", flat=True)
    ) == {"西村人民调解委员会"}
    assert list(org_list_for_user(cast.mediator_east, region=world.village_west)) == []
    villages = org_list_for_user(cast.leader, query="村人民调解")
    assert set(villages.values_list("name", flat=True)) == {
        f"{v}人民调解委员会" for v in ("东村", "西村", "南村")
    }


def test_inactive_or_unknown_users_see_nothing(cast: Any) -> None:
    cast.leader.is_active = False
    cast.leader.save()
    assert list(org_list_for_user(cast.leader)) == []
    assert list(roster_for_user(cast.leader)) == []
