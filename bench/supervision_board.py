"""The 督办 board for a county, and the warning sweep, at scale (issue 15 item 10;
docs/performance.md, "The supervision board").

On a database that ``generate.py`` made (cases, their open deadlines, platforms and committees
in 100 counties), this script adds what a platform of that size holds that is late: a share of
the open deadlines past due (``--overdue``, default 3 %), risk warnings on 0.2 % of cases with
four notices each (one in ten unacknowledged), an open emergency response per 10,000 cases.
Then it times the whole board page (session, grants, the seven aggregate queries, the
template) as a dispatcher of one county platform, beside the bare SQL of its biggest count, and
the warning sweep with nothing due and with a batch due::

    FENGQIAO_BENCH_PG_NAME=fq_board_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 300000 --data-dir /tmp/fq-board-bench
    FENGQIAO_BENCH_PG_NAME=fq_board_bench .venv/bin/python bench/supervision_board.py \\
        --db postgresql --data-dir /tmp/fq-board-bench

Each count is an index range per org of the county (``due_org_running``: open, running
deadlines by org and due time; notices by org), so the board's cost follows what is late in
the county, not the size of the platform.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, machine, measure, raw_connection, setup_django

BATCH = 5000


def populate(overdue: float, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.db.models.functions import Mod
    from django.utils import timezone

    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.core.paths import PATH_SEGMENT as SEG
    from fengqiao.disputes.models import Case, DueItem
    from fengqiao.orgs.models import Organization
    from fengqiao.regions.models import Region
    from fengqiao.risk.models import EmergencyResponse, RiskWarning, WarningNotice

    rng = random.Random(seed)
    county = Region.objects.filter(level=3).order_by("path").first()
    assert county is not None
    platform = Organization.objects.get(region=county, kind__code="platform")
    user = User.objects.filter(username="bench_overseer").first()
    if user is not None:
        return {"user": user.pk, "added": 0}
    t0 = time.perf_counter()
    user = User.objects.create(username="bench_overseer", must_change_password=False)
    RoleGrant.objects.create(
        user=user, role=Role.objects.get(code=BuiltinRole.DISPATCHER), org=platform
    )
    now = timezone.now()
    open_ids = list(DueItem.objects.filter(status="open").values_list("pk", flat=True))
    late = rng.sample(open_ids, int(len(open_ids) * overdue))
    for start in range(0, len(late), BATCH):
        chunk = late[start : start + BATCH]
        DueItem.objects.filter(pk__in=chunk).update(due_at=now - timedelta(days=rng.random() * 30))
    # Every 500th case (0.2 %) has a warning.
    cases: list[tuple[int, str]] = list(
        Case.objects.annotate(m=Mod("pk", 500)).filter(m=0).values_list("pk", "region_path")
    )
    platforms = {
        o.region.path: o.pk
        for o in Organization.objects.filter(kind__code="platform").select_related("region")
    }
    committees = list(
        Organization.objects.filter(kind__code="committee_village").values_list("pk", flat=True)[
            :5000
        ]
    )
    warnings = notices = responses = 0
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        with transaction.atomic():
            rows = RiskWarning.objects.bulk_create(
                RiskWarning(
                    case_id=pk,
                    grade="high",
                    region_path=path,
                    reasons=["涉及人数30人以上"],
                    facts="基准",
                    measures=["稳控"],
                    raised_at=now - timedelta(days=rng.random() * 365),
                    status="open" if rng.random() < 0.2 else "closed",
                )
                for pk, path in chunk
            )
            warnings += len(rows)
            batch = []
            for warning in rows:
                township = platforms.get(warning.region_path[: 4 * SEG]) or platform.pk
                county_org = platforms.get(warning.region_path[: 3 * SEG]) or platform.pk
                for org in {township, county_org, rng.choice(committees), rng.choice(committees)}:
                    acked = rng.random() >= 0.1
                    batch.append(
                        WarningNotice(
                            warning=warning,
                            org_id=org,
                            basis="territory",
                            sent_at=warning.raised_at,
                            due_at=warning.raised_at + timedelta(hours=2),
                            awaiting=False,
                            warning_open=warning.status == "open",
                            acknowledged_at=warning.raised_at + timedelta(minutes=30)
                            if acked
                            else None,
                        )
                    )
            notices += len(WarningNotice.objects.bulk_create(batch))
            opened = [w for w in rows if rng.random() < 0.05]
            EmergencyResponse.objects.bulk_create(
                EmergencyResponse(
                    case_id=w.case_id,
                    warning=w,
                    platform_id=platforms.get(w.region_path[: 4 * SEG]) or platform.pk,
                    region_path=w.region_path,
                    title="基准应急联动",
                    situation="基准",
                    place="基准",
                    lead=user,
                    status="open" if rng.random() < 0.3 else "closed",
                )
                for w in opened
            )
            responses += len(opened)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "user": user.pk,
        "overdue_deadlines": len(late),
        "warnings": warnings,
        "notices": notices,
        "responses": responses,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--overdue", type=float, default=0.03)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also print the page's queries by time and a profile of 20 pages (where time goes)",
    )
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    setup_django(db)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from fengqiao.accounts.models import User
    from fengqiao.disputes.models import Case
    from fengqiao.risk.alerts import sweep_warnings
    from fengqiao.supervision.selectors import board, overseen_orgs

    info = populate(args.overdue, args.seed)
    user = User.objects.get(pk=info["user"])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def page(_i: int) -> None:
        response = client.get("/supervision/")
        assert response.status_code == 200, response.status_code

    with override_settings(DEBUG=True):
        reset_queries()
        page(0)
        queries = len(connection.queries)
        if args.profile:
            reset_queries()
            page(0)
            slowest = sorted(connection.queries, key=lambda q: -float(q["time"]))
            print(f"{len(slowest)} queries, {sum(float(q['time']) for q in slowest) * 1000:.1f} ms")
            for q in slowest[:12]:
                print(f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(20):
            page(i)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    timing = measure(page, args.requests)
    b = board(user)
    orgs = list(overseen_orgs(user).values_list("pk", flat=True))
    raw = raw_connection(db)
    placeholder = "%s" if args.db == "postgresql" else "?"
    marks = ", ".join([placeholder] * len(orgs))
    sql = (
        "SELECT org_id, COUNT(*) FROM disputes_dueitem WHERE status = 'open' "
        f"AND paused_at IS NULL AND due_at < {placeholder} AND org_id IN ({marks}) "
        "GROUP BY org_id"
    )

    def bare(_i: int) -> None:
        cur = raw.cursor()
        cur.execute(sql, [timezone.now(), *orgs])
        cur.fetchall()

    base = measure(bare, args.requests)
    idle = measure(lambda _i: sweep_warnings(), 20)
    results = {
        "machine": machine(),
        "db": args.db,
        "cases": Case.objects.count(),
        "populate": info,
        "board": {
            "p50_ms": round(timing.median, 2),
            "p95_ms": round(timing.pct(95), 2),
            "queries": queries,
            "late_in_county": b.total,
            "orgs_in_county": len(orgs),
            "baseline_deadlines_p95_ms": round(base.pct(95), 3),
        },
        "sweep_nothing_due_p95_ms": round(idle.pct(95), 2),
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))
    out = Path(__file__).resolve().parent / "results" / f"supervision_board_{args.db}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
