"""The judge's confirmation queue (司法确认: 待受理, 待裁定, 已裁定) at the scale of 10 million
cases, beside the bare SQL of the same read (docs/performance.md, "Judicial confirmation queue").

On a database that ``generate.py`` made (it holds cases and parties, no agreements), this script
adds what a 10-million-case platform would hold of judicial confirmation: ``--confirmations``
applications (default 200,000: about 2 % of 10 million cases are confirmed by a court), each on
its own case with its written agreement, two applicants and, for one in ten, a screening flag,
spread over ``--courts`` basic courts (default 100, one per generated county: 2,000 each) and over
two years, 2 % waiting for acceptance, 3 % for a ruling, the rest decided. Then it times the
judge's page (the whole request: session, grants, the selector, the template) for each tab as
the judge of one court, and the SQL baseline of the tab's rows::

    FENGQIAO_BENCH_PG_NAME=fq_confirm_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 300000 --data-dir /tmp/fq-confirm-bench
    FENGQIAO_BENCH_PG_NAME=fq_confirm_bench .venv/bin/python bench/bench_confirmations.py \\
        --db postgresql --data-dir /tmp/fq-confirm-bench

The queue's size per court, not the case table's, is what its reads depend on (each tab is one
range of a partial index that starts with the court); the case, orgs and applicants are read by
primary key for the 50 rows shown.
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


def populate(n: int, courts: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.models import Role, RoleGrant, User
    from fengqiao.court.models.confirmation import (
        Confirmation,
        ConfirmationStatus,
        FlagCode,
        ScreeningFlag,
    )
    from fengqiao.disputes.models import Case, Party
    from fengqiao.mediation.models import Agreement
    from fengqiao.orgs.models import Organization, OrgKind
    from fengqiao.regions.models import Region

    rng = random.Random(seed)
    if Confirmation.objects.exists():
        judge = User.objects.get(username="bench_judge")
        court_id = RoleGrant.objects.filter(user=judge).values_list("org_id", flat=True)[0]
        return {"judge": judge.pk, "court": court_id, "added": 0}
    t0 = time.perf_counter()
    kind = OrgKind.objects.get(code="court")
    counties = list(Region.objects.filter(level=3).order_by("path")[:courts])
    court_orgs = Organization.objects.bulk_create(
        Organization(name=f"基准{r.name}人民法院{i}", kind=kind, region=r)
        for i, r in enumerate(counties)
    )
    judge = User.objects.create(username="bench_judge", must_change_password=False)
    RoleGrant.objects.create(
        user=judge, role=Role.objects.get(code=BuiltinRole.JUDGE), org=court_orgs[0]
    )
    committee = Organization.objects.exclude(kind=kind).order_by("pk").first()
    assert committee is not None
    cases = list(Case.objects.order_by("pk").values_list("pk", "registered_at")[:n])
    if len(cases) < n:
        raise SystemExit(
            f"the bench database has {len(cases)} cases; --confirmations {n} needs as many"
        )
    now = timezone.now()
    done = 0
    for start in range(0, n, BATCH):
        chunk = cases[start : start + BATCH]
        with transaction.atomic():
            agreements = Agreement.objects.bulk_create(
                Agreement(
                    case_id=pk,
                    kind="written",
                    facts="双方因借款发生纠纷。",
                    disputed_points="还款期限。",
                    terms="被申请人于三十日内归还借款。",
                    concluded_at=registered + timedelta(days=5),
                )
                for pk, registered in chunk
            )
            rows = []
            for (pk, _registered), agreement in zip(chunk, agreements, strict=True):
                filed = now - timedelta(days=rng.random() * 730)
                roll = rng.random()
                status = (
                    ConfirmationStatus.PENDING
                    if roll < 0.02
                    else ConfirmationStatus.ACCEPTED
                    if roll < 0.05
                    else rng.choice(
                        [
                            ConfirmationStatus.CONFIRMED,
                            ConfirmationStatus.CONFIRMED,
                            ConfirmationStatus.CONFIRMED,
                            ConfirmationStatus.REJECTED,
                            ConfirmationStatus.NOT_ACCEPTED,
                        ]
                    )
                )
                accepted = filed + timedelta(days=2) if status != "pending" else None
                decided = (
                    filed + timedelta(days=9)
                    if status in ("confirmed", "rejected", "not_accepted")
                    else None
                )
                rows.append(
                    Confirmation(
                        case_id=pk,
                        agreement=agreement,
                        court=court_orgs[(start + len(rows)) % len(court_orgs)],
                        filed_org=committee,
                        filed_by=judge,
                        filed_at=filed,
                        effective_at=filed - timedelta(days=3),
                        scan_name="协议.pdf",
                        scan_storage_name=f"bench/{pk}.pdf",
                        scan_content_type="application/pdf",
                        scan_sha256="0" * 64,
                        status=status,
                        number=f"（2026）基准民特{pk}号" if accepted else "",
                        accept_due_at=filed + timedelta(days=3),
                        accepted_at=accepted if status != "not_accepted" else None,
                        rule_due_at=accepted + timedelta(days=15) if accepted else None,
                        decided_at=decided,
                        reasons="审查意见" if decided else "",
                    )
                )
            created = Confirmation.objects.bulk_create(rows)
            parties = {}
            for party_pk, case_pk in Party.objects.filter(
                case_id__in=[pk for pk, _r in chunk]
            ).values_list("pk", "case_id"):
                parties.setdefault(case_pk, []).append(party_pk)
            through = Confirmation.applicants.through
            through.objects.bulk_create(
                through(confirmation_id=c.pk, party_id=p)
                for c in created
                for p in parties.get(c.case_id, [])[:2]
            )
            ScreeningFlag.objects.bulk_create(
                ScreeningFlag(confirmation=c, code=FlagCode.SAME_DAY, reason="登记当日即达成协议")
                for c in created
                if rng.random() < 0.1
            )
        done += len(chunk)
        print(f"  {done}/{n} confirmations", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "judge": judge.pk,
        "court": court_orgs[0].pk,
        "added": n,
        "seconds": time.perf_counter() - t0,
    }


BASELINE = {
    "to_accept": (
        "SELECT id FROM court_confirmation WHERE court_id = %s AND status = 'pending' "
        "ORDER BY accept_due_at, id LIMIT 50"
    ),
    "to_rule": (
        "SELECT id FROM court_confirmation WHERE court_id = %s AND status = 'accepted' "
        "ORDER BY rule_due_at, id LIMIT 50"
    ),
    "decided": (
        "SELECT id FROM court_confirmation WHERE court_id = %s AND decided_at IS NOT NULL "
        "ORDER BY decided_at DESC, id DESC LIMIT 50"
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--confirmations", type=int, default=200_000)
    ap.add_argument("--courts", type=int, default=100)
    ap.add_argument("--requests", type=int, default=200, help="timed requests per tab")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    setup_django(db)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    from fengqiao.accounts.models import User
    from fengqiao.court.models.confirmation import Confirmation

    info = populate(args.confirmations, args.courts, args.seed)
    judge = User.objects.get(pk=info["judge"])
    User.objects.filter(pk=judge.pk).update(must_change_password=False)
    court_rows = Confirmation.objects.filter(court_id=info["court"]).count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(judge)
    results: dict[str, Any] = {
        "machine": machine(),
        "db": args.db,
        "confirmations": Confirmation.objects.count(),
        "court_rows": court_rows,
        "populate": info,
        "tabs": {},
    }
    raw = raw_connection(db)
    placeholder = "%s" if args.db == "postgresql" else "?"
    for tab, sql in BASELINE.items():
        url = f"/court/confirmations/?tab={tab}"

        def page(_i: int, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (response.status_code, response.get("Location"))

        with override_settings(DEBUG=True):
            reset_queries()
            page(0)
            queries = len(connection.queries)
        timing = measure(page, args.requests)
        query = sql.replace("%s", placeholder)

        def bare(_i: int, query: str = query) -> None:
            cur = raw.cursor()
            cur.execute(query, (info["court"],))
            cur.fetchall()

        base = measure(bare, args.requests)
        results["tabs"][tab] = {
            "p50_ms": round(timing.median, 2),
            "p95_ms": round(timing.pct(95), 2),
            "queries": queries,
            "baseline_p50_ms": round(base.median, 3),
            "baseline_p95_ms": round(base.pct(95), 3),
        }
        print(
            f"{tab}: p50 {timing.median:.1f} ms, p95 {timing.pct(95):.1f} ms, {queries} queries;"
            f" SQL baseline p95 {base.pct(95):.2f} ms",
            flush=True,
        )
    # The same judge's landing page in the same run: what any page costs on the machine now.
    landing = measure(lambda _i: client.get("/"), args.requests)
    results["landing_reference"] = {
        "p50_ms": round(landing.median, 2),
        "p95_ms": round(landing.pct(95), 2),
    }
    print(f"landing page (reference): p50 {landing.median:.1f} ms, p95 {landing.pct(95):.1f} ms")
    out = Path(__file__).resolve().parent / "results" / f"confirmations-{args.db}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    print(f"written {out}")


if __name__ == "__main__":
    main()
