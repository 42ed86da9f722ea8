"""The fixed access cast of STYLE.md, shared by every app's tests, on the org structure the demo
county has (``fengqiao/demo/county.py``). 东村 and 西村 are villages of 甲镇, 南村 is in 乙镇.

- 测试区综治中心 (county platform) above 甲镇平安办 and 乙镇平安办 (township platforms);
- 测试区司法局 (under the county platform) → 甲镇司法所 / 乙镇司法所 → 甲镇 / 乙镇人民调解委员会 →
  东村、西村 / 南村人民调解委员会; under 甲镇's committee also 甲镇人民法庭's 驻庭人民调解工作室 and
  甲镇派出所's 驻所人民调解工作室; under the 司法局 the county's 医疗纠纷人民调解委员会 (industry);
- 测试区人民法院 → 甲镇人民法庭, paired with 东村's and 西村's committees (法庭与村结对);
- 测试区公安分局 → 甲镇派出所.

A committee's parents lead to the 司法局 and on to the county 综治中心, as in the demo; the 属地
platform of its cases is its township's 平安办 all the same (DESIGN §2).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.db.models.signals import post_migrate
from django.test import Client
from django.test.testcases import LiveServerThread

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import User
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.core.choices import DisputeCategory
from fengqiao.orgs.choices import PersonRole, Position
from fengqiao.orgs.models import Organization, OrgCategory, Person
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
    # The rest of the county as the demo builds it.
    town_b_platform: Organization
    justice_bureau: Organization
    justice_office_a: Organization
    justice_office_b: Organization
    committee_town_a: Organization
    committee_town_b: Organization
    court: Organization
    court_room_a: Organization
    police_bureau: Organization
    police_station_a: Organization
    police_room_a: Organization
    industry_committee: Organization
    room_mediator_person: Person
    industry_mediator_person: Person


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
    # The county's other roles (issue "Day one in a real county", item 5).
    county_dispatcher: User
    justice_officer: User
    judge: User
    police: User
    room_mediator: User
    industry_mediator: User
    grid_worker: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


def _org(name: str, code: str, region: Region, parent: Organization | None = None) -> Organization:
    return OrganizationFactory(name=name, kind=kind(code), region=region, parent=parent)


def _mediator(org: Organization, name: str, region: Region) -> Person:
    membership = MembershipFactory(
        org=org,
        person__name=name,
        person__region=region,
        role=PersonRole.MEDIATOR,
        position=Position.DIRECTOR,
        is_full_time=True,
    )
    return membership.person


@pytest.fixture
def world(db: None) -> World:
    county = make_region("330199000000", "测试区", population=300000)
    town_a = make_region("330199001000", "甲镇", county, 40000)
    town_b = make_region("330199002000", "乙镇", county, 30000)
    east = make_region("330199001001", "东村", town_a, 2000)
    west = make_region("330199001002", "西村", town_a, 1800)
    south = make_region("330199002001", "南村", town_b, 1500)
    county_platform = _org("测试区综治中心", "platform", county)
    town_a_platform = _org("甲镇平安办", "platform", town_a, county_platform)
    town_b_platform = _org("乙镇平安办", "platform", town_b, county_platform)
    justice_bureau = _org("测试区司法局", "justice_bureau", county, county_platform)
    justice_a = _org("甲镇司法所", "justice_office", town_a, justice_bureau)
    justice_b = _org("乙镇司法所", "justice_office", town_b, justice_bureau)
    committee_town_a = _org("甲镇人民调解委员会", "committee_township", town_a, justice_a)
    committee_town_b = _org("乙镇人民调解委员会", "committee_township", town_b, justice_b)
    court = _org("测试区人民法院", "court", county)
    tribunal_a = _org("甲镇人民法庭", "tribunal", town_a, court)
    court_room_a = _org("甲镇人民法庭驻庭人民调解工作室", "room_court", town_a, committee_town_a)
    police_bureau = _org("测试区公安分局", "department", county)
    police_a = _org("测试区公安分局甲镇派出所", "police_station", town_a, police_bureau)
    police_room_a = _org("甲镇派出所驻所人民调解工作室", "room_police", town_a, committee_town_a)
    industry = _org("测试区医疗纠纷人民调解委员会", "committee_industry", county, justice_bureau)
    OrgCategory.objects.create(org=industry, category=DisputeCategory.MEDICAL)
    committees = {
        east: _org("东村人民调解委员会", "committee_village", east, committee_town_a),
        west: _org("西村人民调解委员会", "committee_village", west, committee_town_a),
        south: _org("南村人民调解委员会", "committee_village", south, committee_town_b),
    }
    # 法庭与村结对: 甲镇's tribunal is paired with its villages' committees.
    committees[east].paired_orgs.add(tribunal_a)
    committees[west].paired_orgs.add(tribunal_a)
    people = {r: _mediator(c, f"{r.name}调解员", r) for r, c in committees.items()}
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
        town_b_platform=town_b_platform,
        justice_bureau=justice_bureau,
        justice_office_a=justice_a,
        justice_office_b=justice_b,
        committee_town_a=committee_town_a,
        committee_town_b=committee_town_b,
        court=court,
        court_room_a=court_room_a,
        police_bureau=police_bureau,
        police_station_a=police_a,
        police_room_a=police_room_a,
        industry_committee=industry,
        room_mediator_person=_mediator(court_room_a, "驻庭调解员", town_a),
        industry_mediator_person=_mediator(industry, "医调委调解员", county),
    )


@pytest.fixture
def cast(world: World) -> Cast:
    def user(name: str, real_name: str = "") -> User:
        return UserFactory(username=name, **({"real_name": real_name} if real_name else {}))

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
        county_dispatcher=user("county_dispatcher"),
        justice_officer=user("justice_a"),
        judge=user("judge"),
        police=user("police"),
        room_mediator=user("room_mediator"),
        industry_mediator=user("industry_mediator"),
        grid_worker=user("grid_east", "东村网格员"),
    )
    grant(c.mediator_east, BuiltinRole.MEDIATOR, world.committee_east)
    grant(c.mediator_west, BuiltinRole.MEDIATOR, world.committee_west)
    grant(c.dispatcher, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(c.court_clerk, BuiltinRole.COURT_CLERK, world.tribunal_a)
    grant(c.leader, BuiltinRole.LEADER, world.county_platform)
    grant(c.system_admin, BuiltinRole.SYSTEM_ADMIN)
    grant(c.security_admin, BuiltinRole.SECURITY_ADMIN)
    grant(c.auditor, BuiltinRole.AUDITOR)
    grant(c.county_dispatcher, BuiltinRole.DISPATCHER, world.county_platform)
    # The 司法所 officer's rights reach every org of the township (a region-scoped role).
    grant(c.justice_officer, BuiltinRole.JUSTICE_OFFICER, world.justice_office_a)
    grant(c.judge, BuiltinRole.JUDGE, world.tribunal_a)
    grant(c.police, BuiltinRole.POLICE, world.police_station_a)
    grant(c.room_mediator, BuiltinRole.MEDIATOR, world.court_room_a)
    grant(c.industry_mediator, BuiltinRole.MEDIATOR, world.industry_committee)
    # The demo's grid worker holds the role at their village's committee (scope: the village).
    grant(c.grid_worker, BuiltinRole.GRID_WORKER, world.committee_east)
    # The citizen (当事人) has a portal login and no staff role; the outsider has nothing at all.
    # Each mediator is also the person on their org's roster.
    for person, account in (
        (world.mediator_east_person, c.mediator_east),
        (world.mediator_west_person, c.mediator_west),
        (world.room_mediator_person, c.room_mediator),
        (world.industry_mediator_person, c.industry_mediator),
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
def grid_worker(cast: Cast) -> User:
    """The cast's 网格员 of 东村."""
    return cast.grid_worker


@pytest.fixture
def signing_credentials(world: World) -> None:
    """Every org of the world holds a signing certificate (a demo CA's), as every court and
    committee of a deployment must before it issues a signed document (调解协议书, 民事裁定书,
    自动履行证明书: ``documents.choices.SIGNED_TYPES``)."""
    from fengqiao.demo.signing import write_signing

    write_signing(Organization.objects.select_related("kind"))


@pytest.fixture
def demo_small(db: None) -> None:
    """The small demo county of ``manage.py seed_demo --small`` (docs/demo.md): every demo
    account of ``fengqiao.demo.accounts.DEMO_ACCOUNTS`` (password ``Fengqiao@2026``), the same
    kinds of orgs in three townships and a few cases in every state. A few seconds; for tests
    that log in as each demo role (with ``live_server`` in the browser tests)."""
    call_command("seed_demo", "--small", stdout=StringIO())


@pytest.fixture(scope="module")
def demo_county(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The small demo county of ``demo_small``, seeded once for a whole test module: every test
    of the module that asks for it (and ``db``) starts from the same seeded county, and what a
    test changes is rolled back after it (its transaction is a savepoint inside the module's).
    The module's transaction is rolled back at its end, so no other module sees the county."""
    with django_db_blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
        try:
            call_command("seed_demo", "--small", stdout=StringIO())
        except BaseException:
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


# --- Browser tests (Playwright + Debian chromium), one session browser for every app ----------


class SerialLiveServer(WSGIServer):
    """The WSGI live server answering one request at a time. On SQLite the test database is in
    memory and every thread of Django's threaded live server shares its one connection: a page's
    background request (the notification socket's retries) landing during a slow POST (a signed
    PDF) broke the POST's savepoints ("no such savepoint", "cannot start a transaction within a
    transaction"). One at a time, as a phone's requests mostly are; each response closes its
    connection, so no idle keep-alive holds the server."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        # The server's own thread already uses the test's connection (LiveServerThread.run).
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with SERVING:
            super().process_request(request, client_address)


# Held while the serial live server answers a request: a page's teardown waits on it, so the
# test's database is not emptied under a request the page sent as it closed (CI: the
# notification socket's retry landed during the flush, whose commit then failed on a foreign
# key and left the next test a database with rows in it).
SERVING = threading.Lock()


if not os.environ.get("DATABASE_URL"):
    LiveServerThread.server_class = SerialLiveServer  # type: ignore[assignment]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # for their own setup are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from fengqiao.web.tests.conftest import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(
    browser: object, request: pytest.FixtureRequest, transactional_db: None
) -> Iterator[object]:
    """A fresh browser page. It depends on the test's database so that it closes — and the
    live server has answered its last request — before the database is emptied."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    from fengqiao.web.tests.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    with SERVING:
        pass


# --- A live ASGI server (HTTP and websockets), for the browser tests of live pages ------------


@pytest.fixture
def asgi_live_server(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The platform served by uvicorn in a thread, as ``bin/run`` serves it (HTTP through
    Django, the websockets of ``fengqiao.routing``), with the static files; yields its
    base URL. pytest-django's ``live_server`` is WSGI only and cannot carry a websocket.

    On the in-memory SQLite test database every thread uses the test's own connection, as
    Django's ``LiveServerThread`` does: under ASGI each request runs on a thread of its own,
    so the connection is handed out by the connection handler rather than per thread."""
    import asyncio
    import socket
    import threading

    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application
    from django.db import connections
    from django.utils.connection import BaseConnectionHandler

    from fengqiao.core.bodylimit import BodyLimitASGI
    from fengqiao.routing import websocket_application

    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    original = BaseConnectionHandler.__getitem__

    def shared_or_own(self: Any, alias: str) -> Any:
        if self is connections and alias in shared:
            return shared[alias]
        return original(self, alias)

    monkeypatch.setattr(BaseConnectionHandler, "__getitem__", shared_or_own)

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(BodyLimitASGI(get_asgi_application())),
            "websocket": websocket_application(),
        }
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    ready = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            ready.set()

    server = Server(
        uvicorn.Config(
            app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=2
        )
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="asgi-live", daemon=True
    )
    thread.start()
    if not ready.wait(timeout=15):
        pytest.fail("the ASGI live server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def fresh_channel_layer() -> Iterator[None]:
    """A channel layer of the test's own. Each test drives its sockets in an event loop of its
    own (``async_to_sync``); on the Redis layer a socket a test left open keeps a blocking read
    of the layer's process channel on that dead loop for up to 5 s, where it takes the next
    test's messages, and holds the layer's receive lock. A new layer has a new process channel."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
