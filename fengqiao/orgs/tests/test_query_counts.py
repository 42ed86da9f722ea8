"""Query-count ceilings: list pages cost the same number of queries for 3 rows as for 40+.

Each test measures a page on the small fixed world, grows the data well past a page's worth of
rows, and checks the count did not move and stays under a fixed ceiling (an N+1 fails both).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    kind,
    mediator,
    practical_training,
)
from fengqiao.regions.tests.factories import make_region

MANY = 40


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow_villages(world: Any, n: int = MANY, start: int = 0) -> None:
    """``n`` more villages in 甲镇, each with a committee of two women and a man, one full-time
    member with two specialties, two posts and a practical training."""
    specialties = (DisputeCategory.NEIGHBOUR, DisputeCategory.MARRIAGE_FAMILY)
    for i in range(start, start + n):
        village = make_region(f"330199001{100 + i:03d}", f"新村{i}", world.town_a, 1000)
        committee = OrganizationFactory(
            name=f"新村{i}人民调解委员会", kind=kind("committee_village"), region=village
        )
        lead = mediator(committee, name=f"新村{i}调解员", full_time=True, specialties=specialties)
        MembershipFactory(org=world.town_a_platform, person=lead, role=PersonRole.INVITED_MEDIATOR)
        practical_training(lead, date(2026, 4, 1))
        for j, gender in enumerate((Gender.FEMALE, Gender.FEMALE)):
            mediator(committee, name=f"新村{i}委员{j}", gender=gender, position="member")


@pytest.fixture
def leader(cast: Any, client_for: Any) -> Client:
    client: Client = client_for(cast.leader)
    return client


@pytest.mark.parametrize(
    ("url", "ceiling"),
    [
        ("/orgs/", 12),
        ("/orgs/roster/", 14),
        ("/orgs/reports/?report=composition", 12),
        ("/orgs/reports/?report=staffing", 12),
        ("/orgs/reports/?report=training&year=2026", 12),
        ("/orgs/reports/?report=coverage", 12),
        ("/regions/?code=330199001000", 12),
        ("/", 16),  # the leader lands on four month figures (web.selectors)
    ],
)
def test_list_pages_do_not_grow_with_rows(
    url: str,
    ceiling: int,
    world: Any,
    leader: Client,
    django_assert_max_num_queries: Any,
) -> None:
    # Every kind of row present once, so the baseline runs every query the page can make
    _grow_villages(world, 2)
    small = _queries(leader, url)
    _grow_villages(world, MANY, start=2)
    with django_assert_max_num_queries(ceiling):
        response = leader.get(url)
    assert response.status_code == 200
    assert _queries(leader, url) == small


def test_roster_page_holds_a_full_page_of_rows(world: Any, leader: Client) -> None:
    _grow_villages(world)
    response = leader.get("/orgs/roster/")
    rows = response.context["rows"]
    assert len(rows) == 30
    lead = next(r for r in rows if r.person.name == "新村0调解员")
    assert len(lead.memberships) == 2
    assert len(lead.specialties) == 2


@pytest.mark.parametrize(
    ("url", "ceiling"),
    [
        ("/orgs/reports/?report=composition&format=xlsx", 14),
        ("/orgs/reports/?report=training&year=2026&format=xlsx", 14),
        ("/orgs/reports/?report=coverage&format=xlsx", 14),
    ],
)
def test_exports_do_not_grow_with_rows(
    url: str, ceiling: int, world: Any, leader: Client, django_assert_max_num_queries: Any
) -> None:
    _grow_villages(world, 2)
    small = _queries(leader, url)
    _grow_villages(world, MANY, start=2)
    with django_assert_max_num_queries(ceiling):
        leader.get(url)
    assert _queries(leader, url) == small


def test_org_and_person_pages_do_not_grow_with_members(
    world: Any, leader: Client, django_assert_max_num_queries: Any
) -> None:
    org_url = f"/orgs/{world.committee_east.pk}/"
    person = world.mediator_east_person
    person_url = f"/orgs/people/{person.pk}/"
    small_org, small_person = _queries(leader, org_url), _queries(leader, person_url)
    for i in range(MANY):
        mediator(world.committee_east, name=f"东村委员{i}")
        practical_training(person, date(2026, 1, 1 + i % 28))
        MembershipFactory(org=world.county_platform, person=person, role=f"staff{i}"[:20])
    with django_assert_max_num_queries(14):
        leader.get(org_url)
    with django_assert_max_num_queries(16):
        leader.get(person_url)
    assert _queries(leader, org_url) == small_org
    assert _queries(leader, person_url) == small_person


def test_audit_log_does_not_grow_with_events(
    cast: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    auditor = client_for(cast.auditor)
    small = _queries(auditor, "/audit/")
    for i in range(60):
        audit_record(
            actor=cast.leader,
            event_type=EventType.DATA_EXPORTED,
            object_type="orgs.report",
            object_repr=f"报表{i}",
        )
    with django_assert_max_num_queries(12):
        response = auditor.get("/audit/")
    assert len(response.context["page_obj"].object_list) == 50
    assert _queries(auditor, "/audit/") == small


def test_user_and_role_pages_do_not_grow(
    cast: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    from fengqiao.accounts.tests.factories import UserFactory

    sysadmin, secadmin = client_for(cast.system_admin), client_for(cast.security_admin)
    small_users = _queries(sysadmin, "/accounts/users/")
    small_roles = _queries(secadmin, "/accounts/roles/")
    small_detail = _queries(secadmin, f"/accounts/users/{cast.leader.pk}/")
    UserFactory.create_batch(MANY)
    with django_assert_max_num_queries(12):
        sysadmin.get("/accounts/users/")
    assert _queries(sysadmin, "/accounts/users/") == small_users
    assert _queries(secadmin, "/accounts/roles/") == small_roles
    assert _queries(secadmin, f"/accounts/users/{cast.leader.pk}/") == small_detail
