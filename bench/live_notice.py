"""How long after its transaction commits an in-app notice reaches an open page (issue 16,
item 6: < 1 s; docs/performance.md, "Live notices").

A real web server (uvicorn serving ``fengqiao.asgi:application``) runs in its own process with
the Redis channel layer, as in production; a websocket client holds ``/ws/notify/`` open with a
logged-in user's session cookie and the page's origin, as a browser tab does. This process then
writes notices to that user through ``notify.services.notify`` — each in its own transaction,
as the task worker's sweeps and another web process do — and times each from just before the
commit to the moment the socket delivers it::

    FENGQIAO_BENCH_PG_NAME=fq_live .venv/bin/python bench/live_notice.py --db postgresql

With the embedded in-memory layer a push reaches only the pages of the process that wrote the
notice (``notify/live.py``), so the cross-process path measured here needs Redis
(``--redis``, default ``redis://127.0.0.1:6379/13``; it is flushed first). The bench database is
dropped and migrated afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BenchDB, Timing, machine, recreate, setup_django, start_web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the web server stopped (exit {server.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the web server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "fq-live")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    ap.add_argument("--notices", type=int, default=200)
    args = ap.parse_args()
    db = BenchDB(args.db, args.data_dir)
    db.data_dir.mkdir(parents=True, exist_ok=True)
    env = {**db.env(), "REDIS_URL": args.redis, "FENGQIAO_NOTIFY_KICK": "0"}
    recreate(db)
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    # This process writes the notices and pushes them through the same Redis layer.
    os.environ.update(REDIS_URL=args.redis, FENGQIAO_NOTIFY_KICK="0")
    setup_django(db)

    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from websockets.sync.client import connect

    from fengqiao.accounts.models import User
    from fengqiao.notify.choices import NotificationKind
    from fengqiao.notify.models import Notification
    from fengqiao.notify.services import notify

    user, _ = User.objects.get_or_create(
        username="bench_live", defaults={"must_change_password": False}
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    port = free_port()
    server = start_web(env, port)
    timing = Timing()
    try:
        wait_for_port(port, server)
        with connect(
            f"ws://127.0.0.1:{port}/ws/notify/",
            additional_headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
                "Origin": f"http://127.0.0.1:{port}",
            },
        ) as ws:
            first = json.loads(ws.recv(timeout=10))
            assert first["event"] == "unread", first
            for i in range(args.notices + 5):
                with transaction.atomic():
                    rows = notify(
                        recipients=[user],
                        kind=NotificationKind.ASSIGNMENT,
                        title=f"基准消息 {i}",
                        url="/work/",
                    )
                    started = time.perf_counter()  # the commit and the push are what follow
                while True:
                    got = json.loads(ws.recv(timeout=10))
                    if got.get("event") == "notification" and got.get("id") == rows[0].pk:
                        break
                if i >= 5:  # the first few warm the server's connections up
                    timing.add(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=10)
        Notification.objects.filter(recipient=user).delete()

    result = {
        "scenario": "live_notice",
        "db": args.db,
        "layer": "redis",
        "notices": len(timing.samples),
        "p50_ms": round(timing.median, 2),
        "p95_ms": round(timing.pct(95), 2),
        "max_ms": round(max(timing.samples) * 1000, 2),
        "machine": machine(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"live_notice-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
