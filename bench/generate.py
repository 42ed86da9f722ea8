"""Generate a province-like region tree and N cases into a dedicated bench database.

    python bench/generate.py --db sqlite --cases 50000 [--data-dir DIR]
    python bench/generate.py --db postgresql --cases 200000

The bench database is dropped and migrated first (PostgreSQL ``fengqiao_bench``; SQLite file
under ``--data-dir``). Regions, orgs and users go in through the ORM (few rows); cases and their
rows are bulk-loaded: ``COPY`` on PostgreSQL, ``executemany`` in large transactions on SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import BenchDB, recreate, setup_django

STATUS_WEIGHTS = {
    "registered": 3,
    "assessed": 2,
    "dispatched": 3,
    "accepted": 4,
    "mediating": 6,
    "suspended": 1,
    "resolved": 55,
    "failed": 10,
    "referred_out": 5,
    "withdrawn": 3,
    "archived": 8,
}
OPEN = {"registered", "assessed", "dispatched", "accepted", "mediating", "suspended"}
HANDLED = {"accepted", "mediating", "suspended", "resolved", "failed", "referred_out", "archived"}
CHANNEL_WEIGHTS = {
    "grid": 30,
    "walk_in": 20,
    "phone": 15,
    "petition": 5,
    "court_pre": 8,
    "court_post": 2,
    "police": 8,
    "procuratorate": 1,
    "admin_review": 1,
    "department": 4,
    "portal": 6,
}
CATEGORY_WEIGHTS = {
    "marriage_family": 18,
    "neighbour": 20,
    "housing_land": 10,
    "contract": 8,
    "business": 4,
    "damages": 8,
    "forest_land": 3,
    "expropriation": 2,
    "environment": 2,
    "labour": 8,
    "consumer": 4,
    "medical": 2,
    "traffic": 4,
    "property_mgmt": 4,
    "other": 3,
}
GRADES = {"low": 70, "medium": 22, "high": 7, "major": 1}
# The share of open due items whose next check has come at "sweep time" (see run.py).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
NAMES = [a + b + c for a in SURNAMES for b in GIVEN for c in GIVEN]
TITLES = ["宅基地边界纠纷", "赡养费纠纷", "邻里噪音纠纷", "工资拖欠", "借款纠纷", "合同违约"]

# Fixtures the scenarios need (written to meta.json next to the database).
POOL = 400  # fresh dispatched and mediating cases for the transition scenario, per side


def weighted(rng: random.Random, table: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=k)


def build_tree(counties: int, towns: int, villages: int) -> dict[str, Any]:
    """Regions, platforms (province, county, township), village committees, and the users the
    scenarios act as: one dispatcher per township, one mediator per village committee of the
    first township."""
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.orgs.models import Organization, OrgKind
    from fengqiao.regions.models import Region, path_segment

    def region(code: str, name: str, level: int, parent: Region | None) -> Region:
        path = (parent.path if parent else "") + path_segment(code)
        return Region(code=code, name=name, level=level, parent=parent, path=path)

    province = region("330000000000", "基准省", 1, None)
    province.save()
    county_rows = [
        region(f"33{c // 20 + 1:02d}{c % 20 + 1:02d}000000", f"第{c + 1}县", 3, province)
        for c in range(counties)
    ]
    Region.objects.bulk_create(county_rows)
    county_rows = list(Region.objects.filter(level=3).order_by("path"))
    town_rows = [
        region(f"{c.code[:6]}{t + 1:03d}000", f"{c.name}第{t + 1}镇", 4, c)
        for c in county_rows
        for t in range(towns)
    ]
    Region.objects.bulk_create(town_rows, batch_size=2000)
    town_rows = list(Region.objects.filter(level=4).order_by("path"))
    village_rows = [
        region(f"{t.code[:9]}{v + 1:03d}", f"{t.name}第{v + 1}村", 5, t)
        for t in town_rows
        for v in range(villages)
    ]
    Region.objects.bulk_create(village_rows, batch_size=5000)
    village_rows = list(Region.objects.filter(level=5).order_by("path"))

    platform = OrgKind.objects.get(code="platform")
    committee = OrgKind.objects.get(code="committee_village")
    prov_org = Organization.objects.create(name="基准省综治中心", kind=platform, region=province)
    county_orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"{c.name}综治中心", kind=platform, region=c, parent=prov_org)
            for c in county_rows
        ]
    )
    county_by_region = {o.region_id: o for o in county_orgs}
    town_orgs = Organization.objects.bulk_create(
        [
            Organization(
                name=f"{t.name}平安办",
                kind=platform,
                region=t,
                parent=county_by_region[t.parent_id],
            )
            for t in town_rows
        ],
        batch_size=2000,
    )
    town_by_region = {o.region_id: o for o in town_orgs}
    committees = Organization.objects.bulk_create(
        [
            Organization(name=f"{v.name}人民调解委员会", kind=committee, region=v)
            for v in village_rows
        ],
        batch_size=5000,
    )
    committee_by_region = {o.region_id: o for o in committees}

    dispatcher_role = Role.objects.get(code="dispatcher")
    mediator_role = Role.objects.get(code="mediator")
    first_town = town_rows[0]
    users = User.objects.bulk_create(
        [User(username=f"disp{i}", real_name=f"调度员{i}") for i in range(len(town_rows))]
        + [User(username=f"med{i}", real_name=f"调解员{i}") for i in range(villages)]
    )
    dispatchers, mediators = users[: len(town_rows)], users[len(town_rows) :]
    first_villages = [v for v in village_rows if v.parent_id == first_town.pk]
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=u, role=dispatcher_role, org=town_by_region[t.pk])
            for u, t in zip(dispatchers, town_rows, strict=True)
        ]
        + [
            RoleGrant(user=u, role=mediator_role, org=committee_by_region[v.pk])
            for u, v in zip(mediators, first_villages, strict=True)
        ]
    )
    return {
        "villages": [
            (v.pk, v.path, town_by_region[v.parent_id].pk, committee_by_region[v.pk].pk)
            for v in village_rows
        ],
        "dispatcher_id": dispatchers[0].pk,
        "dispatcher_org": town_by_region[first_town.pk].pk,
        "town_path": first_town.path,
        "mediator_id": mediators[0].pk,
        "mediator_org": committee_by_region[first_villages[0].pk].pk,
        "mediator_village": first_villages[0].pk,
        "mediator_users": {
            committee_by_region[v.pk].pk: u.pk
            for u, v in zip(mediators, first_villages, strict=True)
        },
        "counts": {
            "counties": len(county_rows),
            "townships": len(town_rows),
            "villages": len(village_rows),
            "orgs": 1 + len(county_orgs) + len(town_orgs) + len(committees),
        },
    }


class Loader:
    """Bulk insert by COPY (PostgreSQL) or executemany (SQLite), by model and field names."""

    def __init__(self) -> None:
        from django.db import connection

        self.conn = connection
        self.pg = connection.vendor == "postgresql"

    def columns(self, model: Any, names: list[str]) -> tuple[str, list[str]]:
        cols = [model._meta.get_field(n).column for n in names]
        return model._meta.db_table, cols

    def load(self, model: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        # Columns the generator does not set (added to the model since) get their defaults.
        extra = _defaults(model, names)
        if extra:
            names = [*names, *extra]
            tail = tuple(extra.values())
            rows = [(*row, *tail) for row in rows]
        table, cols = self.columns(model, names)
        with self.conn.cursor() as cur:
            if self.pg:
                raw = cur.cursor
                collist = ", ".join(f'"{c}"' for c in cols)
                with raw.copy(f'COPY "{table}" ({collist}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(cols))
                collist = ", ".join(f'"{c}"' for c in cols)
                cur.cursor.executemany(
                    f'INSERT INTO "{table}" ({collist}) VALUES ({marks})',
                    [tuple(_sqlite(v) for v in row) for row in rows],
                )


def _defaults(model: Any, names: list[str]) -> dict[str, Any]:
    """The not-null columns of ``model`` outside ``names`` that have a default (or take ""), with
    it as the database takes it."""
    from django.db import models

    found: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.null or f.name in names:
            continue
        # A blank text column without a default takes "" (Field.get_default).
        if not (f.has_default() or f.empty_strings_allowed):
            continue
        value = f.get_default()
        found[f.name] = json.dumps(value) if isinstance(f, models.JSONField) else value
    return found


def _sqlite(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, bool):
        return int(v)
    return v


FIELDS: dict[str, list[str]] = {}


def _fields() -> dict[str, list[str]]:
    """Model field names per bulk-loaded table, in the order the chunk builder writes rows."""
    if FIELDS:
        return FIELDS
    FIELDS["case"] = [
        "id",
        "number",
        "number_region",
        "region",
        "region_path",
        "address",
        "title",
        "facts",
        "claims",
        "category",
        "channel",
        "procedure",
        "status",
        "grade",
        "people_count",
        "flag_group",
        "flag_criminal_risk",
        "flag_petition_risk",
        "flag_vulnerable",
        "flag_sensitive",
        "platform",
        "handling_org",
        "handler",
        "registered_at",
        "closed_at",
        "archive_number",
        "version",
    ]
    party_fields = [
        "id",
        "case",
        "role",
        "kind",
        "name",
        "id_number",
        "id_number_hash",
        "phone",
        "phone_hash",
        "address",
    ]
    event_fields = [
        "case",
        "at",
        "actor_name",
        "action",
        "from_status",
        "to_status",
        "note",
        "data",
    ]
    order_fields = [
        "id",
        "case",
        "from_org",
        "to_org",
        "role",
        "status",
        "task",
        "dispatched_at",
        "accept_by",
        "responded_at",
        "return_reason",
    ]
    # No period recorded (period_unit "", no moves): the sweep reads due_at as it stands.
    due_fields = [
        "case",
        "kind",
        "org",
        "dispatch",
        "due_at",
        "next_check_at",
        "status",
        "period_unit",
        "moves",
        "clock",
    ]
    # The mediating fixtures have what mediation needs (人民调解法 arts. 17, 23): both parties'
    # consent and the rights notice, so that ``case_agree`` accepts them.
    consent_fields = ["case", "party", "decision", "method", "recorded_at", "note"]
    notice_fields = ["case", "delivered_at", "method"]
    FIELDS.update(
        party=party_fields,
        event=event_fields,
        order=order_fields,
        due=due_fields,
        consent=consent_fields,
        notice=notice_fields,
    )
    return FIELDS


def _context(n_cases: int, tree: dict[str, Any], seed: int) -> dict[str, Any]:
    """What every chunk builder shares: the villages with their weights and the clock (built
    once, so every process generates the same data)."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    villages = tree["villages"]
    # Cases concentrate in some villages (a few busy, many quiet), as in real intake.
    weights = [rng.paretovariate(1.5) for _ in villages]
    return {
        "n_cases": n_cases,
        "seed": seed,
        "now": now,
        "start": now - timedelta(days=548),
        "villages": villages,
        "weights": weights,
        "mediator_org": tree["mediator_org"],
        "mediator_users": tree["mediator_users"],
    }


# The timeline rows' JSON, by event index (a case has at most 8 events).
EVENT_DATA = [json.dumps({"from_version": k}) for k in range(8)]

# PostgreSQL builds the timeline itself from the loaded cases (``version`` holds the number of
# events of each): the largest table, 5.4 rows a case, made in the server instead of being
# built in Python and copied over. Same shape as the rows built in Python for SQLite.
SQL_EVENTS = """
INSERT INTO disputes_timelineevent
    (case_id, at, actor_name, action, from_status, to_status, note, data)
SELECT c.id,
       c.registered_at + k * (1 + c.id %% 36) * interval '1 hour',
       CASE WHEN k = 0 THEN '登记员' ELSE '系统' END,
       CASE WHEN k = 0 THEN 'register'
            ELSE (ARRAY['assess', 'note', 'dispatch', 'start'])[1 + (c.id + k) %% 4] END,
       CASE WHEN k = 0 THEN '' WHEN k = 1 THEN 'registered' ELSE c.status END,
       CASE WHEN k = 0 THEN 'registered' ELSE c.status END,
       '',
       jsonb_build_object('from_version', k)
FROM disputes_case c CROSS JOIN LATERAL generate_series(0, c.version - 1) AS k
WHERE c.id BETWEEN %s AND %s
"""


# People per case: each person is a party to about four cases (2 parties a case), so a phone or
# an ID number repeats in a handful of cases, as in real intake, not in thousands: with a fixed
# pool of people the planner would expect ~1,000 parties per phone and plan the duplicate check
# as a parallel query (seen: 9 ms of each intake's 17 ms in the database at 10 M cases).
PEOPLE_PER_CASE = 0.5


def people(rng: random.Random, n: int) -> list[tuple[str, str, str, str]]:
    """``n`` fictional people: encrypted ID number and its lookup hash, phone and its hash."""
    from fengqiao.core import crypto

    made = []
    for _ in range(n):
        idn = f"3301{rng.randrange(10**13, 10**14)}"
        phone = f"13{rng.randrange(10**8, 10**9)}"
        made.append(
            (
                crypto.encrypt(idn),
                crypto.lookup_hash(idn),
                crypto.encrypt(phone),
                crypto.lookup_hash(phone),
            )
        )
    return made


def build_chunk(
    ctx: dict[str, Any], index: int, base: int, size: int, *, sql_events: bool = False
) -> dict[str, Any]:
    """Rows of cases ``base + 1 … base + size`` and everything hanging off them. Ids follow from
    the case id, and each chunk has its own seeded random stream, so the data is the same
    however many processes build it. With ``sql_events`` the timeline is left to the server
    (``SQL_EVENTS``)."""
    rng = random.Random(ctx["seed"] * 1_000_003 + index)
    n_cases, now, start = ctx["n_cases"], ctx["now"], ctx["start"]
    villages, mediator_org = ctx["villages"], ctx["mediator_org"]
    # Each chunk has people of its own (drawn from its own stream, so as reproducible).
    secrets = people(rng, max(1, int(size * PEOPLE_PER_CASE)))
    tree = {"mediator_users": ctx["mediator_users"]}
    statuses = weighted(rng, STATUS_WEIGHTS, size)
    channels = weighted(rng, CHANNEL_WEIGHTS, size)
    categories = weighted(rng, CATEGORY_WEIGHTS, size)
    grades = weighted(rng, GRADES, size)
    picks = rng.choices(villages, weights=ctx["weights"], k=size)
    cases: list[tuple[Any, ...]] = []
    parties: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    orders: list[tuple[Any, ...]] = []
    dues: list[tuple[Any, ...]] = []
    consents: list[tuple[Any, ...]] = []
    notices: list[tuple[Any, ...]] = []
    fresh: dict[str, list[int]] = {"dispatched": [], "mediating": []}
    for j in range(size):
        cid = base + j + 1
        status = statuses[j]
        vid, vpath, town_org, committee = picks[j]
        pool_idx = cid - n_cases - 1
        if pool_idx >= 0:
            # The fixtures of the transition scenario: cases dispatched to / being mediated
            # by the bench mediator's committee, registered recently.
            vid, vpath, town_org, committee = next(v for v in villages if v[3] == mediator_org)
            status = "dispatched" if pool_idx < 2 * POOL else "mediating"
            fresh[status].append(cid)
        reg = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        if pool_idx >= 0:
            reg = now - timedelta(days=2, seconds=pool_idx)
        handled = status in HANDLED
        handler = tree["mediator_users"].get(committee) if handled else None
        closed = None
        if status not in OPEN:
            closed = min(now, reg + timedelta(days=rng.randrange(1, 60)))
        n_events = rng.randint(3, 8) if not status.startswith(("reg", "ass")) else rng.randint(1, 3)
        cases.append(
            (
                cid,
                f"{vid:06d}-{reg.year}-{cid:08d}",
                vid,
                vid,
                vpath,
                "",
                rng.choice(TITLES),
                "双方因琐事发生争执，经网格员排查上报。",
                "请求调解。",
                categories[j],
                channels[j],
                "",
                status,
                grades[j],
                rng.randint(2, 6),
                rng.random() < 0.03,
                rng.random() < 0.01,
                rng.random() < 0.02,
                rng.random() < 0.05,
                False,
                town_org,
                committee if handled else None,
                handler,
                reg,
                closed,
                f"卷{cid}" if status == "archived" else "",
                n_events,
            )
        )
        consented = pool_idx >= 2 * POOL
        for role in ("applicant", "respondent"):
            s = secrets[rng.randrange(len(secrets))]
            name = NAMES[int(rng.random() * len(NAMES))]
            party_id = 2 * cid - (role == "applicant")
            parties.append((party_id, cid, role, "person", name, s[0], s[1], s[2], s[3], ""))
            if consented:
                consents.append((cid, party_id, "consented", "in_person", reg, ""))
        if consented:
            notices.append((cid, reg, "in_person"))
        at = reg
        prev = ""
        for k in range(0 if sql_events else n_events):
            action = "register" if k == 0 else rng.choice(["assess", "note", "dispatch", "start"])
            to = "registered" if k == 0 else status
            events.append((cid, at, "系统" if k else "登记员", action, prev, to, "", EVENT_DATA[k]))
            prev = to
            at = at + timedelta(hours=rng.randint(1, 72))
        if status in OPEN and status not in ("registered", "assessed"):
            order_id = cid  # at most one order per case
            pending = status == "dispatched"
            orders.append(
                (
                    order_id,
                    cid,
                    town_org,
                    committee,
                    "sole",
                    "pending" if pending else "accepted",
                    "",
                    reg,
                    reg + timedelta(days=1),
                    None if pending else reg + timedelta(hours=5),
                    "",
                )
            )
            # Open deadlines: next checks spread over the next 100 days, so sweeping at
            # now + d days finds ~d% of them (run.py sweeps at 1 and 0.1 days).
            check = now + timedelta(seconds=rng.randrange(1, 100 * 86400))
            if pool_idx >= 0:
                check = now + timedelta(days=200)
            kind = "accept" if pending else "mediation"
            due_at = check + timedelta(days=1)
            dues.append(
                (
                    cid,
                    kind,
                    committee,
                    order_id if pending else None,
                    due_at,
                    None if status == "suspended" else check,
                    "open",
                    "",
                    "[]",
                    "",
                )
            )
    return {
        "case": cases,
        "party": parties,
        "event": events,
        "order": orders,
        "due": dues,
        "consent": consents,
        "notice": notices,
        "fresh": fresh,
    }


def load_chunk(rows: dict[str, Any]) -> dict[str, int]:
    """Load one chunk's rows in one transaction; the counts of what went in."""
    from django.db import transaction

    from fengqiao.disputes.models import Case, DispatchOrder, DueItem, Party, TimelineEvent
    from fengqiao.mediation.models import PartyConsent, RightsNotice

    fields = _fields()
    loader = Loader()
    tables = [
        ("case", Case),
        ("party", Party),
        ("event", TimelineEvent),
        ("order", DispatchOrder),
        ("due", DueItem),
        ("consent", PartyConsent),
        ("notice", RightsNotice),
    ]
    timeline = len(rows["event"])
    with transaction.atomic():
        for name, model in tables:
            loader.load(model, fields[name], rows[name])
        if loader.pg and rows["case"] and not rows["event"]:
            with loader.conn.cursor() as cur:
                cur.execute(SQL_EVENTS, [rows["case"][0][0], rows["case"][-1][0]])
                timeline = cur.rowcount
    return {
        "cases": len(rows["case"]),
        "parties": len(rows["party"]),
        "timeline": timeline,
        "orders": len(rows["order"]),
        "due_items": len(rows["due"]),
    }


_CTX: dict[str, Any] = {}


def _job(task: tuple[int, int, int]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """One chunk in a worker process: build, load over the process's own connection."""
    from django.db import connection

    index, base, size = task
    rows = build_chunk(_CTX, index, base, size, sql_events=connection.vendor == "postgresql")
    return load_chunk(rows), rows["fresh"]


def generate(
    n_cases: int, tree: dict[str, Any], seed: int = 7, chunk: int = 20000, jobs: int = 1
) -> dict[str, Any]:
    """N cases plus the transition fixtures, in chunks; with ``jobs`` > 1 (PostgreSQL) the
    chunks are built and loaded by that many processes at once."""
    import multiprocessing

    from django.db import connections

    ctx = _context(n_cases, tree, seed)
    total = n_cases + 4 * POOL
    tasks = [(i, base, min(chunk, total - base)) for i, base in enumerate(range(0, total, chunk))]
    counts = {"cases": 0, "parties": 0, "timeline": 0, "orders": 0, "due_items": 0}
    fresh: dict[str, list[int]] = {"dispatched": [], "mediating": []}
    t0 = time.perf_counter()

    def add(result: tuple[dict[str, int], dict[str, list[int]]]) -> None:
        for key, value in result[0].items():
            counts[key] += value
        for key, ids in result[1].items():
            fresh[key].extend(ids)
        print(f"  {counts['cases']:>9} cases  {time.perf_counter() - t0:6.1f}s", flush=True)

    _CTX.update(ctx)
    with bulk_load_mode():
        if jobs > 1:
            # Children open their own connections: none may be inherited across the fork.
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for result in pool.imap_unordered(_job, tasks):
                    add(result)
        else:
            for task in tasks:
                add(_job(task))
    for ids in fresh.values():
        ids.sort()
    _reset_sequences()
    return {"counts": counts, "fresh": fresh, "generated_at": ctx["now"].isoformat()}


BULK_TABLES = [
    "disputes_case",
    "disputes_party",
    "disputes_timelineevent",
    "disputes_dispatchorder",
    "disputes_dueitem",
    "mediation_partyconsent",
    "mediation_rightsnotice",
]


@contextmanager
def bulk_load_mode() -> Iterator[None]:
    """PostgreSQL: load the big tables without their secondary indexes and foreign-key
    triggers, then build the indexes once (a sort per index instead of millions of inserts
    into each) and turn the triggers back on. The data is generated consistent, so the
    skipped checks would all pass. Constraint indexes (primary keys, unique) stay. SQLite:
    nothing to do."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [BULK_TABLES],
        )
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for table in BULK_TABLES:
            cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL')
    try:
        yield
    finally:
        from django.db import connection as conn  # reopened after a fork pool closed it

        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            for table in BULK_TABLES:
                cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER ALL')
            for _name, definition in indexes:
                cur.execute(definition)
        print(f"  {len(indexes)} indexes built in {time.perf_counter() - t0:.1f}s", flush=True)


def _reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from fengqiao.disputes.models import Case, DispatchOrder, Party

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case, DispatchOrder, Party]):
            cur.execute(sql)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--cases", type=int, default=50000)
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--towns", type=int, default=15, help="townships per county")
    ap.add_argument("--villages", type=int, default=27, help="villages per township")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="processes building and loading chunks (default: CPUs on PostgreSQL, 1 on SQLite)",
    )
    args = ap.parse_args()
    jobs = args.jobs or ((os.cpu_count() or 1) if args.db == "postgresql" else 1)
    # Plain connections: a pool's threads must not cross the fork of the loader processes.
    os.environ["FENGQIAO_DB_POOL_SIZE"] = "0"
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    t0 = time.perf_counter()
    recreate(db)
    setup_django(db)
    t_migrate = time.perf_counter() - t0
    tree = build_tree(args.counties, args.towns, args.villages)
    result = generate(args.cases, tree, jobs=jobs)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    elapsed = time.perf_counter() - t0
    meta = {
        "db": args.db,
        "data_dir": str(data_dir),
        "cases_requested": args.cases,
        "tree": tree["counts"],
        "rows": result["counts"],
        "fresh": result["fresh"],
        "generated_at": result["generated_at"],
        "users": {
            "dispatcher": tree["dispatcher_id"],
            "dispatcher_org": tree["dispatcher_org"],
            "town_path": tree["town_path"],
            "mediator": tree["mediator_id"],
            "mediator_org": tree["mediator_org"],
        },
        "seconds": {"migrate": round(t_migrate, 1), "total": round(elapsed, 1)},
    }
    (data_dir / "meta.json").write_text(json.dumps(meta, indent=1))
    print(f"generated {result['counts']} in {elapsed:.1f}s into {data_dir}")


if __name__ == "__main__":
    main()
