"""EXPLAIN ANALYZE the statements behind the case scope (``Case.scope_member_q``) on the bench
database that ``generate.py`` made: 我的工作 of a village mediator and of a township dispatcher,
and their case lists (first page of 30). For each scenario: the in-process time of the call
(median), its statements, and for each statement that reads the case or dispatch-order table
its time in the database and whether any node scans the whole table (docs/performance.md).
``--settled N`` first gives the mediator's committee N settled (已办结) orders on older cases,
as years of history would, inside a transaction rolled back at the end::

    .venv/bin/python bench/explain_scope.py --db postgresql [--settled 15000] [--plans]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, setup_django

TABLES = ("disputes_case", "disputes_dispatchorder")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=5, help="EXPLAIN ANALYZE runs per statement")
    ap.add_argument("--calls", type=int, default=40, help="timed calls per scenario")
    ap.add_argument("--settled", type=int, default=0, help="settled orders to add (rolled back)")
    ap.add_argument("--plans", action="store_true", help="print each plan")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    meta = json.loads((data_dir / "meta.json").read_text())
    setup_django(db)

    from django.db import connection, transaction

    from fengqiao.accounts.access import forget_grants
    from fengqiao.accounts.models import User
    from fengqiao.disputes import selectors

    users = meta["users"]
    dispatcher = User.objects.get(pk=users["dispatcher"])
    mediator = User.objects.get(pk=users["mediator"])

    def fresh(user: Any) -> Any:
        forget_grants(user)
        return user

    scenarios: list[tuple[str, Callable[[], Any]]] = [
        ("worklist: village mediator", lambda: selectors.worklist_for_user(fresh(mediator))),
        ("worklist: township dispatcher", lambda: selectors.worklist_for_user(fresh(dispatcher))),
        (
            "case list: township dispatcher (page 1 of 30)",
            lambda: list(
                selectors.case_list_for_user(fresh(dispatcher), selectors.CaseFilters())[:30]
            ),
        ),
        (
            "case list: village mediator (page 1 of 30)",
            lambda: list(
                selectors.case_list_for_user(fresh(mediator), selectors.CaseFilters())[:30]
            ),
        ),
    ]
    with transaction.atomic():
        if args.settled:
            settle(connection, users["mediator_org"], args.settled)
        explain(connection, scenarios, args.runs, args.calls, args.plans)
        transaction.set_rollback(True)


def settle(connection: Any, org_id: int, n: int) -> None:
    """``n`` settled orders to ``org_id`` on resolved cases (the org's years of history)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO disputes_dispatchorder (role, status, task, dispatched_at, accept_by, "
            "responded_at, return_reason, case_id, from_org_id, to_org_id) "
            "SELECT 'lead', 'done', '', c.registered_at, c.registered_at + interval '3 days', "
            "c.registered_at, '', c.id, c.platform_id, %s FROM disputes_case c "
            "WHERE c.status = 'resolved' ORDER BY c.id LIMIT %s",
            [org_id, n],
        )
        cursor.execute("ANALYZE disputes_dispatchorder")
    print(f"(+{n} settled orders to org {org_id}, rolled back at the end)")


def explain(
    connection: Any,
    scenarios: list[tuple[str, Callable[[], Any]]],
    runs: int,
    calls: int,
    plans: bool,
) -> None:
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        for label, fn in scenarios:
            fn()  # warm
            spent = []
            for _ in range(calls):
                t0 = time.perf_counter()
                fn()
                spent.append((time.perf_counter() - t0) * 1000)
            with CaptureQueriesContext(connection) as captured:
                fn()
            total = 0.0
            full_scans: set[str] = set()
            print(
                f"{label}: {statistics.median(spent):.2f} ms a call (median of {calls}), "
                f"{len(captured.captured_queries)} statements"
            )
            for q in captured.captured_queries:
                sql = q["sql"]
                if not any(t in sql for t in TABLES) or not sql.lstrip().startswith("SELECT"):
                    continue
                times = []
                plan_text = ""
                for _ in range(runs):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]
                    times.append(plan["Planning Time"] + plan["Execution Time"])
                    plan_text = json.dumps(plan["Plan"])
                ms = statistics.median(times)
                total += ms
                scans = {
                    t
                    for t in TABLES
                    if re.search(
                        rf'"Node Type": "Seq Scan"[^{{}}]*"Relation Name": "{t}"', plan_text
                    )
                }
                full_scans |= scans
                shape = re.sub(r"\s+", " ", sql)[:110]
                flag = f"  SEQ SCAN {sorted(scans)}" if scans else ""
                print(f"  {ms:8.2f} ms  {shape}{flag}")
                if plans:
                    cursor.execute("EXPLAIN ANALYZE " + sql)
                    print("\n".join("      " + r[0] for r in cursor.fetchall()))
            verdict = f"full scans of {sorted(full_scans)}" if full_scans else "no full scan"
            print(f"  = {total:.2f} ms in the database (planning + execution, medians), {verdict}")


if __name__ == "__main__":
    main()
