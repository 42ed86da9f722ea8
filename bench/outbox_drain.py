"""The notification outbox drained to a local receiver (issue 16, item 6: an outbox of 100,000
pending messages drains at ≥ 500 messages/s; docs/performance.md, docs/notifications.md).

The database is migrated (not dropped) and its outbox emptied; ``--messages`` pending SMS
deliveries (default 100,000, each phone number encrypted as the fan-out writes it) are inserted;
a receiver on 127.0.0.1 in its own process plays the SMS provider's HTTP API (JSON POST,
keep-alive, ``{"code": 0}``); then ``--workers`` drain processes (``fengqiao.notify.outbox
.drain``: claim with SKIP LOCKED, POST, mark) run until no row is undelivered. The receiver
counts requests and repeated idempotency keys (a message sent twice)::

    FENGQIAO_BENCH_PG_NAME=fq_outbox .venv/bin/python bench/outbox_drain.py --db postgresql
    FENGQIAO_BENCH_PG_NAME=fq_outbox .venv/bin/python bench/outbox_drain.py --db postgresql \\
        --workers 2

Not part of the test suites (it sends 100,000 HTTP requests).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BenchDB, machine, setup_django

BATCH = 5000


def serve(port_out: Any, counts: Any, stop: Any) -> None:
    """The provider: answers every POST at once, counting keys seen and keys seen twice."""
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without TCP_NODELAY the second waits for the
        # client's delayed ACK (40 ms a message on Linux), which a real provider does not do.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            key = self.headers.get("Idempotency-Key", "")
            with counts.get_lock():
                counts[0] += 1
                if key in seen:
                    counts[1] += 1
                seen.add(key)
            if b'"phone"' not in body:
                counts[2] += 1
            out = b'{"code": 0}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.value = server.server_address[1]
    server.timeout = 0.5
    while not stop.is_set():
        server.handle_request()


def worker(db: BenchDB, seconds: float) -> None:
    # A fresh interpreter per worker (spawn): a forked one would share the parent's pooled
    # database connections.
    setup_django(db)
    from fengqiao.notify.outbox import drain

    drain(seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "fq-outbox")
    args = parser.parse_args()
    db = BenchDB(args.db, args.data_dir)
    db.data_dir.mkdir(parents=True, exist_ok=True)

    counts = multiprocessing.Array("l", 3)
    port = multiprocessing.Value("i", 0)
    stop = multiprocessing.Event()
    receiver = multiprocessing.Process(target=serve, args=(port, counts, stop), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.05)

    os.environ.update(
        FENGQIAO_SMS_BACKEND="http",
        FENGQIAO_SMS_URL=f"http://127.0.0.1:{port.value}/sms",
        FENGQIAO_NOTIFY_KICK="0",
    )
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env={**db.env(), **os.environ, **db.env()},
        check=True,
        cwd=ROOT,
    )
    setup_django(db)
    from django.db import connection, connections
    from django.utils import timezone

    from fengqiao.notify.choices import Channel, DeliveryStatus, NotificationKind
    from fengqiao.notify.models import Delivery

    Delivery.objects.all().delete()
    started = time.perf_counter()
    now = timezone.now()
    for start in range(0, args.messages, BATCH):
        Delivery.objects.bulk_create(
            Delivery(
                channel=Channel.SMS,
                kind=NotificationKind.ASSIGNMENT,
                address=f"138{i:08d}",
                address_masked=f"138****{i % 10000:04d}",
                text=f"【枫桥平台】交办：（2026）测试调字第{i}号，请于12-08 17:00前受理",
                dedupe_key=f"bench-{i}",
                next_attempt_at=now,
            )
            for i in range(start, min(start + BATCH, args.messages))
        )
    insert_seconds = time.perf_counter() - started
    connections.close_all()

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=worker, args=(db, 3600)) for _ in range(args.workers)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    drain_seconds = time.perf_counter() - started
    stop.set()
    receiver.join(timeout=5)

    delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    left = Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()
    result = {
        "scenario": "outbox_drain",
        "db": args.db,
        "server": connection.vendor,
        "messages": args.messages,
        "workers": args.workers,
        "insert_seconds": round(insert_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "messages_per_second": round(delivered / drain_seconds, 1),
        "delivered": delivered,
        "not_delivered": left,
        "receiver_requests": counts[0],
        "receiver_repeats": counts[1],
        "receiver_bad_bodies": counts[2],
        "machine": machine(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"outbox_drain-{args.db}-{args.workers}w.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    Delivery.objects.all().delete()


if __name__ == "__main__":
    main()
