"""seed_demo / demo_accounts: a deterministic fictional county with planted shortfalls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.demo.accounts import DEMO_ACCOUNTS, DEMO_USERNAMES
from fengqiao.demo.data import COUNTY_CODE, DEMO_PASSWORD, DemoSize, id_check_digit
from fengqiao.demo.plan import demo_plan
from fengqiao.demo.planning import DemoPlan
from fengqiao.demo.seed import demo_seed
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case
from fengqiao.disputes.queues import TO_DISPATCH, queue_cases
from fengqiao.orgs import reports
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.models import Membership, Organization, Person
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.regions.tests.factories import make_region

SMALL = DemoSize(townships=3, villages_per_township=4, grids_per_village=2)


def snapshot() -> dict[str, list[str]]:
    return {
        "regions": list(Region.objects.order_by("code").values_list("name", flat=True)),
        "orgs": sorted(Organization.objects.values_list("name", flat=True)),
        "people": sorted(Person.objects.values_list("name", flat=True)),
        # Decrypted by the field: the same seed gives the same ID numbers.
        "id_numbers": sorted(p.id_number for p in Person.objects.all()),
    }


def login(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


# -- the plan (no database) ---------------------------------------------------------------------


def test_plan_depends_on_the_seed_only_not_on_today() -> None:
    first = demo_plan(seed=5, today=date(2026, 1, 1), size=SMALL)
    later = demo_plan(seed=5, today=date(2027, 9, 30), size=SMALL)
    other = demo_plan(seed=6, today=date(2026, 1, 1), size=SMALL)

    def names(plan: DemoPlan) -> tuple[list[str], list[str], list[str]]:
        return (
            [r.name for r in plan.regions],
            [o.name for o in plan.orgs],
            [f"{p.name}{p.id_number}{p.phone}" for p in plan.people],
        )

    assert names(first) == names(later)
    assert names(first) != names(other)
    # Dates move with today and never lie in the future.
    assert all(t.held_on <= date(2026, 1, 1) for p in first.people for t in p.trainings), (
        "training in the future"
    )


def test_plan_makes_well_formed_fictional_id_numbers_and_phones() -> None:
    plan = demo_plan(seed=3, today=date(2026, 6, 1))
    ids = [p.id_number for p in plan.people]
    phones = [p.phone for p in plan.people]
    assert len(set(ids)) == len(ids)
    assert len(set(phones)) == len(phones)
    for person in plan.people:
        number = person.id_number
        assert len(number) == 18
        assert number.startswith("990102")
        assert number[17] == id_check_digit(number[:17])
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert born.year == person.birth_year
        assert 1950 <= born.year <= 2000
        assert (int(number[16]) % 2 == 1) == (person.gender == "M")
        assert len(person.phone) == 11
        assert person.phone.isdigit()
        assert person.phone.startswith("1")


def test_full_county_has_the_planned_shape() -> None:
    plan = demo_plan(today=date(2026, 6, 1))
    levels = [len(r.code) for r in plan.regions]
    grids = [r for r in plan.regions if len(r.code) == 15]
    villages = [r for r in plan.regions if len(r.code) == 12 and not r.code.endswith("000")]
    assert levels.count(15) == 400
    assert len(villages) == 80
    assert all(g.code[:12] in {v.code for v in villages} for g in grids)
    kinds = [o.kind for o in plan.orgs]
    assert kinds.count("committee_village") == 80
    assert kinds.count("tribunal") == 4
    assert kinds.count("committee_industry") == 5
    roles = [m.role for p in plan.people for m in p.memberships]
    assert roles.count(PersonRole.GRID_WORKER) >= 80
    assert roles.count(PersonRole.MEDIATOR) >= 300


# -- seeding an empty database --------------------------------------------------------------------


@pytest.fixture
def empty(db: None) -> None:
    """A database without the demo county (so these tests cannot pass by finding one)."""
    assert not Region.objects.filter(code=COUNTY_CODE).exists()


def test_running_again_never_duplicates(empty: None) -> None:
    call_command("seed_demo", "--if-empty", "--small", stdout=StringIO())
    before = snapshot()
    cases = Case.objects.count()
    out = StringIO()

    call_command("seed_demo", "--if-empty", "--small", stdout=out)
    with pytest.raises(CommandError, match="已存在"):
        call_command("seed_demo", "--small", stdout=StringIO())

    assert "已存在" in out.getvalue()
    assert snapshot() == before
    # The demo cases come with the county, once.
    assert Case.objects.count() == cases
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_if_empty_leaves_a_database_with_its_own_regions_alone(empty: None) -> None:
    make_region("330199000000", "真实区")
    out = StringIO()

    call_command("seed_demo", "--if-empty", "--small", stdout=out)

    assert "已有行政区划" in out.getvalue()
    assert not Region.objects.filter(code=COUNTY_CODE).exists()


# -- what the demo shows ----------------------------------------------------------------------


def test_demo_accounts_prints_nothing_without_the_demo(empty: None) -> None:
    out = StringIO()

    call_command("demo_accounts", stdout=out)

    assert out.getvalue() == ""


# -- what the demo shows --------------------------------------------------------------------------


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoPlan]:
    """One small demo county, seeded once for a test class and rolled back after it (each
    test still runs in its own transaction inside that one)."""
    today = timezone.localdate()
    with django_db_blocker.unblock(), transaction.atomic():
        demo_seed(seed=11, today=today, size=SMALL)
        yield demo_plan(seed=11, today=today, size=SMALL)
        transaction.set_rollback(True)


class TestDemoCounty:
    """Read-only checks against the seeded demo county."""

    @pytest.fixture
    def demo(self, seeded: DemoPlan, db: None) -> DemoPlan:
        return seeded

    def test_the_database_holds_exactly_the_plan_of_the_seed(self, demo: DemoPlan) -> None:
        # With test_plan_depends_on_the_seed_only_not_on_today: the same seed, the same county.
        written = snapshot()

        assert written["regions"] == [r.name for r in sorted(demo.regions, key=lambda r: r.code)]
        assert written["orgs"] == sorted(o.name for o in demo.orgs)
        assert written["people"] == sorted(p.name for p in demo.people)
        assert written["id_numbers"] == sorted(p.id_number for p in demo.people)

    def test_reports_show_each_planted_shortfall(self, demo: DemoPlan) -> None:
        leader = User.objects.get(username="leader")
        plants = demo.plants

        composition = {r.org.name: r.problems for r in reports.committee_composition(leader)}
        short = {r.org.name for r in reports.committee_composition(leader, only_short=True)}
        staffing = {r.org.name: r for r in reports.full_time_staffing(leader, only_short=True)}
        untrained = reports.mediator_training(
            leader, year=timezone.localdate().year, only_short=True
        )

        assert short == {*plants.too_few_members, *plants.no_woman, *plants.too_many_members}
        for name in plants.too_few_members:
            assert "委员少于3人" in composition[name]
        for name in plants.too_many_members:
            assert "委员多于9人" in composition[name]
        for name in plants.no_woman:
            assert "无妇女成员" in composition[name]
        assert set(staffing) == set(plants.short_full_time)
        assert {r.org.kind.code for r in staffing.values()} == {
            "committee_village",
            "committee_township",
            "room_police",
            "committee_industry",
        }
        names = {p.key: p.name for p in demo.people}
        assert {r.person.name for r in untrained} == {names[key] for key in plants.untrained}
        everyone = reports.mediator_training(leader, year=timezone.localdate().year)
        assert 0.05 <= len(untrained) / len(everyone) <= 0.15

    def test_every_demo_account_logs_in_through_the_login_page(self, demo: DemoPlan) -> None:
        for username in DEMO_USERNAMES:
            client = login(username)
            assert client.get("/").status_code == 200, username

    def test_village_mediator_roster_lists_only_their_village(self, demo: DemoPlan) -> None:
        mediator = User.objects.get(username="mediator")
        village = mediator.role_grants.get().org
        assert village is not None
        assert mediator.person.memberships.filter(org=village).exists()

        response = login("mediator").get("/orgs/roster/")
        leader_response = login("leader").get("/orgs/roster/")

        assert response.status_code == 200
        listed = list(response.context["page_obj"].paginator.object_list)
        assert listed
        assert all(p.region.path.startswith(village.region.path) for p in listed)
        own = Membership.objects.filter(org=village, role=PersonRole.MEDIATOR).count()
        assert len(listed) == own
        other_village = User.objects.get(username="mediator2").person
        assert other_village not in listed
        assert leader_response.context["page_obj"].paginator.count > 10 * len(listed)

    def test_demo_accounts_prints_every_account_it_created(self, demo: DemoPlan) -> None:
        out = StringIO()

        call_command("demo_accounts", stdout=out)

        lines = out.getvalue().splitlines()
        # Exactly the logins of DEMO_ACCOUNTS were created, and each has its line: role,
        # username, password, org. The roster's other mediators have accounts no one can log
        # in to (the mediators of record of the simulated history).
        assert set(_logins()) == set(DEMO_USERNAMES)
        roster = User.objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        assert roster.count() > 10
        assert not any(u.has_usable_password() for u in roster)
        assert all(u.role_grants.get().role.code == "mediator" for u in roster[:5])
        for account in DEMO_ACCOUNTS:
            [line] = [line for line in lines if f"  {account.username}  " in line]
            user = User.objects.get(username=account.username)
            grant = user.role_grants.get()
            assert line.startswith(str(account.role.label)), line
            assert DEMO_PASSWORD in line
            assert (grant.org.name if grant.org else "—") in line
        # title, header, rule, one line each, and where the citizens' side and its SMS are
        assert len(lines) == 3 + len(DEMO_ACCOUNTS) + 1
        assert "/portal/" in lines[-1]

    def test_the_new_demo_roles_sit_where_they_work(self, demo: DemoPlan) -> None:
        """A county dispatcher at the 综治中心 (the whole county), an industry committee mediator
        (the 医调委, a county org) and a 驻庭调解室 mediator (the tribunal's township)."""
        grants = {
            u: User.objects.get(username=u).role_grants.select_related("org__kind").get()
            for u in ("dispatcher_county", "mediator_industry", "mediator_court", "judge")
        }
        county = grants["dispatcher_county"].org
        assert county.kind.code == "platform"
        assert county.region.code == COUNTY_CODE
        industry = grants["mediator_industry"].org
        assert industry.kind.code == "committee_industry"
        assert "医疗" in industry.name
        room = grants["mediator_court"].org
        assert room.kind.code == "room_court"
        assert room.region == grants["judge"].org.region
        out = StringIO()
        call_command("demo_accounts", stdout=out)
        text = out.getvalue()
        assert f"{county.region.name}及下级：平安办研判、交办、督办" in text
        assert f"{room.region.name}及下级：本村（社区）/本调委会调解工作" in text


# -- seed_demo --small: the demo roles' browser tests ---------------------------------------------


def test_the_small_demo_has_every_account_state_and_waiting_escalation(demo_small: None) -> None:
    assert set(_logins()) == set(DEMO_USERNAMES)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    # A few cases per state, not the full county's thousands: seeded in seconds.
    assert Case.objects.count() < 100
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() == 3
    county = User.objects.get(username="dispatcher_county")
    assert queue_cases(county, TO_DISPATCH).filter(timeline__action="escalate").exists()
    for username in DEMO_USERNAMES:
        assert login(username).get("/").status_code == 200, username


def _logins() -> list[str]:
    """The accounts someone can log in to (a roster account has no usable password)."""
    return list(
        User.objects.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).values_list(
            "username", flat=True
        )
    )
