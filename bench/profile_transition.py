"""Profile the transition scenarios (accept a dispatch order, close with an agreement) against
the bench database that ``generate.py`` made: wall and CPU time per call, every query with its
time, and the functions that take the CPU (cProfile). Used to find where a transition spends
its time (docs/performance.md)::

    .venv/bin/python bench/profile_transition.py --db postgresql --calls 40

It takes its fixtures from the end of the generator's pools, so ``run.py`` still finds the
first ones; each call commits, as in the scenario.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, setup_django

AGREE_FACTS = "双方因排水沟问题发生争执，经调解达成一致。"
AGREE_POINTS = "排水沟修缮费用的分担。"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--calls", type=int, default=40, help="timed calls (and as many profiled)")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative…")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    meta = json.loads((data_dir / "meta.json").read_text())
    setup_django(db)

    from django.db import connection, reset_queries
    from django.test.utils import override_settings

    from fengqiao.accounts.access import forget_grants
    from fengqiao.accounts.models import User
    from fengqiao.disputes.models import Case, DispatchOrder
    from fengqiao.disputes.services.dispatch import dispatch_accept
    from fengqiao.mediation.outcomes import case_agree

    mediator = User.objects.get(pk=meta["users"]["mediator"])
    need = 2 * args.calls + 1

    def pool(status: str) -> list[int]:
        ids = list(
            Case.objects.filter(pk__in=meta["fresh"][status], status=status)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(ids) < need:
            raise SystemExit(f"Only {len(ids)} {status} fixtures left: generate again.")
        return ids[-need:]

    dispatched, mediating = pool("dispatched"), pool("mediating")
    orders = dict(DispatchOrder.objects.filter(case_id__in=dispatched).values_list("case_id", "pk"))

    def fresh() -> Any:
        forget_grants(mediator)  # as a request does: grants are read again
        return mediator

    def accept(i: int) -> None:
        dispatch_accept(actor=fresh(), dispatch_id=orders[dispatched[i]])

    def agree(i: int) -> None:
        case_agree(
            actor=fresh(),
            case_id=mediating[i],
            version=None,
            kind="written",
            terms="双方同意和解。",
            facts=AGREE_FACTS,
            disputed_points=AGREE_POINTS,
        )

    for name, fn in (("accept", accept), ("close with agreement", agree)):
        profile(name, fn, args, connection, reset_queries, override_settings)


def profile(
    name: str,
    fn: Callable[[int], None],
    args: argparse.Namespace,
    connection: Any,
    reset_queries: Callable[[], None],
    override_settings: Any,
) -> None:
    n = args.calls
    with override_settings(DEBUG=True):
        reset_queries()
        fn(0)
        queries = list(connection.queries)
    t0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(1, n + 1):
        fn(i)
    wall = (time.perf_counter() - t0) / n
    cpu = (time.process_time() - cpu0) / n
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(n + 1, 2 * n + 1):
        fn(i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(
        f"== {name}: {wall * 1000:.2f} ms per call, {cpu * 1000:.2f} ms of this process's CPU, "
        f"{len(queries)} queries ({sql_ms:.1f} ms in the database driver on the first call)"
    )
    for q in queries:
        print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:150]}")
    print(out.getvalue())


if __name__ == "__main__":
    main()
