"""Load generator for the intake scenario: threads posting cases over keep-alive connections.

Runs in its own process (started by run.py) so the server's CPU is not shared with the
client's interpreter lock. Prints one JSON line: throughput, latency percentiles, errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import threading
import time
from pathlib import Path

from common import intake_body

TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_kind(web_pid: int, worker_pid: int) -> dict[str, float]:
    """Seconds of CPU each kind of process has used so far: the web server (``web_pid`` and
    its worker processes), the task worker, PostgreSQL, Redis, this process ("load"), and
    everything else on the machine ("other")."""
    me = os.getpid()
    used: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": utime and stime are fields 14 and 15.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(proc.name), int(fields[1])
        if pid == me:
            kind = "load"
        elif web_pid and web_pid in (pid, ppid):
            kind = "web"
        elif worker_pid and worker_pid in (pid, ppid):
            kind = "task worker"
        elif comm == "postgres" or comm.startswith("postgres:"):
            kind = "PostgreSQL"
        elif comm == "redis-server":
            kind = "Redis"
        else:
            kind = "other"
        used[kind] = used.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return used


def machine_busy() -> float:
    """Seconds of CPU the whole machine has been busy (all cores, not idle or waiting on I/O)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(t) for t in first]
    idle = ticks[3] + ticks[4]
    # guest time is already counted in user time
    return (sum(ticks[:8]) - idle) / TICK


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument(
        "--targets", required=True, help="JSON file: [{token, region}], one per township"
    )
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--web-pid", type=int, default=0, help="the server, for its CPU use")
    ap.add_argument("--worker-pid", type=int, default=0, help="the task worker, likewise")
    args = ap.parse_args()

    # Wait for the server to listen (it may take seconds to import Django on a busy machine).
    deadline = time.perf_counter() + 60
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            probe.request("GET", "/api/v1/openapi.json")
            probe.getresponse().read()
            probe.close()
            break
        except OSError:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.2)

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from = start + args.warmup
    stop = measure_from + args.seconds

    with open(args.targets, encoding="utf-8") as f:
        targets = json.load(f)

    def worker(n: int) -> None:
        rng = random.Random(n)
        target = targets[n % len(targets)]
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        headers = {
            "Authorization": f"Bearer {target['token']}",
            "Content-Type": "application/json",
        }
        while True:
            now = time.perf_counter()
            if now >= stop:
                break
            body = intake_body(rng, target["region"])
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/cases", body=body, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                ok = resp.status == 201
            except (OSError, http.client.HTTPException) as exc:
                ok, payload = False, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            t1 = time.perf_counter()
            if t0 < measure_from:
                continue
            with lock:
                if ok:
                    latencies.append(t1 - t0)
                else:
                    errors.append(payload[:200].decode(errors="replace"))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    cpu_from, busy_from = cpu_by_kind(args.web_pid, args.worker_pid), machine_busy()
    time.sleep(max(0.0, stop - time.perf_counter()))
    cpu_to, busy_to = cpu_by_kind(args.web_pid, args.worker_pid), machine_busy()
    for t in threads:
        t.join()
    s = sorted(latencies)
    per_case = {
        kind: round((cpu_to[kind] - cpu_from.get(kind, 0.0)) * 1000 / max(1, len(s)), 1)
        for kind in cpu_to
    }

    def pct(p: float) -> float:
        return round(s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000, 1) if s else 0.0

    print(
        json.dumps(
            {
                "throughput": round(len(s) / args.seconds, 1),
                "p50_ms": pct(50),
                "p99_ms": pct(99),
                "ok": len(s),
                "errors": len(errors),
                "first_error": errors[0] if errors else "",
                "seconds": args.seconds,
                "threads": args.threads,
                # ms of CPU per case accepted, by kind of process, and the machine's total
                "cpu_ms_per_case": dict(sorted(per_case.items(), key=lambda kv: -kv[1])),
                "machine_cpu_ms_per_case": round((busy_to - busy_from) * 1000 / max(1, len(s)), 1),
                "cores": os.cpu_count(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
