"""Issue time of documents (issue 14, item 9): a 调解协议书 (< 500 ms p95) and the whole 案卷 of a
10-document case (< 3 s p95), each beside its bare minimum — the same HTML page rendered to a
PDF by WeasyPrint alone, with no database, storage, digest, audit or timeline::

    .venv/bin/python bench/documents.py --db sqlite --calls 30 --file-calls 10

It makes its own small database (the demo county of ``seed_demo --small``, in ``--data-dir``),
builds one case through the services as the demo's village mediator would — registered,
dispatched, accepted, consent and rights notice, four sessions, a piece of evidence, a written
agreement, two follow-up visits: ten documents in its 案卷 — and issues through
``mediation.documents.case_document_issue``, as the case page does (each call a new version,
committed). Figures go to stdout and ``bench/results/documents-<db>.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BenchDB, Timing, machine, measure, recreate, setup_django
from pypdf import PdfReader

TARGETS_MS = {"agreement": 500.0, "case_file": 3000.0}


def build_case() -> tuple[Any, Any]:
    """The demo mediator and a resolved case of their committee holding ten documents."""
    from fengqiao.accounts.access import grant_org_ids
    from fengqiao.accounts.models import User
    from fengqiao.disputes.policy import platform_above
    from fengqiao.mediation.tests.documents_helpers import resolved_case
    from fengqiao.orgs.models import Organization

    mediator = User.objects.get(username="mediator")
    dispatcher = User.objects.get(username="dispatcher")
    committee = Organization.objects.get(pk=next(iter(grant_org_ids(mediator))))
    platform = platform_above(committee)
    # The test helpers name their cast and places after the test county: the demo's stand in.
    cast = SimpleNamespace(dispatcher=dispatcher, mediator_east=mediator)
    world = SimpleNamespace(
        town_a_platform=platform, village_east=committee.region, committee_east=committee
    )
    return mediator, resolved_case(cast, world, sessions=4, follow_ups=2)


def row(name: str, t: Timing, base: Timing) -> dict[str, Any]:
    return {
        "scenario": name,
        "calls": len(t.samples),
        "p50_ms": round(t.median, 1),
        "p95_ms": round(t.pct(95), 1),
        "max_ms": round(t.pct(100), 1),
        "baseline_p50_ms": round(base.median, 1),
        "baseline_p95_ms": round(base.pct(95), 1),
        "ratio_p50": round(t.median / base.median, 2) if base.median else None,
        "target_p95_ms": TARGETS_MS[name],
        "met": t.pct(95) < TARGETS_MS[name],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--calls", type=int, default=30, help="timed 调解协议书 issues")
    ap.add_argument("--file-calls", type=int, default=10, help="timed 案卷 issues")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-docs-{args.db}"
    db = BenchDB(args.db, data_dir)
    recreate(db)
    setup_django(db)

    from django.core.management import call_command

    from fengqiao.accounts.access import forget_grants
    from fengqiao.documents.choices import TEMPLATES, DocumentType
    from fengqiao.documents.render import html_to_pdf, qr_data_uri, render_html
    from fengqiao.documents.services import document_pdf
    from fengqiao.mediation import documents

    started = time.perf_counter()
    call_command("seed_demo", "--small", stdout=StringIO())
    mediator, case = build_case()
    print(f"demo county and a 10-document case in {time.perf_counter() - started:.1f} s")
    facts = documents.CaseFacts(case)
    parts = documents.case_file_parts(facts, documents.FULL)
    assert len(parts) == 10, [p["title"] for p in parts]

    def issue(doc_type: str) -> Any:
        forget_grants(mediator)  # as a request does: the grants are read again
        return documents.case_document_issue(actor=mediator, case_id=case.pk, doc_type=doc_type)

    def page(doc_type: str) -> str:
        kind = documents.kind_for(doc_type)
        assert kind is not None
        return render_html(
            TEMPLATES[doc_type],
            {
                "committee": case.handling_org.name,
                **kind.context(documents.CaseFacts(case), "", documents.FULL),
                "public_id": "x" * 22,
                "version": 1,
                "verify_url": "/verify/" + "x" * 22,
                "qr": qr_data_uri("/verify/" + "x" * 22),
            },
        )

    agreement_page, file_page = page(DocumentType.MEDIATION_AGREEMENT), page(DocumentType.CASE_FILE)
    results = [
        row(
            "agreement",
            measure(lambda _i: issue(DocumentType.MEDIATION_AGREEMENT), args.calls),
            measure(lambda _i: html_to_pdf(agreement_page), args.calls),
        ),
        row(
            "case_file",
            measure(lambda _i: issue(DocumentType.CASE_FILE), args.file_calls, warmup=1),
            measure(lambda _i: html_to_pdf(file_page), args.file_calls, warmup=1),
        ),
    ]
    issued = documents.case_document_issue(
        actor=mediator, case_id=case.pk, doc_type=DocumentType.CASE_FILE
    )
    pages = len(PdfReader(io.BytesIO(document_pdf(issued))).pages)
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "db": args.db,
        "machine": machine(),
        "case_file_pages": pages,
        "results": results,
    }
    print(
        f"{'scenario':<10} {'calls':>5} {'p50':>8} {'p95':>8} {'base p50':>9} {'ratio':>6}  target"
    )
    for r in results:
        print(
            f"{r['scenario']:<10} {r['calls']:>5} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}"
            f" {r['baseline_p50_ms']:>9.1f} {r['ratio_p50']:>6}  < {r['target_p95_ms']:.0f} ms"
            f" {'met' if r['met'] else 'MISSED'}"
        )
    print(f"案卷: {pages} pages")
    out = ROOT / "bench" / "results" / f"documents-{args.db}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
