"""A yearly report (年考核) of the largest county, generated as the task queue does it (issue 17
item 8: under 30 s at 10 million cases; docs/reports.md, "Speed").

On a database that ``generate.py`` made (and whose stats rollups were built, when the stats app
keeps any: the script runs its rebuild command first if it has one and ``--rebuild`` is given),
the report of the county with the most cases for ``--year`` is generated ``--runs`` times through
``services.report_generate`` — the stats reads, the three charts, the PDF, DOCX and XLSX, the
files stored and the row and audit event written — each time as a fresh request::

    FENGQIAO_BENCH_PG_NAME=fq_reports_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 200000 --data-dir /tmp/fq-reports-bench
    FENGQIAO_BENCH_PG_NAME=fq_reports_bench .venv/bin/python bench/reports_year.py \\
        --db postgresql --data-dir /tmp/fq-reports-bench --rebuild

The time is split into reading the content from stats and rendering the files.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BenchDB, machine, setup_django

TARGET_SECONDS = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--year", type=int, default=None, help="default: the year with most cases")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the stats rollups first")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    setup_django(db)

    from django.core.management import call_command, get_commands
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from fengqiao.disputes.models import Case
    from fengqiao.regions.models import Region
    from fengqiao.reports import content, render, services
    from fengqiao.reports.choices import ReportKind, ReportStatus
    from fengqiao.reports.models import Report
    from fengqiao.stats.periods import Period

    rebuild = "rebuild_rollups" if "rebuild_rollups" in get_commands() else None
    if args.rebuild and rebuild is not None:
        started = time.perf_counter()
        call_command(rebuild)
        print(f"{rebuild}: {time.perf_counter() - started:.1f} s")

    cases = Case.objects.count()
    year = args.year
    if year is None:
        busiest = (
            Case.objects.annotate(y=ExtractYear("registered_at"))
            .values("y")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        year = int(busiest["y"]) if busiest else 2026
    counties = Region.objects.filter(level=3)
    county = max(
        counties, key=lambda r: Case.objects.filter(region_path__startswith=r.path).count()
    )
    period = Period.year(date(year, 6, 1))
    in_county = Case.objects.filter(region_path__startswith=county.path).count()
    print(f"{args.db}: {cases} cases, {county.name} holds {in_county}; the {year} 年考核")

    runs: list[dict[str, Any]] = []
    for run in range(args.runs):
        t0 = time.perf_counter()
        found = content.build_content(kind=ReportKind.YEARLY, region=county, period=period)
        t1 = time.perf_counter()
        render.render_all(found)
        t2 = time.perf_counter()
        Report.objects.filter(
            kind=ReportKind.YEARLY, region=county, period_start=period.start
        ).delete()
        report = Report.objects.create(
            kind=ReportKind.YEARLY,
            region=county,
            period_start=period.start,
            period_end=period.end,
        )
        t3 = time.perf_counter()
        outcome = services.report_generate(report_id=report.pk)
        t4 = time.perf_counter()
        report.refresh_from_db()
        if outcome != "done" or report.status != ReportStatus.DONE:
            raise SystemExit(f"report not generated: {outcome} {report.error}")
        runs.append(
            {
                "content_s": round(t1 - t0, 2),
                "render_s": round(t2 - t1, 2),
                "generate_s": round(t4 - t3, 2),
            }
        )
        print(
            f"run {run + 1}: content {t1 - t0:.2f} s, render {t2 - t1:.2f} s, "
            f"whole generation {t4 - t3:.2f} s"
        )
    worst = max(r["generate_s"] for r in runs)
    out = {
        "scenario": "reports_year",
        "db": args.db,
        "cases_in_db": cases,
        "cases_in_county": in_county,
        "year": year,
        "target_seconds": TARGET_SECONDS,
        "runs": runs,
        "worst_generate_s": worst,
        "machine": machine(),
    }
    path = ROOT / "bench" / "results" / f"reports_year-{args.db}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")
    if worst > TARGET_SECONDS:
        print(f"slowest generation {worst:.1f} s, above the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
