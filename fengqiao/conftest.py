"""The fixed access cast of STYLE.md, shared by every app's tests.

A small county 测试区 with two townships; 东村 and 西村 are villages of 甲镇, 南村 is in 乙镇.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.db.models.signals import post_migrate
from django.test import Client

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import User
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.orgs.choices import PersonRole, Position
from fengqiao.orgs.models import Organization, Person
from fengqiao.orgs.tests.factories import MembershipFactory, OrganizationFactory, kind
from fengqiao.regions.models import Region
from fengqiao.regions.tests.factories import make_region


def _reload_migration_data(sender: Any, **kwargs: Any) -> None:
    """Put back the rows the data migrations loaded (org kinds, routing rules, deadline limits).

    A transactional test ends with a flush that empties every table, and the platform no longer
    re-creates reference data when it finds a table empty (an administrator's deletion stays
    deleted). The flush sends post_migrate once per app: run once, after the last app's.
    """
    if sender is not [config for config in apps.get_app_configs() if config.models_module][-1]:
        return
    graph = MigrationLoader(connection, ignore_no_migrations=True).graph
    plan: list[tuple[str, str]] = []
    for leaf in graph.leaf_nodes():
        plan += [node for node in graph.forwards_plan(leaf) if node not in plan]
    for node in plan:
        migration = graph.nodes[node]
        if not migration.__module__.startswith("fengqiao."):
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                # Each function fills only what is empty, so the migrated database is untouched.
                operation.code(apps, None)


@pytest.fixture(autouse=True, scope="session")
def migration_data_after_flush() -> Iterator[None]:
    post_migrate.connect(_reload_migration_data, dispatch_uid="fengqiao-migration-data")
    yield
    post_migrate.disconnect(dispatch_uid="fengqiao-migration-data")


@dataclass
class World:
    county: Region
    town_a: Region
    town_b: Region
    village_east: Region
    village_west: Region
    village_south: Region
    county_platform: Organization
    town_a_platform: Organization
    tribunal_a: Organization
    committee_east: Organization
    committee_west: Organization
    committee_south: Organization
    mediator_east_person: Person
    mediator_west_person: Person
    mediator_south_person: Person


@dataclass
class Cast:
    mediator_east: User
    mediator_west: User
    dispatcher: User
    court_clerk: User
    leader: User
    system_admin: User
    security_admin: User
    auditor: User
    citizen: User
    outsider: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


@pytest.fixture
def world(db: None) -> World:
    county = make_region("330199000000", "测试区", population=300000)
    town_a = make_region("330199001000", "甲镇", county, 40000)
    town_b = make_region("330199002000", "乙镇", county, 30000)
    east = make_region("330199001001", "东村", town_a, 2000)
    west = make_region("330199001002", "西村", town_a, 1800)
    south = make_region("330199002001", "南村", town_b, 1500)
    county_platform = OrganizationFactory(
        name="测试区综治中心", kind=kind("platform"), region=county
    )
    town_a_platform = OrganizationFactory(
        name="甲镇平安办", kind=kind("platform"), region=town_a, parent=county_platform
    )
    tribunal_a = OrganizationFactory(name="甲镇人民法庭", kind=kind("tribunal"), region=town_a)
    committees = {
        r: OrganizationFactory(
            name=f"{r.name}人民调解委员会", kind=kind("committee_village"), region=r
        )
        for r in (east, west, south)
    }
    people = {}
    for region, committee in committees.items():
        membership = MembershipFactory(
            org=committee,
            person__name=f"{region.name}调解员",
            person__region=region,
            role=PersonRole.MEDIATOR,
            position=Position.DIRECTOR,
            is_full_time=True,
        )
        people[region] = membership.person
    return World(
        county,
        town_a,
        town_b,
        east,
        west,
        south,
        county_platform,
        town_a_platform,
        tribunal_a,
        committees[east],
        committees[west],
        committees[south],
        people[east],
        people[west],
        people[south],
    )


@pytest.fixture
def cast(world: World) -> Cast:
    def user(name: str) -> User:
        return UserFactory(username=name)

    c = Cast(
        mediator_east=user("mediator_east"),
        mediator_west=user("mediator_west"),
        dispatcher=user("dispatcher"),
        court_clerk=user("court_clerk"),
        leader=user("leader"),
        system_admin=user("sysadmin"),
        security_admin=user("secadmin"),
        auditor=user("auditor"),
        citizen=user("citizen"),
        outsider=user("outsider"),
    )
    grant(c.mediator_east, BuiltinRole.MEDIATOR, world.committee_east)
    grant(c.mediator_west, BuiltinRole.MEDIATOR, world.committee_west)
    grant(c.dispatcher, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(c.court_clerk, BuiltinRole.COURT_CLERK, world.tribunal_a)
    grant(c.leader, BuiltinRole.LEADER, world.county_platform)
    grant(c.system_admin, BuiltinRole.SYSTEM_ADMIN)
    grant(c.security_admin, BuiltinRole.SECURITY_ADMIN)
    grant(c.auditor, BuiltinRole.AUDITOR)
    # The citizen (当事人) has a portal login and no staff role; the outsider has nothing at all.
    # Each village mediator is also the person on their committee's roster.
    for person, account in (
        (world.mediator_east_person, c.mediator_east),
        (world.mediator_west_person, c.mediator_west),
    ):
        person.user = account
        person.save(update_fields=["user"])
    return c


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    """A fresh test client logged in as ``user`` (anonymous for ``None``)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def grid_worker(world: World) -> User:
    """A 网格员 of 东村 (not in the fixed cast: the pages a grid worker uses are few)."""
    user = UserFactory(username="grid_east", real_name="东村网格员")
    grant(user, BuiltinRole.GRID_WORKER, world.committee_east)
    return user


@pytest.fixture
def demo_small(db: None) -> None:
    """The small demo county of ``manage.py seed_demo --small`` (docs/demo.md): every demo
    account of ``fengqiao.demo.accounts.DEMO_ACCOUNTS`` (password ``Fengqiao@2026``), the same
    kinds of orgs in three townships and a few cases in every state. A few seconds; for tests
    that log in as each demo role (with ``live_server`` in the browser tests)."""
    call_command("seed_demo", "--small", stdout=StringIO())
