"""Load generator for the intake scenario: threads posting cases over keep-alive connections.

Runs in its own process (started by run.py) so the server's CPU is not shared with the
client's interpreter lock. Prints one JSON line: throughput, latency percentiles, errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument(
        "--targets", required=True, help="JSON file: [{token, region}], one per township"
    )
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--warmup", type=float, default=3)
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
            body = json.dumps(
                {
                    "channel": "grid",
                    "category": rng.choice(["neighbour", "marriage_family", "labour"]),
                    "title": f"邻里纠纷第{rng.randrange(10**6)}号",
                    "facts": "双方因排水沟问题发生争执。",
                    "region_code": target["region"],
                    # Fictional people with phones (encrypted, hashed, checked for repeats).
                    "parties": [
                        {
                            "role": "applicant",
                            "name": "张三丰",
                            "phone": f"138{rng.randrange(10**8):08d}",
                        },
                        {
                            "role": "respondent",
                            "name": "李四光",
                            "phone": f"139{rng.randrange(10**8):08d}",
                        },
                    ],
                }
            )
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
    for t in threads:
        t.join()
    s = sorted(latencies)

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
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
