"""Run the scenarios against a generated bench database, each beside its bare-minimum baseline
(hand-written SQL through sqlite3/psycopg, no Django) in the same run.

    python bench/run.py --db sqlite [--data-dir DIR] [--iterations 200] [--out docs/performance.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    BenchDB,
    Timing,
    machine,
    measure,
    process_rss_mb,
    raw_connection,
    setup_django,
    start_web,
)

WORKLIST_STATES = ("accepted", "mediating", "suspended")


class Raw:
    """The baseline: one DB-API connection, %s placeholders on both databases."""

    def __init__(self, db: BenchDB) -> None:
        self.pg = db.engine == "postgresql"
        self.conn = raw_connection(db)
        if self.pg:
            self.conn.autocommit = True

    def sql(self, q: str) -> str:
        return q if self.pg else q.replace("%s", "?").replace(" FOR UPDATE", "")

    def all(self, q: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.conn.execute(self.sql(q), params).fetchall()

    def one(self, q: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(self.sql(q), params).fetchone()

    def run(self, q: str, params: tuple[Any, ...] = ()) -> None:
        self.conn.execute(self.sql(q), params)

    def many(self, q: str, rows: list[tuple[Any, ...]]) -> None:
        if self.pg:
            with self.conn.cursor() as cur:
                cur.executemany(q, rows)
        else:
            self.conn.executemany(self.sql(q), rows)

    def begin(self) -> None:
        self.conn.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def ts(self, dt: datetime) -> Any:
        return dt if self.pg else dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def upper(path: str) -> str:
    return path + "9" * (105 - len(path))


# --- Baselines ----------------------------------------------------------------------------------

CASE_REGION = "SELECT c.*, r.* FROM disputes_case c JOIN regions_region r ON r.id = c.region_id "


def raw_worklist(raw: Raw, user_id: int, town_path: str | None) -> None:
    now = datetime.now(UTC)
    orgs = [
        r[0]
        for r in raw.all(
            "SELECT org_id FROM accounts_rolegrant WHERE user_id = %s AND org_id IS NOT NULL",
            (user_id,),
        )
    ]
    marks = ", ".join(["%s"] * len(orgs))
    if town_path is not None:  # a dispatcher: the platform's queue
        raw.all(
            CASE_REGION + f"WHERE c.platform_id IN ({marks}) AND c.status IN "
            "('registered', 'assessed') AND c.region_path BETWEEN %s AND %s "
            "ORDER BY c.registered_at LIMIT 50",
            (*orgs, town_path, upper(town_path)),
        )
    raw.all(
        "SELECT d.*, c.*, o.* FROM disputes_dispatchorder d "
        "JOIN disputes_case c ON c.id = d.case_id "
        f"JOIN orgs_organization o ON o.id = d.to_org_id WHERE d.to_org_id IN ({marks}) "
        "AND d.status = 'pending' ORDER BY d.accept_by LIMIT 50",
        tuple(orgs),
    )
    raw.all(
        CASE_REGION + f"WHERE (c.handler_id = %s OR c.handling_org_id IN ({marks})) "
        "AND c.status IN ('accepted', 'mediating', 'suspended') ORDER BY c.registered_at LIMIT 50",
        (user_id, *orgs),
    )
    due = (
        "SELECT i.*, c.*, o.* FROM disputes_dueitem i JOIN disputes_case c ON c.id = i.case_id "
        f"JOIN orgs_organization o ON o.id = i.org_id WHERE i.org_id IN ({marks}) "
        "AND i.status = 'open' AND i.paused_at IS NULL "
    )
    raw.all(
        due + "AND i.due_at >= %s AND i.due_at <= %s ORDER BY i.due_at LIMIT 50",
        (*orgs, raw.ts(now), raw.ts(now + timedelta(days=3))),
    )
    raw.all(due + "AND i.due_at < %s ORDER BY i.due_at LIMIT 50", (*orgs, raw.ts(now)))


def raw_case_list(raw: Raw, org_id: int, town_path: str, category: str) -> list[Any]:
    return raw.all(
        "SELECT c.*, r.*, h.*, p.* FROM disputes_case c "
        "JOIN regions_region r ON r.id = c.region_id "
        "LEFT JOIN orgs_organization h ON h.id = c.handling_org_id "
        "JOIN orgs_organization p ON p.id = c.platform_id "
        "WHERE (c.region_path BETWEEN %s AND %s OR c.platform_id = %s OR c.handling_org_id = %s) "
        "AND c.category = %s ORDER BY c.registered_at DESC, c.id DESC LIMIT 30",
        (town_path, upper(town_path), org_id, org_id, category),
    )


def raw_detail(raw: Raw, case_id: int) -> None:
    raw.one(
        "SELECT c.*, r.*, p.*, h.*, u.* FROM disputes_case c "
        "JOIN regions_region r ON r.id = c.region_id "
        "JOIN orgs_organization p ON p.id = c.platform_id "
        "LEFT JOIN orgs_organization h ON h.id = c.handling_org_id "
        "LEFT JOIN accounts_user u ON u.id = c.handler_id WHERE c.id = %s",
        (case_id,),
    )
    raw.all("SELECT * FROM disputes_party WHERE case_id = %s ORDER BY role, id", (case_id,))
    raw.all(
        "SELECT d.*, o.* FROM disputes_dispatchorder d JOIN orgs_organization o "
        "ON o.id = d.to_org_id WHERE d.case_id = %s ORDER BY d.dispatched_at",
        (case_id,),
    )
    raw.all(
        "SELECT i.*, o.* FROM disputes_dueitem i JOIN orgs_organization o ON o.id = i.org_id "
        "WHERE i.case_id = %s ORDER BY i.due_at",
        (case_id,),
    )
    raw.one("SELECT * FROM disputes_agreement WHERE case_id = %s", (case_id,))
    raw.all(
        "SELECT t.*, o.* FROM disputes_timelineevent t LEFT JOIN orgs_organization o "
        "ON o.id = t.org_id WHERE t.case_id = %s ORDER BY t.at, t.id",
        (case_id,),
    )


TIMELINE_INSERT = (
    "INSERT INTO disputes_timelineevent (case_id, at, actor_id, actor_name, org_id, action, "
    "from_status, to_status, note, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s)"
)
AUDIT_INSERT = (
    "INSERT INTO audit_auditevent (created_at, actor_id, actor_name, event_type, object_type, "
    "object_id, object_repr, before, after, request_id, ip, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, 'disputes.case', %s, %s, %s, %s, '', '', '', '')"
)


def raw_accept(raw: Raw, order_id: int, user_id: int) -> None:
    now = raw.ts(datetime.now(UTC))
    raw.begin()
    case_id = raw.one("SELECT case_id FROM disputes_dispatchorder WHERE id = %s", (order_id,))[0]
    case = raw.one(
        "SELECT id, status, version, channel, number FROM disputes_case WHERE id = %s FOR UPDATE",
        (case_id,),
    )
    org = raw.one(
        "SELECT to_org_id FROM disputes_dispatchorder WHERE id = %s FOR UPDATE", (order_id,)
    )[0]
    raw.run(
        "UPDATE disputes_dispatchorder SET status = 'accepted', responded_at = %s, "
        "responded_by_id = %s WHERE id = %s",
        (now, user_id, order_id),
    )
    raw.run(
        "UPDATE disputes_dueitem SET status = 'done', next_check_at = NULL "
        "WHERE dispatch_id = %s AND status = 'open'",
        (order_id,),
    )
    raw.run(
        "UPDATE disputes_case SET status = 'accepted', handling_org_id = %s, handler_id = %s, "
        "version = version + 1 WHERE id = %s",
        (org, user_id, case_id),
    )
    due = raw.ts(datetime.now(UTC) + timedelta(days=30))
    raw.run(
        "INSERT INTO disputes_dueitem (case_id, kind, org_id, due_at, next_check_at, status, "
        "period_unit, moves, clock) VALUES (%s, 'mediation', %s, %s, %s, 'open', '', '[]', '')",
        (case_id, org, due, due),
    )
    data = json.dumps({"from_version": case[2], "dispatch": order_id, "role": "sole"})
    raw.run(
        TIMELINE_INSERT, (case_id, now, user_id, "调解员", org, "accept", case[1], "accepted", data)
    )
    raw.run(
        AUDIT_INSERT,
        (
            now,
            user_id,
            "调解员",
            "case.transition",
            str(case_id),
            case[4],
            json.dumps({"status": case[1]}),
            json.dumps({"status": "accepted", "action": "accept"}),
        ),
    )
    raw.commit()


# 人民调解法 art. 29: a written agreement states the facts and the points in dispute.
AGREE_FACTS = "双方因宅基地边界发生争执。"
AGREE_POINTS = "院墙位置及赔偿数额。"


def raw_agree(raw: Raw, case_id: int, user_id: int) -> None:
    now = raw.ts(datetime.now(UTC))
    raw.begin()
    case = raw.one(
        "SELECT id, status, version, handling_org_id, number FROM disputes_case "
        "WHERE id = %s FOR UPDATE",
        (case_id,),
    )
    # 人民调解法 art. 17: every applicant and respondent still consents; the notice was given.
    consents = raw.all(
        "SELECT p.id, c.decision FROM disputes_party p "
        "LEFT JOIN mediation_partyconsent c ON c.party_id = p.id "
        "WHERE p.case_id = %s AND p.role IN ('applicant', 'respondent')",
        (case_id,),
    )
    notice = raw.one("SELECT 1 FROM mediation_rightsnotice WHERE case_id = %s", (case_id,))
    if not consents or any(d != "consented" for _p, d in consents) or notice is None:
        raise RuntimeError(f"fixture case {case_id} lacks consent or the rights notice")
    raw.run(
        "INSERT INTO disputes_agreement (case_id, kind, facts, disputed_points, "
        "responsibilities, terms, performance_method, performance_place, concluded_at) "
        "VALUES (%s, 'written', %s, %s, '', '双方同意和解。', '', '', %s)",
        (case_id, AGREE_FACTS, AGREE_POINTS, now),
    )
    raw.run(
        "UPDATE disputes_case SET status = 'resolved', closed_at = %s, resolved_level = 5, "
        "version = version + 1 WHERE id = %s",
        (now, case_id),
    )
    raw.run(
        TIMELINE_INSERT,
        (
            case_id,
            now,
            user_id,
            "调解员",
            None,
            "agree",
            case[1],
            "resolved",
            json.dumps({"from_version": case[2], "kind": "written"}),
        ),
    )
    raw.run(
        AUDIT_INSERT,
        (
            now,
            user_id,
            "调解员",
            "case.transition",
            str(case_id),
            case[4],
            json.dumps({"status": case[1]}),
            json.dumps({"status": "resolved", "action": "agree"}),
        ),
    )
    raw.run(
        "UPDATE disputes_dispatchorder SET status = 'cancelled' WHERE case_id = %s "
        "AND status = 'pending'",
        (case_id,),
    )
    raw.run(
        "UPDATE disputes_dueitem SET status = 'done', next_check_at = NULL "
        "WHERE case_id = %s AND status = 'open'",
        (case_id,),
    )
    # 办结反馈: the platforms that dispatched the case hear the result.
    platforms = [
        r[0]
        for r in raw.all(
            "SELECT DISTINCT from_org_id FROM disputes_dispatchorder WHERE case_id = %s",
            (case_id,),
        )
    ]
    if platforms:
        raw.run(
            TIMELINE_INSERT,
            (
                case_id,
                now,
                user_id,
                "调解员",
                case[3],
                "report_back",
                "resolved",
                "resolved",
                json.dumps({"platforms": platforms, "outcome": "resolved"}),
            ),
        )
        raw.run(
            AUDIT_INSERT,
            (
                now,
                user_id,
                "调解员",
                "case.reported",
                str(case_id),
                case[4],
                "{}",
                json.dumps({"platforms": platforms, "outcome": "resolved"}),
            ),
        )
        marks = ", ".join(["%s"] * len(platforms))
        recipients = raw.all(
            f"SELECT DISTINCT user_id FROM accounts_rolegrant WHERE org_id IN ({marks})",
            tuple(platforms),
        )
        raw.many(
            "INSERT INTO notify_notification (recipient_id, kind, title, body, url, case_id, "
            "created_at) VALUES (%s, 'result', %s, '双方同意和解。', %s, %s, %s)",
            [
                (r[0], f"办理结果：{case[4]}", f"/cases/{case_id}/", case_id, now)
                for r in recipients
            ],
        )
    raw.commit()


def raw_sweep(raw: Raw, now: datetime, batch: int) -> int:
    """Select due items in batches of ``batch`` (the platform's), write a reminder event and
    audit row each, move their next check; rolled back so the data stays as generated."""
    examined = 0
    raw.begin()
    since = None  # keyset: each batch starts at the last one's next check, as the platform's
    while True:
        rows = raw.all(
            "SELECT i.id, i.case_id, i.org_id, i.due_at, c.status, c.number, i.next_check_at "
            "FROM disputes_dueitem i JOIN disputes_case c ON c.id = i.case_id "
            "WHERE i.status = 'open' AND i.next_check_at IS NOT NULL AND i.next_check_at <= %s "
            "AND i.paused_at IS NULL"
            + (" AND i.next_check_at >= %s" if since is not None else "")
            + " ORDER BY i.next_check_at, i.id LIMIT %s",
            (raw.ts(now), batch) if since is None else (raw.ts(now), since, batch),
        )
        if not rows:
            break
        since = rows[-1][6]
        examined += len(rows)
        ts = raw.ts(now)
        raw.many(
            TIMELINE_INSERT,
            [
                (r[1], ts, None, "系统", r[2], "remind", r[4], r[4], json.dumps({"due_item": r[0]}))
                for r in rows
            ],
        )
        raw.many(
            AUDIT_INSERT,
            [
                (
                    ts,
                    None,
                    "",
                    "case.reminded",
                    str(r[1]),
                    r[5],
                    None,
                    json.dumps({"due_item": r[0]}),
                )
                for r in rows
            ],
        )
        # An item already past its deadline gets no further check (as the platform's 督办
        # step does); moving it to due_at would select it again forever.
        raw.many(
            "UPDATE disputes_dueitem SET reminded_at = %s, next_check_at = CASE WHEN due_at > %s "
            "THEN due_at END WHERE id = %s",
            [(ts, ts, r[0]) for r in rows],
        )
    raw.rollback()
    return examined


def raw_intake(raw: Raw, i: int, region: tuple[int, str], platform: int, user_id: int) -> None:
    """What one intake writes: the number counter, the case, two parties (hashes precomputed by
    the caller in real life: constants here), the timeline row and the audit row."""
    now = datetime.now(UTC)
    ts = raw.ts(now)
    raw.begin()
    seq = raw.one(
        "UPDATE disputes_casecounter SET last_seq = last_seq + 1 WHERE region_id = %s "
        "AND year = %s RETURNING last_seq",
        (region[0], now.year + 100),
    )
    number = f"B{region[0]}-{seq[0] if seq else i}-{random.randrange(10**12)}"
    case_id = raw.one(
        "INSERT INTO disputes_case (number, number_region_id, region_id, region_path, address, "
        "title, facts, claims, category, channel, status, grade, people_count, flag_group, "
        "flag_criminal_risk, flag_petition_risk, flag_vulnerable, flag_sensitive, platform_id, "
        "registered_at, registered_by_id, archive_number, version) VALUES (%s, %s, %s, %s, '', "
        "%s, %s, '', 'neighbour', 'grid', 'registered', 'low', 2, FALSE, FALSE, FALSE, FALSE, "
        "FALSE, %s, %s, %s, '', 1) RETURNING id",
        (number, region[0], region[0], region[1], "邻里纠纷", "双方因排水沟问题发生争执。",
         platform, ts, user_id),
    )[0]  # fmt: skip
    raw.many(
        "INSERT INTO disputes_party (case_id, role, kind, name, id_number, id_number_hash, "
        "phone, phone_hash, address) VALUES (%s, %s, 'person', %s, '', '', '', '', '')",
        [(case_id, "applicant", "张三丰"), (case_id, "respondent", "李四光")],
    )
    raw.run(TIMELINE_INSERT, (case_id, ts, user_id, "调度员", None, "register", "", "registered",
                              json.dumps({"channel": "grid", "from_version": 0})))  # fmt: skip
    raw.run(AUDIT_INSERT, (ts, user_id, "调度员", "case.registered", str(case_id), number, None,
                           json.dumps({"number": number})))  # fmt: skip
    raw.commit()


def intake_baseline(db: BenchDB, meta: dict[str, Any], n: int = 300) -> dict[str, Any]:
    from fengqiao.regions.models import Region

    raw = Raw(db)
    village = Region.objects.filter(path__startswith=meta["users"]["town_path"], level=5).first()
    assert village is not None
    region = (village.pk, village.path)
    args = (region, meta["users"]["dispatcher_org"], meta["users"]["dispatcher"])
    t = measure(lambda i: raw_intake(raw, i, *args), n)
    return {
        "scenario": "intake baseline: the same inserts in SQL, 1 client, no HTTP",
        "throughput": round(1000 / t.median, 1) if t.median else 0,
        "p50_ms": round(t.median, 2),
        "p99_ms": round(t.pct(99), 2),
        "ok": n,
        "errors": 0,
        "seconds": round(sum(t.samples), 1),
        "threads": 1,
    }


# --- The run ------------------------------------------------------------------------------------


def queries_of(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def row(name: str, app: Timing, base: Timing, unit: str = "ms", **extra: Any) -> dict[str, Any]:
    ratio = app.median / base.median if base.median else 0.0
    return {
        "scenario": name,
        "median_ms": round(app.median, 2),
        "p95_ms": round(app.pct(95), 2),
        "p99_ms": round(app.pct(99), 2),
        "baseline_median_ms": round(base.median, 3),
        "baseline_p99_ms": round(base.pct(99), 3),
        "ratio": round(ratio, 1),
        "n": len(app.samples),
        **extra,
    }


# The tables a run writes to (its transitions commit; its sweeps write and roll back).
WRITTEN = (
    "disputes_case",
    "disputes_dispatchorder",
    "disputes_dueitem",
    "disputes_timelineevent",
    "disputes_supervisionorder",
    "notify_notification",
    "audit_auditevent",
)


def vacuum(raw: Raw) -> None:
    """Clear the dead rows earlier scenarios (or runs) left, so each scenario starts as a
    database with autovacuum would: a rolled-back 100,000-item sweep leaves ~400,000 dead rows
    and their index entries, and this machine's PostgreSQL runs with ``autovacuum = off``."""
    if raw.pg:
        raw.run(f"VACUUM (ANALYZE) {', '.join(WRITTEN)}")


def memory_available() -> int:
    """Bytes the kernel says it could give without swapping (``MemAvailable``), 0 if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# Read the first N bytes of a file (argv[1], argv[2]) into the page cache and drop them.
READ_FILE = (
    "import sys\n"
    "left = int(sys.argv[2])\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    while left > 0 and (chunk := f.read(min(left, 8 << 20))):\n"
    "        left -= len(chunk)\n"
)


def warm(db: BenchDB, raw: Raw, share: float = 0.6) -> str:
    """Read the database into the OS page cache before measuring, as a server that has been
    serving would have it: a fresh generation, a restart or a dropped cache otherwise makes
    each first touch of a page a disk read (a cold 100,000-item sweep took 269 s here, 155 s
    of it reading due items' cases). PostgreSQL: every index, then the tables from the
    smallest, with ``pg_prewarm``, up to ``share`` of the available memory; SQLite: the file."""
    budget = int(memory_available() * share)
    t0 = time.perf_counter()
    if raw.pg:
        raw.run("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        relations = raw.all(
            "SELECT c.oid, pg_relation_size(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
            " ORDER BY c.relkind = 'r', pg_relation_size(c.oid)"
        )
        done = 0
        for oid, size in relations:
            if done + size > budget:
                break
            raw.one("SELECT pg_prewarm(%s, 'read')", (oid,))
            done += size
        total = sum(size for _, size in relations)
    else:
        path = db.sqlite_path
        total = path.stat().st_size
        done = min(total, budget)
        # Read in another process: closing a descriptor of the database file in this one would
        # drop every POSIX lock its open SQLite connections hold on it, and the web and task
        # processes would then checkpoint and delete the WAL under them (a corrupted database:
        # the 1 M-case run of 2026-12-03 07:08 ended in "database disk image is malformed").
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", READ_FILE, str(path), str(done)], check=True
        )
    return (
        f"{done / 2**30:.1f} of {total / 2**30:.1f} GiB read into the page cache"
        f" in {time.perf_counter() - t0:.0f} s"
    )


def run(db: BenchDB, iterations: int, intake_seconds: float) -> dict[str, Any]:
    meta = json.loads((db.data_dir / "meta.json").read_text())
    setup_django(db)
    vacuum(Raw(db))
    meta["warmed"] = warm(db, Raw(db))
    from django.db import transaction

    from fengqiao.accounts.access import forget_grants
    from fengqiao.accounts.models import User
    from fengqiao.disputes import selectors, sweep
    from fengqiao.disputes.models import Case, DispatchOrder, DueItem
    from fengqiao.disputes.services.dispatch import dispatch_accept
    from fengqiao.mediation.outcomes import case_agree

    raw = Raw(db)
    users = meta["users"]
    dispatcher = User.objects.get(pk=users["dispatcher"])
    mediator = User.objects.get(pk=users["mediator"])
    town = users["town_path"]
    rng = random.Random(3)
    results: list[dict[str, Any]] = []

    def fresh(user: Any) -> Any:
        forget_grants(user)
        return user

    # Worklists.
    for label, user, path in (
        ("worklist: township dispatcher", dispatcher, town),
        ("worklist: village mediator", mediator, None),
    ):
        app = measure(lambda _i, u=user: selectors.worklist_for_user(fresh(u)), iterations)
        base = measure(lambda _i, u=user, p=path: raw_worklist(raw, u.pk, p), iterations)
        nq = queries_of(lambda u=user: selectors.worklist_for_user(fresh(u)))
        results.append(row(label, app, base, queries=nq))

    # Filtered case list, first page.
    categories = ["neighbour", "marriage_family", "labour", "contract"]

    def app_list(i: int) -> Any:
        f = selectors.CaseFilters(category=categories[i % 4])
        return list(selectors.case_list_for_user(fresh(dispatcher), f)[:30])

    app = measure(app_list, iterations)
    base = measure(
        lambda i: raw_case_list(raw, users["dispatcher_org"], town, categories[i % 4]), iterations
    )
    results.append(
        row(
            "case list (category filter, page 1 of 30)",
            app,
            base,
            queries=queries_of(lambda: app_list(0)),
        )
    )

    # Case detail with timeline.
    ids = list(
        Case.objects.filter(region_path__startswith=town, status="resolved").values_list(
            "pk", flat=True
        )[:2000]
    )
    picks = [rng.choice(ids) for _ in range(iterations + 10)]
    # Read each picked case's rows once first: the platform is timed first, and would otherwise
    # pay every first read from disk that the baseline after it finds in the cache.
    for pk in picks:
        raw_detail(raw, pk)
    app = measure(lambda i: selectors.case_detail_for_user(fresh(dispatcher), picks[i]), iterations)
    base = measure(lambda i: raw_detail(raw, picks[i]), iterations)
    nq = queries_of(lambda: selectors.case_detail_for_user(fresh(dispatcher), picks[0]))
    results.append(row("case detail + timeline", app, base, queries=nq))

    # Transitions on fresh fixtures: the first half for Django, the second for the baseline.
    # Fixtures still in their state (a second run on the same data uses what is left).
    dispatched = list(
        Case.objects.filter(pk__in=meta["fresh"]["dispatched"], status="dispatched")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    mediating = list(
        Case.objects.filter(pk__in=meta["fresh"]["mediating"], status="mediating")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    n_tr = min(iterations, len(dispatched) // 2 - 5, len(mediating) // 2 - 5)
    if n_tr < 20:
        raise SystemExit(
            "The transition fixtures are used up (each run accepts and closes about "
            f"{2 * iterations} of them): generate the bench database again."
        )
    orders = dict(DispatchOrder.objects.filter(case_id__in=dispatched).values_list("case_id", "pk"))
    app_orders = [orders[c] for c in dispatched[: n_tr + 3]]
    base_orders = [orders[c] for c in dispatched[len(dispatched) // 2 :][: n_tr + 3]]
    app = measure(lambda i: dispatch_accept(actor=fresh(mediator), dispatch_id=app_orders[i]), n_tr)
    base = measure(lambda i: raw_accept(raw, base_orders[i], mediator.pk), n_tr)
    results.append(row("transition: accept (交办单受理)", app, base))
    app_cases = mediating[: n_tr + 3]
    base_cases = mediating[len(mediating) // 2 :][: n_tr + 3]
    app = measure(
        lambda i: case_agree(
            actor=fresh(mediator),
            case_id=app_cases[i],
            version=None,
            kind="written",
            terms="双方同意和解。",
            facts=AGREE_FACTS,
            disputed_points=AGREE_POINTS,
        ),
        n_tr,
    )
    base = measure(lambda i: raw_agree(raw, base_cases[i], mediator.pk), n_tr)
    results.append(row("transition: close with agreement", app, base))

    # Deadline sweep at 1% and 0.1% of open items due.
    generated = datetime.fromisoformat(meta["generated_at"])
    open_items = DueItem.objects.filter(status="open", next_check_at__isnull=False).count()
    sweeps: list[tuple[str, timedelta, int]] = [
        ("1% of open items due", timedelta(days=1), 3),
        ("0.1% of open items due", timedelta(hours=2, minutes=24), 3),
    ]
    if open_items >= 200_000:
        # The target: 100,000 due items (next checks are spread over 100 days).
        sweeps.append(
            ("100,000 items due", timedelta(days=100 * 100_000 / open_items), 1),
        )
    for share, offset, runs in sweeps:
        at = generated + offset
        examined: list[int] = []

        def app_sweep(_i: int, at: datetime = at, examined: list[int] = examined) -> None:
            with transaction.atomic():
                examined.append(sweep.sweep_due_items(now=at).examined)
                transaction.set_rollback(True)

        app = measure(app_sweep, runs, warmup=1 if runs > 1 else 0)
        base_examined: list[int] = []
        base = measure(
            lambda _i, at=at, e=base_examined: e.append(raw_sweep(raw, at, sweep.BATCH)),
            runs,
            warmup=1 if runs > 1 else 0,
        )
        results.append(
            row(
                f"deadline sweep, {share}",
                app,
                base,
                examined=examined[-1],
                baseline_examined=base_examined[-1],
                open_items=open_items,
            )
        )

    vacuum(raw)
    return {"meta": meta, "results": results}


def intake(
    db: BenchDB,
    meta: dict[str, Any],
    seconds: float,
    settings: str = "",
    *,
    workers: int = 1,
    threads: int = 8,
    redis_url: str = "",
) -> dict[str, Any]:
    """POST /api/v1/cases under concurrent load: uvicorn with ``workers`` processes and the task
    worker (which seals the audit chain) as in production, the load in another process.

    Each client thread reports for a township of its own through that township dispatcher's
    key, as a province's townships do; case numbers are gap-free per township, so one township
    alone would queue every intake behind its counter row.
    """
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.api.models import ApiKey
    from fengqiao.api.services import api_key_create
    from fengqiao.regions.models import Region

    admin, _ = User.objects.get_or_create(username="bench-admin")
    RoleGrant.objects.get_or_create(user=admin, role=Role.objects.get(code="system_admin"))
    ApiKey.objects.filter(name="bench").delete()
    grants = (
        RoleGrant.objects.filter(role__code="dispatcher", org__region__level=4)
        .select_related("user", "org__region")
        .order_by("org__region__code")[:threads]
    )
    targets = []
    for grant in grants:
        _key, token = api_key_create(
            actor=admin,
            name="bench",
            org=grant.org,
            user=grant.user,
            scopes=["cases:write", "cases:read"],
            rate_per_minute=100_000,  # the load measures capacity, not the per-key limit
        )
        village = Region.objects.filter(path__startswith=grant.org.region.path, level=5).first()
        assert village is not None
        targets.append({"token": token, "region": village.code})
    port = 18000 + random.randrange(1000)
    env = db.env()
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
        env["PYTHONPATH"] = str(Path(__file__).parent)
    if redis_url:
        env["REDIS_URL"] = redis_url
    python = str(Path(sys.executable))
    target_file = db.data_dir / "intake-targets.json"
    target_file.write_text(json.dumps(targets))
    worker = subprocess.Popen(  # noqa: S603
        [python, "manage.py", "run_huey", "--quiet"], env=env, cwd=ROOT
    )
    server = start_web(env, port, workers)
    try:
        out = subprocess.run(  # noqa: S603
            [
                python,
                str(Path(__file__).parent / "load.py"),
                "--port",
                str(port),
                "--targets",
                str(target_file),
                "--threads",
                str(threads),
                "--seconds",
                str(seconds),
                "--web-pid",
                str(server.pid),
                "--worker-pid",
                str(worker.pid),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 120,
        )
        stats = json.loads(out.stdout.strip().splitlines()[-1])
        stats["server_rss_mb"] = _rss_mb(server.pid)
        stats["seal_lag_s"] = _wait_sealed()
    finally:
        server.terminate()
        server.wait(timeout=20)
        worker.terminate()
        worker.wait(timeout=20)
    label = f" [{settings}]" if settings else ""
    where = f"{workers} uvicorn worker{'s' if workers > 1 else ''}" + (
        ", Redis" if redis_url else ""
    )
    return {"scenario": f"intake: POST /api/v1/cases (HTTP, loopback, {where}){label}", **stats}


def _rss_mb(pid: int) -> float:
    """Resident memory of the server: its own and its worker processes' (the largest one)."""
    sizes = process_rss_mb(pid)
    return round(max(sizes), 1) if sizes else 0.0


def _wait_sealed(limit: float = 90) -> float | None:
    """Seconds after the load until the task worker has sealed every audit row it wrote
    (``None``: not within ``limit``)."""
    from fengqiao.audit.models import AuditEvent

    started = time.perf_counter()
    while AuditEvent.objects.filter(seq__isnull=True).exists():
        if time.perf_counter() - started > limit:
            return None
        time.sleep(0.2)
    return round(time.perf_counter() - started, 1)


def _server_notes(r: dict[str, Any]) -> str:
    notes = []
    if r.get("server_rss_mb"):
        notes.append(f"largest web process RSS {r['server_rss_mb']} MB")
    if r.get("cpu_ms_per_case"):
        shares = ", ".join(f"{kind} {ms}" for kind, ms in r["cpu_ms_per_case"].items() if ms)
        notes.append(
            f"CPU ms per case: {shares} (machine {r['machine_cpu_ms_per_case']} of "
            f"{r['cores']} cores)"
        )
    if "seal_lag_s" in r:
        lag = r["seal_lag_s"]
        notes.append(
            "audit chain sealed "
            + (f"{lag} s after the load" if lag is not None else "NOT within 90 s")
        )
    return "; " + "; ".join(notes) if notes else ""


def _oneline(text: str) -> str:
    return " ".join(text.replace("|", "/").replace("<", "&lt;").split())[:80]


def render(report: dict[str, Any]) -> str:
    meta, m = report["meta"], report["machine"]
    lines = [
        f"Database: **{meta['db']}** · cases: **{meta['rows']['cases']:,}** "
        f"(parties {meta['rows']['parties']:,}, timeline events {meta['rows']['timeline']:,}, "
        f"dispatch orders {meta['rows']['orders']:,}, due items {meta['rows']['due_items']:,}) · "
        f"regions: {meta['tree']['counties']} counties, {meta['tree']['townships']:,} townships, "
        f"{meta['tree']['villages']:,} villages · generated in {meta['seconds']['total']} s",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu']}), {m['ram']} RAM, Python {m['python']} · "
        f"run {report['when']}"
        f"{' · ' + meta['warmed'] if meta.get('warmed') else ''}",
        "",
        "| scenario | median ms | p95 ms | p99 ms | baseline median ms | ratio | queries | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        if "throughput" in r:
            lines.append(
                f"| {r['scenario']} | {r['p50_ms']} (p50) | – | {r['p99_ms']} | – | – | – | "
                f"{r['throughput']} cases/s sustained over {r['seconds']} s, {r['threads']} "
                f"client threads, {r['ok']} ok, {r['errors']} errors"
                f"{' (first: ' + _oneline(r['first_error']) + ')' if r['errors'] else ''}"
                f"{_server_notes(r)} |"
            )
            continue
        notes = ""
        if "examined" in r:
            notes = (
                f"examined {r['examined']:,} of {r['open_items']:,} open items "
                f"(baseline {r['baseline_examined']:,})"
            )
        lines.append(
            f"| {r['scenario']} | {r['median_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['baseline_median_ms']} | {r['ratio']}× | {r.get('queries', '–')} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--intake-seconds", type=float, default=0)
    ap.add_argument(
        "--intake-settings",
        default="",
        help="comma-separated server settings modules for extra intake runs (e.g. bench_settings)",
    )
    ap.add_argument(
        "--intake-workers", default="1,2,4", help="uvicorn worker counts, one intake run each"
    )
    ap.add_argument(
        "--intake-threads",
        default="16",
        help="client threads (townships); more counts (16,4) add runs with the last worker count",
    )
    ap.add_argument(
        "--redis",
        default=os.environ.get("FENGQIAO_BENCH_REDIS", "redis://127.0.0.1:6379/13"),
        help="cache, channel layer and task queue for the PostgreSQL intake runs ('' for none)",
    )
    ap.add_argument("--intake-only", action="store_true", help="add intake rows to the last report")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    out = args.json or ROOT / "bench" / "results" / f"{args.db}.json"
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    t0 = time.perf_counter()
    if args.intake_only:
        report = json.loads(out.read_text())
        report["results"] = [r for r in report["results"] if "throughput" not in r]
        setup_django(db)
        vacuum(Raw(db))
    else:
        report = run(db, args.iterations, args.intake_seconds)
    if args.intake_seconds > 0:
        redis_url = args.redis if db.engine == "postgresql" else ""
        threads, *fewer = (int(t) for t in args.intake_threads.split(","))
        worker_counts = [int(w) for w in args.intake_workers.split(",")]
        runs = [(w, threads) for w in worker_counts] + [(worker_counts[-1], t) for t in fewer]
        for workers, clients in runs:
            report["results"].append(
                intake(
                    db,
                    report["meta"],
                    args.intake_seconds,
                    workers=workers,
                    threads=clients,
                    redis_url=redis_url,
                )
            )
        for settings in filter(None, args.intake_settings.split(",")):
            report["results"].append(
                intake(
                    db,
                    report["meta"],
                    args.intake_seconds,
                    settings,
                    workers=worker_counts[-1],
                    threads=threads,
                    redis_url=redis_url,
                )
            )
        report["results"].append(intake_baseline(db, report["meta"]))
    report["machine"] = machine()
    report["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report["seconds"] = round(time.perf_counter() - t0, 1)
    text = render(report)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    (out.with_suffix(".md")).write_text(text)


if __name__ == "__main__":
    main()
