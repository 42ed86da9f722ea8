"""Shared by the benchmark scripts: the bench database, Django setup and timing helpers."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("FENGQIAO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# FENGQIAO_BENCH_PG_NAME: another database name, so that two runs on one server do not meet.
PG_NAME = os.environ.get("FENGQIAO_BENCH_PG_NAME", "fengqiao_bench")


@dataclass
class BenchDB:
    engine: str  # "sqlite" or "postgresql"
    data_dir: Path

    @property
    def url(self) -> str:
        if self.engine == "postgresql":
            return f"{PG_BASE}/{PG_NAME}"
        return ""

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "fengqiao.sqlite3"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["FENGQIAO_DATA_DIR"] = str(self.data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "fengqiao.settings.base"
        env["FENGQIAO_DEMO"] = "0"
        env.pop("REDIS_URL", None)
        if self.url:
            env["DATABASE_URL"] = self.url
        else:
            env.pop("DATABASE_URL", None)
        return env


def migrate(db: BenchDB) -> None:
    """Bring a bench database made by an earlier version up to the current migrations."""
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env=db.env(),
        check=True,
        cwd=ROOT,
    )


def recreate(db: BenchDB) -> None:
    """An empty, migrated bench database."""
    db.data_dir.mkdir(parents=True, exist_ok=True)
    if db.engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db.sqlite_path) + suffix).unlink(missing_ok=True)
    migrate(db)


def setup_django(db: BenchDB) -> None:
    os.environ.update(db.env())
    if not db.url:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # As the web process does (fengqiao/asgi.py): the scenarios run in a process like it.
    from fengqiao.core.startup import freeze_startup_objects

    freeze_startup_objects()


def raw_connection(db: BenchDB) -> Any:
    """A DB-API connection with no Django in the way: the baseline's."""
    if db.engine == "postgresql":
        import psycopg

        return psycopg.connect(db.url)
    import sqlite3

    conn = sqlite3.connect(db.sqlite_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    def pct(self, p: float) -> float:
        s = sorted(self.samples)
        if not s:
            return 0.0
        k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
        return s[k] * 1000

    @property
    def median(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else 0.0


def measure(fn: Callable[[int], Any], n: int, warmup: int = 3) -> Timing:
    for i in range(warmup):
        fn(i)
    t = Timing()
    for i in range(warmup, warmup + n):
        start = time.perf_counter()
        fn(i)
        t.add(time.perf_counter() - start)
    return t


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "python": sys.version.split()[0]}


def intake_body(rng: random.Random, region_code: str) -> str:
    """The JSON of one generated intake at ``region_code``: fictional people with phones
    (encrypted, hashed, checked for repeats), as the load, the soak and the profile send it."""
    return json.dumps(
        {
            "channel": "grid",
            "category": rng.choice(["neighbour", "marriage_family", "labour"]),
            "title": f"邻里纠纷第{rng.randrange(10**6)}号",
            "facts": "双方因排水沟问题发生争执。",
            "region_code": region_code,
            "parties": [
                {"role": "applicant", "name": "张三丰", "phone": f"138{rng.randrange(10**8):08d}"},
                {"role": "respondent", "name": "李四光", "phone": f"139{rng.randrange(10**8):08d}"},
            ],
        }
    )


def process_rss_mb(pid: int) -> list[float]:
    """Resident memory, in MB, of process ``pid`` and of each of its children."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if proc.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            sizes.append(int(fields.get("VmRSS", "0 kB").split()[0]) / 1024)
    return sizes


def start_web(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """The web server as production runs it (uvicorn, ``fengqiao.asgi:application``) on
    127.0.0.1:``port``, in its own processes with ``env``."""
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fengqiao.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
