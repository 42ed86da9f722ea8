"""Profile the deadline sweep against the bench database that ``generate.py`` made: with N
items due, the wall time, this process's CPU, the time spent waiting on each kind of statement,
and (``--cprofile``) the functions that take the CPU. The sweep runs in a transaction that is
rolled back, as in ``run.py``, and the written tables are vacuumed afterwards::

    .venv/bin/python bench/profile_sweep.py --db postgresql --items 100000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, setup_django
from run import Raw, vacuum, warm

STATEMENT = re.compile(r'^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|COPY)\s.*?"?(\w+)"?', re.S)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--items", type=int, default=100_000, help="about how many items are due")
    ap.add_argument("--cprofile", action="store_true", help="also run once under cProfile")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    meta = json.loads((data_dir / "meta.json").read_text())
    setup_django(db)

    from django.db import connection, transaction

    from fengqiao.disputes import sweep
    from fengqiao.disputes.models import DueItem

    print(warm(db, Raw(db)))
    open_items = DueItem.objects.filter(status="open", next_check_at__isnull=False).count()
    # The generator spreads next checks evenly over 100 days from generation.
    at = datetime.fromisoformat(meta["generated_at"]) + timedelta(
        days=100 * min(args.items, open_items) / open_items
    )
    waits: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        match = STATEMENT.match(sql)
        key = f"{match.group(1)} {match.group(2)}" if match else sql.split()[0]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            waits[key] += time.perf_counter() - t0
            counts[key] += 1

    def once() -> int:
        with transaction.atomic():
            examined = sweep.sweep_due_items(now=at).examined
            transaction.set_rollback(True)
        return examined

    t0, cpu0 = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        examined = once()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    vacuum(Raw(db))
    print(
        f"{args.db}: {examined:,} items of {open_items:,} open swept in {wall:.1f} s; "
        f"{cpu:.1f} s of this process's CPU; {sum(waits.values()):.1f} s in statements "
        "(the driver's own CPU included)"
    )
    for key, seconds in sorted(waits.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:7.2f} s  {counts[key]:6d}×  {key}")
    if args.cprofile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        once()
        profiler.disable()
        vacuum(Raw(db))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
