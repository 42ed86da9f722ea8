"""The 统计分析 dashboard at scale (issue 17 item 8; docs/performance.md, "Statistics").

On a database that ``generate.py`` made, this script counts every case into the rollups
(``rollups_rebuild``, timed; skipped when they are already built), then times the whole
dashboard page — session, grants, every measure, breakdown and trend, the template — as a
leader of the busiest county, for a calendar year and for a rolling twelve months (whole months
from the monthly rollup, the days at either end from the daily one), and the drill-down to that
county's busiest township for a quarter::

    FENGQIAO_BENCH_PG_NAME=fq_stats_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 10000000 --data-dir /tmp/fq-stats-bench
    FENGQIAO_BENCH_PG_NAME=fq_stats_bench .venv/bin/python bench/stats_dashboard.py \\
        --db postgresql --data-dir /tmp/fq-stats-bench [--profile]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, machine, measure, migrate, setup_django


def complete_outcomes() -> dict[str, int]:
    """generate.py loads cases in every state but not their agreement, failure and follow-up
    rows, which the measures read the outcome from: add them (once), as the services would have
    — an agreement for each resolved case (and archived one with a resolution level), a failure
    for each failed one, a follow-up for every other resolved case."""
    from django.db import connection

    from fengqiao.mediation.models import Agreement

    if Agreement.objects.exists():
        return {"added": 0}
    statements = {
        "agreements": """
            INSERT INTO disputes_agreement (case_id, kind, facts, disputed_points,
                responsibilities, terms, performance_method, performance_place, concluded_at)
            SELECT id, 'oral', '', '', '', '基准协议', '', '', closed_at
            FROM disputes_case
            WHERE closed_at IS NOT NULL
              AND (status = 'resolved' OR (status = 'archived' AND resolved_level IS NOT NULL))
        """,
        "failures": """
            INSERT INTO disputes_failure (case_id, undisputed_facts, note, recorded_at)
            SELECT id, '基准', '', closed_at FROM disputes_case
            WHERE status = 'failed' AND closed_at IS NOT NULL
        """,
        "follow_ups": """
            INSERT INTO disputes_followup (case_id, visited_at, satisfaction, comment)
            SELECT case_id, concluded_at, 3 + case_id % 3, '' FROM disputes_agreement
            WHERE case_id % 2 = 0
        """,
    }
    added = {}
    with connection.cursor() as cur:
        for name, sql in statements.items():
            cur.execute(sql)
            added[name] = cur.rowcount
    return added


def busiest_county() -> Any:
    """The county with the most cases (read from the cases: the rollups may not exist yet)."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from fengqiao.core.paths import PATH_SEGMENT
    from fengqiao.disputes.models import Case
    from fengqiao.regions.models import Region

    county = Region.objects.filter(level=3).order_by("path").first()
    width = len(county.path)
    top = (
        Case.objects.annotate(c=Substr("region_path", 1, width))
        .values("c")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert width % PATH_SEGMENT == 0
    return Region.objects.get(path=top["c"])


def rebuild(county: Any, whole: bool) -> dict[str, Any]:
    """Count the cases into the rollups: all of them (``--whole``), or the measured county's —
    the pages read only rows under its path, so the other 99 counties' rows change nothing
    but the depth of the indexes (one B-tree level)."""
    from django.db import connection

    from fengqiao.core.paths import subtree_q
    from fengqiao.disputes.models import Case
    from fengqiao.stats.models import (
        CaseFact,
        DailyCount,
        DurationCount,
        MonthlyCount,
        MonthlyDuration,
    )
    from fengqiao.stats.services import rollups_rebuild

    region = None if whole else county
    cases = Case.objects if whole else Case.objects.filter(subtree_q([county.path], "region_path"))
    facts = CaseFact.objects if whole else CaseFact.objects.filter(subtree_q([county.path]))
    if facts.count() == cases.count():
        return {"skipped": True}
    t0 = time.perf_counter()
    result = rollups_rebuild(region=region, progress=lambda line: print(f"  {line}", flush=True))
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "region": "all" if whole else county.name,
        "cases": result.cases,
        "seconds": round(seconds, 1),
        "cases_per_second": round(result.cases / seconds),
        "daily_rows": DailyCount.objects.count(),
        "monthly_rows": MonthlyCount.objects.count(),
        "duration_rows": DurationCount.objects.count(),
        "monthly_duration_rows": MonthlyDuration.objects.count(),
    }


def leader_of(county: Any) -> Any:
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.orgs.models import Organization

    user, _created = User.objects.get_or_create(
        username="bench_leader", defaults={"must_change_password": False}
    )
    platform = Organization.objects.get(region=county, kind__code="platform")
    # The leader of the measured county only (an earlier run may have measured another).
    RoleGrant.objects.filter(user=user).exclude(org=platform).delete()
    RoleGrant.objects.get_or_create(
        user=user, role=Role.objects.get(code=BuiltinRole.LEADER), org=platform
    )
    return user


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--profile", action="store_true", help="print each page's slowest queries")
    ap.add_argument(
        "--whole", action="store_true", help="count every county, not only the one measured"
    )
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    migrate(db)
    setup_django(db)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from fengqiao.disputes.models import Case
    from fengqiao.regions.models import Region
    from fengqiao.stats.measures import breakdown, measures_for
    from fengqiao.stats.periods import Period

    completed = complete_outcomes()
    print(json.dumps({"outcomes": completed}, ensure_ascii=False), flush=True)
    county = busiest_county()
    built = rebuild(county, args.whole)
    print(json.dumps({"rebuild": built}, ensure_ascii=False), flush=True)
    today = timezone.localdate()
    year = Period.year(today)
    rolling = Period(today - timedelta(days=364), today)
    # In it, the busiest township this year (by the rollups).
    township = Region.objects.get(pk=int(breakdown(county, year, by="region")[0].key))
    user = leader_of(county)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    pages = {
        "county, calendar year": {"region": county.pk, "kind": "year", "day": today.isoformat()},
        "county, rolling 12 months": {
            "region": county.pk,
            "kind": "custom",
            "start": rolling.start.isoformat(),
            "end": rolling.end.isoformat(),
        },
        "township drill-down, quarter": {
            "region": township.pk,
            "kind": "quarter",
            "day": today.isoformat(),
        },
        "township drill-down, calendar year": {
            "region": township.pk,
            "kind": "year",
            "day": today.isoformat(),
        },
    }
    results: dict[str, Any] = {}
    for name, query in pages.items():

        def page(_i: int, query: dict[str, Any] = query) -> None:
            response = client.get("/stats/", query)
            assert response.status_code == 200, response.status_code

        with override_settings(DEBUG=True):
            reset_queries()
            page(0)
            queries = list(connection.queries)
        if args.profile:
            slowest = sorted(queries, key=lambda q: -float(q["time"]))
            total = sum(float(q["time"]) for q in queries) * 1000
            print(f"{name}: {len(queries)} queries, {total:.1f} ms in the database")
            for q in slowest[:8]:
                print(f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:150]}")
        timing = measure(page, args.requests)
        results[name] = {
            "p50_ms": round(timing.median, 1),
            "p95_ms": round(timing.pct(95), 1),
            "queries": len(queries),
        }
        print(name, results[name], flush=True)
    out = {
        "machine": machine(),
        "db": args.db,
        "cases": Case.objects.count(),
        "county": county.name,
        "county_cases_this_year": measures_for(county, year)["intake"].value,
        "rebuild": built,
        "pages": results,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    path = Path(__file__).resolve().parent / "results" / f"stats_dashboard-{args.db}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
