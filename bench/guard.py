"""The benchmark regression guard (bin/test): a small run on SQLite in a temp dir.

Fails when a scenario's ratio to its hand-written-SQL baseline exceeds its bound, or a page
issues more queries than its ceiling. Bounds are about 3× the ratios measured on the 2-core
machine (docs/performance.md), so noise does not trip them and a 5× slowdown does. When a
change makes a path faster or saves a query, lower the number here.

    python bench/guard.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# scenario prefix -> (max ratio to baseline, max queries or None). The case scope asks the
# database for an org's dispatch orders inside the case query (Case.scope_member_q), so no
# page reads them first. Re-based on 2026-12-04 for queries each page now needs once, whatever
# the number of rows (the pytest ceilings in web/tests/test_query_ceilings.py show 3 rows and
# 30 cost the same): the case page reads the sides of the case for disclosure (12).
BOUNDS: dict[str, tuple[float, int | None]] = {
    "worklist: township dispatcher": (600, 7),
    "worklist: village mediator": (15, 7),
    "case list": (30, 2),
    # +1 on 2026-12-05: the 告知当事人 table, the case's party SMS and their delivery states
    # (one read of the outbox by case; web/tests/test_query_ceilings.py counts it too).
    "case detail": (450, 13),
    "transition: accept": (50, None),
    "transition: close": (90, None),
    "deadline sweep, 1%": (250, None),
    "deadline sweep, 0.1%": (200, None),
}


def main() -> int:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fengqiao-guard-") as tmp:
        data = Path(tmp)
        common = ["--db", "sqlite", "--data-dir", str(data)]
        subprocess.run(  # noqa: S603
            [sys.executable, str(HERE / "generate.py"), *common, "--cases", "5000",
             "--counties", "10", "--towns", "5", "--villages", "10"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        out = data / "guard.json"
        subprocess.run(  # noqa: S603
            [sys.executable, str(HERE / "run.py"), *common, "--iterations", "40",
             "--json", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        report = json.loads(out.read_text())
    failures = []
    for r in report["results"]:
        name = r["scenario"]
        bound = next((b for prefix, b in BOUNDS.items() if name.startswith(prefix)), None)
        if bound is None:
            continue
        max_ratio, max_queries = bound
        line = f"  {name}: {r['median_ms']} ms, {r['ratio']}× baseline"
        if "queries" in r:
            line += f", {r['queries']} queries"
        print(line)
        if r["ratio"] > max_ratio:
            failures.append(f"{name}: {r['ratio']}× its SQL baseline (bound {max_ratio}×)")
        if max_queries is not None and r.get("queries", 0) > max_queries:
            failures.append(f"{name}: {r['queries']} queries (ceiling {max_queries})")
    print(f"benchmark guard ran in {time.perf_counter() - t0:.0f} s")
    if failures:
        print("BENCHMARK REGRESSION:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
