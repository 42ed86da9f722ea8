"""The public portal's application (申请调解, ``POST /portal/apply/``) at scale (issue 16 item
6: < 200 ms p95 server time; docs/performance.md, "The portal's application").

On a database that ``generate.py`` made, each request is a citizen's whole submit as the web
process runs it (Django's handler in-process: middleware, session, CSRF off as the test client
has it, the form, the evidence check, the one intake — platform, duplicate check, numbering,
risk grading, timeline, audit, the platform's notice — the consent, the evidence stored, the
redirect). The phone was verified before (the session holds it, as after the SMS code step);
that step is not timed. Each request comes from its own address (the per-address limit is not
what is measured) with a new applicant and respondent::

    FENGQIAO_BENCH_PG_NAME=fq_portal_bench .venv/bin/python bench/generate.py --db postgresql \\
        --cases 200000 --data-dir /tmp/fq-portal-bench
    FENGQIAO_BENCH_PG_NAME=fq_portal_bench .venv/bin/python bench/portal_apply.py \\
        --db postgresql --data-dir /tmp/fq-portal-bench

Two kinds of application are timed: text only, and with one phone photo (a 1600 × 1200 JPEG,
decoded and re-encoded by ``core.uploads`` before it is stored).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BenchDB, Timing, machine, setup_django

TARGET_P95_MS = 200.0


def photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (180, 170, 150))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for _i in range(300):  # something to compress, like a photo of a wall and a drain
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.ellipse((x, y, x + 60, y + 40), fill=(rng.randrange(256), 120, rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"fengqiao-bench-{args.db}"
    db = BenchDB(args.db, data_dir)
    meta = json.loads((data_dir / "meta.json").read_text())
    setup_django(db)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from fengqiao.core import crypto
    from fengqiao.disputes.models import Case
    from fengqiao.portal import views
    from fengqiao.regions.models import Region

    village = Region.objects.filter(path__startswith=meta["users"]["town_path"], level=5).first()
    assert village is not None
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(time.time_ns())
    jpeg = photo()
    cases_before = Case.objects.count()

    def verified(phone: str) -> None:
        # What the SMS code step leaves in the session (not timed).
        session = client.session
        session[views.APPLY_PHONE] = views._sign({"phone": crypto.encrypt(phone)}, "apply")
        session.save()

    def post(i: int, with_photo: bool) -> float:
        phone = f"137{rng.randrange(10**8):08d}"
        verified(phone)
        body: dict[str, Any] = {
            "action": "apply",
            "token": f"bench-{time.time_ns()}-{i:06d}-xxxxxxxx",
            "applicant_name": "王小明",
            "respondent_name": "李大山",
            "respondent_phone": f"139{rng.randrange(10**8):08d}",
            "place": str(village.pk),
            "address": f"村东头{i}号",
            "category": "neighbour",
            "title": f"邻居装修堵了排水沟{i}",
            "facts": "上个月邻居装修，把两家之间的排水沟堵了，下雨后我家院子积水。",
            "claims": "恢复排水沟",
            "consent": "on",
            "online": "on",
        }
        if with_photo:
            body["evidence"] = SimpleUploadedFile("现场.jpg", jpeg, content_type="image/jpeg")
        address = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        start = time.perf_counter()
        response = client.post("/portal/apply/", body, REMOTE_ADDR=address)
        elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.content[:500]
        assert response["Location"] == "/portal/apply/done/", response["Location"]
        return elapsed

    for i in range(10):  # warm-up: imports, caches, the first connection
        post(i, with_photo=i % 2 == 0)
    results: dict[str, Any] = {}
    for label, with_photo in (("text", False), ("photo", True)):
        timing = Timing()
        for i in range(args.requests):
            timing.add(post(1000 + i + (100_000 if with_photo else 0), with_photo))
        results[label] = {
            "requests": args.requests,
            "p50_ms": round(timing.pct(50), 1),
            "p95_ms": round(timing.pct(95), 1),
            "max_ms": round(max(timing.samples) * 1000, 1),
        }
        print(
            f"{args.db} apply ({label}): p50 {results[label]['p50_ms']} ms, "
            f"p95 {results[label]['p95_ms']} ms over {args.requests} requests"
        )
    registered = Case.objects.count() - cases_before
    out = {
        "scenario": "portal_apply",
        "db": args.db,
        "cases_in_db": cases_before,
        "registered": registered,
        "target_p95_ms": TARGET_P95_MS,
        "results": results,
        "machine": machine(),
    }
    path = ROOT / "bench" / "results" / f"portal_apply-{args.db}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")
    if any(r["p95_ms"] > TARGET_P95_MS for r in results.values()):
        print(f"p95 above the {TARGET_P95_MS:.0f} ms target")


if __name__ == "__main__":
    main()
