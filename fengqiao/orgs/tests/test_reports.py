"""The 队伍建设 report functions, called directly: scope per cast member and the rules checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fengqiao.core.choices import Gender
from fengqiao.orgs.choices import PersonRole, Position, TrainingKind
from fengqiao.orgs.reports import (
    committee_composition,
    full_time_staffing,
    mediator_training,
    report_for_user,
)
from fengqiao.orgs.tests.factories import (
    MembershipFactory,
    mediator,
    practical_training,
)

TOWN_A_COMMITTEES = {"甲镇人民调解委员会", "东村人民调解委员会", "西村人民调解委员会"}
COMMITTEES = TOWN_A_COMMITTEES | {
    "乙镇人民调解委员会",
    "南村人民调解委员会",
    "测试区医疗纠纷人民调解委员会",
}
# The dispatched rooms (驻庭、驻所) have staffing minimums but no committee posts.
TOWN_A_ROOMS = {"甲镇人民法庭驻庭人民调解工作室", "甲镇派出所驻所人民调解工作室"}
REPORT_SCOPE = {
    "mediator_east": set(),
    "mediator_west": set(),
    "dispatcher": TOWN_A_COMMITTEES,
    "court_clerk": set(),
    "leader": COMMITTEES,
    "system_admin": set(),
    "security_admin": set(),
    "auditor": set(),
    "citizen": set(),
    "outsider": set(),
    "justice_officer": TOWN_A_COMMITTEES,
    "grid_worker": set(),
}
STAFFING_SCOPE = {
    who: names | (TOWN_A_ROOMS if names else set()) for who, names in REPORT_SCOPE.items()
}
TOWN_A_MEDIATORS = {"东村调解员", "西村调解员", "驻庭调解员"}
TRAINING_SCOPE = {
    **{who: set() for who in REPORT_SCOPE},
    "dispatcher": TOWN_A_MEDIATORS,
    "justice_officer": TOWN_A_MEDIATORS,
    "leader": TOWN_A_MEDIATORS | {"南村调解员", "医调委调解员"},
}


@pytest.mark.parametrize(("who", "expected"), REPORT_SCOPE.items())
def test_committee_composition_scope(who: str, expected: set[str], cast: Any) -> None:
    assert {r.org.name for r in committee_composition(getattr(cast, who))} == expected


@pytest.mark.parametrize(("who", "expected"), STAFFING_SCOPE.items())
def test_full_time_staffing_scope(who: str, expected: set[str], cast: Any) -> None:
    assert {r.org.name for r in full_time_staffing(getattr(cast, who))} == expected


@pytest.mark.parametrize(("who", "expected"), TRAINING_SCOPE.items())
def test_mediator_training_scope(who: str, expected: set[str], cast: Any) -> None:
    rows = mediator_training(getattr(cast, who), year=2026)
    assert {r.person.name for r in rows} == expected


def test_composition_counts_committee_posts_and_women(cast: Any, world: Any) -> None:
    # Given 西村: a director (the fixture), two members, one a woman, and a grid worker
    for name, gender in (("委员甲", Gender.MALE), ("委员乙", Gender.FEMALE)):
        mediator(world.committee_west, name=name, gender=gender, position=Position.MEMBER)
    mediator(world.committee_west, name="网格员", gender=Gender.FEMALE, position=Position.STAFF)
    rows = {r.org.name: r for r in committee_composition(cast.leader)}
    west = rows["西村人民调解委员会"]
    # then the grid worker (not a committee post) is not counted
    assert (west.members, west.women, west.problems) == (3, 1, [])
    assert rows["南村人民调解委员会"].problems == ["委员少于3人", "无妇女成员"]
    short = {r.org.name for r in committee_composition(cast.leader, only_short=True)}
    assert short == {
        "东村人民调解委员会",
        "南村人民调解委员会",
        "甲镇人民调解委员会",
        "乙镇人民调解委员会",
        "测试区医疗纠纷人民调解委员会",
    }


def test_composition_flags_more_than_nine_members(cast: Any, world: Any) -> None:
    for i in range(9):
        mediator(world.committee_east, name=f"委员{i}", gender=Gender.FEMALE, position="member")
    rows = {r.org.name: r for r in committee_composition(cast.dispatcher)}
    assert rows["东村人民调解委员会"].members == 10
    assert rows["东村人民调解委员会"].problems == ["委员多于9人"]


def test_ended_membership_does_not_count(cast: Any, world: Any) -> None:
    membership = world.mediator_east_person.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    rows = {r.org.name: r for r in committee_composition(cast.dispatcher)}
    assert rows["东村人民调解委员会"].members == 0
    staffing = {r.org.name: r for r in full_time_staffing(cast.dispatcher)}
    assert staffing["东村人民调解委员会"].shortfall == 1


def test_staffing_uses_the_minimum_of_each_kind(cast: Any, world: Any) -> None:
    # Given 甲镇's committee (≥2 full-time) with one full-time and one part-time mediator
    town = world.committee_town_a
    mediator(town, name="专职甲", full_time=True)
    mediator(town, name="兼职乙", full_time=False)
    # and a tribunal, which has no minimum
    rows = {r.org.name: r for r in full_time_staffing(cast.dispatcher)}
    assert (rows["甲镇人民调解委员会"].required, rows["甲镇人民调解委员会"].full_time) == (2, 1)
    assert rows["甲镇人民调解委员会"].shortfall == 1
    assert "甲镇人民法庭" not in rows
    short = [r.org.name for r in full_time_staffing(cast.dispatcher, only_short=True)]
    # (the two rooms, ≥2 full-time each, have one and none)
    assert set(short) == {"甲镇人民调解委员会", *TOWN_A_ROOMS}


def test_staffing_counts_a_full_time_person_once(cast: Any, world: Any) -> None:
    # A full-time mediator who is also the committee's liaison (two roles) counts once
    MembershipFactory(
        org=world.committee_east,
        person=world.mediator_east_person,
        role=PersonRole.STAFF,
        is_full_time=True,
    )
    rows = {r.org.name: r for r in full_time_staffing(cast.dispatcher)}
    assert rows["东村人民调解委员会"].full_time == 1


def test_training_counts_practical_sessions_of_the_year(cast: Any, world: Any) -> None:
    east, west = world.mediator_east_person, world.mediator_west_person
    practical_training(east, date(2026, 3, 1))
    practical_training(east, date(2026, 9, 1))
    practical_training(east, date(2025, 12, 31))  # another year
    practical_training(west, date(2026, 5, 1), kind=TrainingKind.ONLINE)  # not practical
    rows = {r.person.name: r for r in mediator_training(cast.dispatcher, year=2026)}
    assert rows["东村调解员"].practical == 2
    assert rows["西村调解员"].practical == 0
    assert rows["东村调解员"].org_names == "东村人民调解委员会"
    short = mediator_training(cast.dispatcher, year=2026, only_short=True)
    assert {r.person.name for r in short} == {"西村调解员", "驻庭调解员"}
    last_year = {r.person.name: r.practical for r in mediator_training(cast.leader, year=2025)}
    assert last_year == {
        "东村调解员": 1,
        "西村调解员": 0,
        "南村调解员": 0,
        "驻庭调解员": 0,
        "医调委调解员": 0,
    }


def test_training_names_only_the_orgs_in_scope(cast: Any, world: Any) -> None:
    # 东村's mediator also mediates for 南村's committee, which the dispatcher cannot see
    MembershipFactory(org=world.committee_south, person=world.mediator_east_person)
    rows = {r.person.name: r for r in mediator_training(cast.dispatcher, year=2026)}
    assert rows["东村调解员"].org_names == "东村人民调解委员会"
    everywhere = {r.person.name: r for r in mediator_training(cast.leader, year=2026)}
    assert everywhere["东村调解员"].org_names == "东村人民调解委员会、南村人民调解委员会"


@pytest.mark.parametrize(
    ("kind_", "expected_kind"),
    [
        ("composition", "composition"),
        ("staffing", "staffing"),
        ("training", "training"),
        ("", "composition"),
        ("bogus", "composition"),
    ],
)
def test_report_for_user_dispatches_on_kind(
    kind_: str, expected_kind: str, cast: Any, world: Any
) -> None:
    report = report_for_user(cast.dispatcher, kind=kind_, year=2026)
    assert report.kind == expected_kind
    # 甲镇: three committees, and the two rooms in the staffing report; three mediators.
    assert len(report.rows) == {"composition": 3, "staffing": 5, "training": 3}[expected_kind]
    assert report.title
