"""Soak: the platform as a county runs it, for a long time at a steady rate (issue "Hostile input
and operations", item 12).

    python bench/soak.py [--minutes 30 | --seconds 60] [--rate R | --share 0.5] [--db postgresql]

A fresh database (PostgreSQL ``fq_soak`` by default, or SQLite in a temporary folder) gets the
demo county (``seed_demo``); uvicorn and the task worker start as ``make run`` starts them; then
client threads on loopback keep a paced mix of the API's operations going — register a case
(1 in 4), list cases, read a case — at ``--rate`` requests per second, or at ``--share`` of the
capacity measured first in a 15-second burst. Every ``--sample`` seconds the server's resident
memory and the database's open connections are read.

Prints one JSON line and exits 1 unless: no request failed (any answer but 2xx, or a
connection error), the memory slope is under ``--max-slope`` MB per hour (after the first
fifth, the warm-up; gated on runs of ten minutes or more, reported on shorter ones), and the
connections stayed within the pool (processes × pool size + the task worker's).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import intake_body, process_rss_mb

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("FENGQIAO_TEST_PG", "postgres://postgres@127.0.0.1:5432")
POOL = int(os.environ.get("FENGQIAO_DB_POOL_SIZE", "8"))


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, summed, in MB."""
    return sum(process_rss_mb(pid))


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) in MB per hour."""
    if len(samples) < 3:
        return 0.0
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(v for _, v in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    return sum((t - mx) * (v - my) for t, v in samples) / var * 3600


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = Path(tempfile.mkdtemp(prefix="fq-soak-"))
        self.env = dict(os.environ)
        self.env.update(
            FENGQIAO_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="fengqiao.settings.base",
            FENGQIAO_DEMO="0",
        )
        self.env.pop("REDIS_URL", None)
        self.pg_name = args.pg_name
        if args.db == "postgresql":
            self.env["DATABASE_URL"] = f"{PG_BASE}/{self.pg_name}"
        else:
            self.env.pop("DATABASE_URL", None)
        if args.redis:
            self.env["REDIS_URL"] = args.redis
        self.port = args.port
        self.procs: list[subprocess.Popen[bytes]] = []

    # --- set-up ---------------------------------------------------------------------------

    def manage(self, *argv: str) -> str:
        out = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        )
        return out.stdout

    def prepare(self) -> list[dict[str, str]]:
        if self.args.db == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {self.pg_name}")
        self.manage("migrate", "--no-input", "-v0")
        self.manage("seed_demo")
        # One key per township dispatcher, with a limit far above the soak's rate.
        script = (
            "import json\n"
            "from fengqiao.accounts.models import RoleGrant\n"
            "from fengqiao.api.services import api_key_create\n"
            "from fengqiao.regions.models import Region\n"
            "out = []\n"
            "for g in RoleGrant.objects.filter(role__code='dispatcher', org__region__level=4)"
            ".select_related('user', 'org__region'):\n"
            "    _k, token = api_key_create(actor=None, name='soak', org=g.org, user=g.user,"
            " scopes=['cases:read', 'cases:write'], rate_per_minute=100000)\n"
            "    v = Region.objects.filter(path__startswith=g.org.region.path, level=5).first()\n"
            "    out.append({'token': token, 'region': v.code})\n"
            "print(json.dumps(out))\n"
        )
        out = self.manage("shell", "-c", script).strip().splitlines()
        targets: list[dict[str, str]] = json.loads(out[-1])
        assert targets, "the demo county has no township dispatcher"
        return targets

    def start(self) -> int:
        python = sys.executable
        self.procs.append(
            subprocess.Popen(  # noqa: S603
                [python, "manage.py", "run_huey", "--quiet"], cwd=ROOT, env=self.env
            )
        )
        server = subprocess.Popen(  # noqa: S603
            [
                python,
                "-m",
                "uvicorn",
                "fengqiao.asgi:application",
                "--port",
                str(self.port),
                "--workers",
                str(self.args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=self.env,
        )
        self.procs.append(server)
        deadline = time.monotonic() + 90
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                return server.pid
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.args.db == "postgresql" and not self.args.keep:
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")

    def connections(self) -> int:
        if self.args.db != "postgresql":
            return 0
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.pg_name,)
            ).fetchone()
        return int(row[0]) if row else 0

    # --- load ------------------------------------------------------------------------------

    def drive(
        self, targets: list[dict[str, str]], seconds: float, rate: float | None, threads: int
    ) -> dict[str, Any]:
        """``threads`` clients for ``seconds``: paced at ``rate`` requests/s in all, or as fast
        as they can (``rate`` None). Returns counts, errors and latencies."""
        stop = time.monotonic() + seconds
        lock = threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        numbers: list[str] = []
        interval = threads / rate if rate else 0.0

        def client(n: int) -> None:
            rng = random.Random(n)
            target = targets[n % len(targets)]
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            headers = {
                "Authorization": f"Bearer {target['token']}",
                "Content-Type": "application/json",
            }
            due = time.monotonic() + rng.random() * interval
            while True:
                now = time.monotonic()
                if now >= stop:
                    break
                if interval and now < due:
                    time.sleep(min(due - now, stop - now))
                    continue
                due += interval
                pick = rng.random()
                if pick < 0.25 or not numbers:
                    method, path = "POST", "/api/v1/cases"
                    body: str | None = intake_body(rng, target["region"])
                elif pick < 0.6:
                    method, path, body = "GET", "/api/v1/cases?limit=20", None
                else:
                    with lock:
                        number = rng.choice(numbers)
                    method, path, body = "GET", f"/api/v1/cases/{number}", None
                t0 = time.monotonic()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors.append(f"{method} {path}: {type(exc).__name__}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    continue
                with lock:
                    latencies.append(time.monotonic() - t0)
                    if status >= 300 and status != 404:
                        errors.append(f"{method} {path}: {status}")
                    elif status == 201:
                        numbers.append(json.loads(payload)["number"])
            conn.close()

        workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        latencies.sort()

        def pct(p: float) -> float:
            return round(latencies[int(p * (len(latencies) - 1))] * 1000, 1) if latencies else 0

        return {
            "requests": len(latencies) + len(errors),
            "per_second": round((len(latencies) + len(errors)) / seconds, 1),
            "errors": len(errors),
            "first_errors": errors[:5],
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "cases_registered": len(numbers),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--pg-name", default="fq_soak")
    ap.add_argument("--redis", default="", help="REDIS_URL for the platform (default: none)")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seconds", type=float, default=0, help="overrides --minutes")
    ap.add_argument("--rate", type=float, default=0, help="requests per second in all")
    ap.add_argument("--share", type=float, default=0.5, help="of the measured capacity")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--sample", type=float, default=10)
    ap.add_argument("--max-slope", type=float, default=50, help="MB per hour of server memory")
    ap.add_argument("--port", type=int, default=18700 + random.randrange(200))
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = ap.parse_args()
    seconds = args.seconds or args.minutes * 60

    soak = Soak(args)
    targets = soak.prepare()
    server = soak.start()
    try:
        rate = args.rate
        capacity = None
        if not rate:
            capacity = soak.drive(targets, 15, None, args.threads)["per_second"]
            rate = max(1.0, capacity * args.share)
        samples: list[tuple[float, float]] = []
        conns: list[int] = []
        result: dict[str, Any] = {}
        start = time.monotonic()

        def load() -> None:
            result.update(soak.drive(targets, seconds, rate, args.threads))

        runner = threading.Thread(target=load)
        runner.start()
        while runner.is_alive():
            runner.join(args.sample)
            samples.append((time.monotonic() - start, rss_mb(server)))
            conns.append(soak.connections())
        steady = [s for s in samples if s[0] >= seconds / 5]
        slope = slope_per_hour(steady)
        limit = args.workers * POOL + POOL + 5  # web pools, the task worker, psql probes
        report = {
            "scenario": f"soak {seconds:.0f} s on {args.db}, {args.workers} uvicorn workers",
            "capacity_per_second": capacity,
            "target_per_second": round(rate, 1),
            **result,
            "rss_mb_start": round(samples[0][1], 1) if samples else None,
            "rss_mb_end": round(samples[-1][1], 1) if samples else None,
            "rss_slope_mb_per_hour": round(slope, 1),
            "db_connections_max": max(conns) if conns else 0,
            "db_connections_limit": limit if args.db == "postgresql" else None,
        }
        # A memory slope means something only over a long run (the short CI run reports it).
        slope_gated = seconds >= 600
        ok = (
            result.get("errors", 1) == 0
            and (not slope_gated or slope <= args.max_slope)
            and (args.db != "postgresql" or max(conns or [0]) <= limit)
        )
        report["rss_slope_gated"] = slope_gated
        report["ok"] = ok
        print(json.dumps(report, ensure_ascii=False))
    finally:
        soak.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
