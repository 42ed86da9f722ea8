"""Profile ``POST /api/v1/cases`` in-process (Django test client, no HTTP server) against the
bench database that ``generate.py`` made: per-request time, queries, and the functions that
take the time (cProfile, cumulative). Used to find where intake spends its time
(docs/performance.md)::

    .venv/bin/python bench/profile_intake.py --db postgresql --requests 200
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, setup_django


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime…")
    ap.add_argument(
        "--statements", action="store_true", help="also time each SQL statement the intake runs"
    )
    ap.add_argument("--dump", type=Path, default=None, help="write the cProfile stats there")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    meta = json.loads((data_dir / "meta.json").read_text())
    setup_django(db)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    from fengqiao.accounts.models import User
    from fengqiao.api.models import ApiKey
    from fengqiao.api.services import api_key_create
    from fengqiao.orgs.models import Organization
    from fengqiao.regions.models import Region

    admin = (
        User.objects.get(username="bench-admin")
        if User.objects.filter(username="bench-admin").exists()
        else None
    )
    if admin is None:
        from fengqiao.accounts.models import Role, RoleGrant

        admin = User.objects.create(username="bench-admin")
        RoleGrant.objects.create(user=admin, role=Role.objects.get(code="system_admin"))
    dispatcher = User.objects.get(pk=meta["users"]["dispatcher"])
    org = Organization.objects.get(pk=meta["users"]["dispatcher_org"])
    ApiKey.objects.filter(name="bench-profile").delete()
    _key, token = api_key_create(
        actor=admin,
        name="bench-profile",
        org=org,
        user=dispatcher,
        scopes=["cases:write"],
        rate_per_minute=100_000,  # measures the intake, not the per-key limit
    )
    village = Region.objects.filter(path__startswith=meta["users"]["town_path"], level=5).first()
    assert village is not None
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")

    # Seeded by the clock: each run reports new people (an earlier run's would match them)
    rng = random.Random(time.time_ns())

    def post(i: int) -> None:
        body = {
            "channel": "grid",
            "category": "neighbour",
            "title": f"剖析用邻里纠纷{i}",
            "facts": "双方因排水沟问题发生争执。",
            "region_code": village.code,
            "parties": [
                # A new phone each time: intake of new people, not the same one repeating.
                {"role": "applicant", "name": "张三丰", "phone": f"138{rng.randrange(10**8):08d}"},
                {"role": "respondent", "name": "李四光", "phone": f"139{rng.randrange(10**8):08d}"},
            ],
        }
        response = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for i in range(10):  # warm-up: imports, caches, the first connection
        post(i)
    with override_settings(DEBUG=True):
        reset_queries()
        post(10)
        queries = len(connection.queries)
        statements = sum(
            1 for q in connection.queries if q["sql"].strip().upper() not in ("BEGIN", "COMMIT")
        )
    t0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(args.requests):
        post(100_000 + i)
    plain = (time.perf_counter() - t0) / args.requests
    cpu = (time.process_time() - cpu0) / args.requests
    if args.statements:
        print_statements(connection, lambda n: post(200_000 + n), args.requests)
    # CPU time, not wall time: waits on the database do not count against a function.
    profiler = cProfile.Profile(time.process_time)
    t0 = time.perf_counter()
    profiler.enable()
    for i in range(args.requests):
        post(100 + i)
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    elapsed = time.perf_counter() - t0
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(
        f"{args.db}: {args.requests} requests, {plain * 1000:.2f} ms each, "
        f"{cpu * 1000:.2f} ms of this process's CPU "
        f"({elapsed / args.requests * 1000:.2f} ms under cProfile), {queries} queries each "
        f"({statements} without BEGIN and COMMIT)"
    )
    print(out.getvalue())


def print_statements(connection: Any, post: Callable[[int], None], requests: int) -> None:
    """Wall time per request of each statement (literals folded), slowest first: what the web
    process waits on the database for."""
    spent: dict[str, list[float]] = defaultdict(list)

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = re.sub(r"\s+", " ", re.sub(r"'[^']*'|\b\d+\b", "?", sql))
            spent[shape[:160]].append(time.perf_counter() - t0)

    with connection.execute_wrapper(timed):
        for n in range(requests):
            post(n)
    total = sum(sum(v) for v in spent.values()) / requests * 1000
    print(f"statements: {total:.2f} ms of each request waiting on the database")
    for shape, times in sorted(spent.items(), key=lambda kv: -sum(kv[1])):
        print(f"{sum(times) / requests * 1000:8.3f} ms {len(times) / requests:5.2f}× {shape}")
    print()


if __name__ == "__main__":
    main()
