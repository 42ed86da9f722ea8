"""A 1-million-row 纠纷台账 (issue 17 items 6 and 8; docs/performance.md, "Ledgers").

On a database that ``generate.py`` made, a province-wide leader (region scope at the province's
platform: every case) exports the case ledger with no filter, through the same path a large
export takes in production: a queued ``LedgerExport`` run by ``ledgers.services
.ledger_export_run`` (the task queue's side: scope, list filters, chunked reads, the streamed
workbook, the watermark, the audit row, the file stored). The process's resident memory is
sampled every half second while it runs; the peak is also read from ``getrusage``::

    FENGQIAO_BENCH_PG_NAME=fq_ledger_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 1000000 --data-dir /tmp/fq-ledger-bench
    FENGQIAO_BENCH_PG_NAME=fq_ledger_bench .venv/bin/python bench/ledger_export.py \\
        --db postgresql --data-dir /tmp/fq-ledger-bench

Target: peak RSS under 300 MB, flat (it must not grow with the rows).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, machine, setup_django


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """Resident memory every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.t0 = time.perf_counter()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.perf_counter() - self.t0, rss_mb()))
            self.stop.wait(self.interval)


def leader() -> Any:
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.orgs.models import Organization

    user = User.objects.filter(username="bench_ledger").first()
    if user is None:
        province = Organization.objects.filter(kind__code="platform", parent=None).get()
        user = User.objects.create(
            username="bench_ledger", real_name="基准领导", must_change_password=False
        )
        RoleGrant.objects.create(
            user=user, role=Role.objects.get(code=BuiltinRole.LEADER), org=province
        )
    return user


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    setup_django(db)
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    # A database generated before the ledgers app existed gets its tables.
    call_command("migrate", verbosity=0)
    from fengqiao.disputes.exports import CASE_LEDGER
    from fengqiao.disputes.models import Case
    from fengqiao.ledgers.models import LedgerExport
    from fengqiao.ledgers.services import ledger_export_run

    user = leader()
    total = Case.objects.count()
    expected = CASE_LEDGER.build(user, {}).queryset.count()
    export = LedgerExport.objects.create(
        user=user, ledger=CASE_LEDGER.code, title="纠纷台账", params={}, expected_rows=expected
    )
    before = rss_mb()
    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    done = ledger_export_run(export_id=export.pk)
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    assert done is not None
    assert done.status == "done", done.error
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    samples = sampler.samples
    # Flatness: the resident size over the second half of the run against the first half's.
    half = len(samples) // 2
    first_half = max(s for _t, s in samples[:half]) if half else before
    second_half = max(s for _t, s in samples[half:]) if samples else before
    size_mb = done.size / 2**20
    default_storage.delete(done.storage_name)
    results = {
        "db": args.db,
        "cases_in_db": total,
        "rows": done.rows,
        "wall_s": round(wall, 1),
        "process_cpu_s": round(cpu, 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "rows_per_s": round((done.rows or 0) / wall),
        "file_mb": round(size_mb, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(peak, 1),
        "rss_max_first_half_mb": round(first_half, 1),
        "rss_max_second_half_mb": round(second_half, 1),
        "rss_samples_mb": [round(s, 1) for _t, s in samples[:: max(1, len(samples) // 40)]],
        "machine": machine(),
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))
    out = Path(__file__).resolve().parent / "results" / f"ledger_export-{args.db}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
