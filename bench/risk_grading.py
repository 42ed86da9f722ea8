"""Risk grading (风险分级): the time to grade one case — its facts read (parties, their other
cases by keyed hash, 重复反映), the rule set's version checked, the rules and the jieba text
signals applied — on the small demo county in a fresh bench database (docs/performance.md)::

    .venv/bin/python bench/risk_grading.py --db sqlite --iterations 500

Target (issue 15, item 10): < 20 ms p95 including text signals. Each iteration grades a demo
case with one of several report texts (a few hundred characters each, the wage-arrears report
among them). jieba's dictionary is loaded once before timing (once per process in service).
Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BenchDB, machine, measure, recreate, setup_django

TARGET_MS = 20.0
TEXTS = [
    "工地老板拖欠我们三十多个工人工资两个多月了，大家说再不给就去堵区政府大门",
    "两家因宅基地边界发生争执，对方多次推搡老人，申请人说没有扬言要去上访，只想尽快解决。" * 3,
    "小区物业长期不清理垃圾，业主们准备联名投诉，部分业主说不会去堵物业公司大门，希望调解。" * 4,
    "申请人系残疾人，因交通事故赔偿问题与对方协商未果，情绪激动，声称再不赔偿就去跳楼。" * 2,
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-risk-{args.db}"
    db = BenchDB(args.db, data_dir)
    recreate(db)
    setup_django(db)

    from django.utils import timezone

    from fengqiao.demo.cases import demo_cases_seed
    from fengqiao.demo.management.commands.seed_demo import SMALL_COUNTY
    from fengqiao.demo.seed import demo_seed
    from fengqiao.disputes.models import Case
    from fengqiao.risk import text
    from fengqiao.risk.engine import current_ruleset, evaluate
    from fengqiao.risk.selectors import case_facts
    from fengqiao.risk.services import grade_case

    demo_seed(today=timezone.localdate(), size=SMALL_COUNTY)
    demo_cases_seed(seed=1, today=timezone.localdate(), count=400)
    cases = list(Case.objects.order_by("pk")[:200])
    started = time.perf_counter()
    text.segmenter()
    load_s = time.perf_counter() - started

    def grade(i: int) -> None:
        case = cases[i % len(cases)]
        case.facts = TEXTS[i % len(TEXTS)]
        grade_case(case)

    whole = measure(grade, args.iterations)
    ruleset = current_ruleset()
    facts = [case_facts(c) for c in cases[:20]]
    only_rules = measure(
        lambda i: evaluate(
            ruleset,
            type(facts[0])(**{**facts[i % 20].__dict__, "text": TEXTS[i % len(TEXTS)]}),
        ),
        args.iterations,
    )
    figures = {
        "machine": machine(),
        "db": args.db,
        "cases": len(cases),
        "iterations": args.iterations,
        "jieba_load_s": round(load_s, 2),
        "grade_case_ms": {"p50": whole.pct(50), "p95": whole.pct(95), "max": whole.pct(100)},
        "evaluate_only_ms": {"p50": only_rules.pct(50), "p95": only_rules.pct(95)},
        "target_p95_ms": TARGET_MS,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if whole.pct(95) < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
