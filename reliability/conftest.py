"""The servers the fault tests share: one PostgreSQL and one Redis of their own, and a
template database migrated and seeded once (the small demo county) that each test clones."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reliability.harness import PgServer, Platform, RedisServer, free_port

TEMPLATE = "fq_faults_template"
FIGURES = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability-faults.json"


@dataclass
class Stack:
    root: Path
    pg: PgServer
    redis: RedisServer

    def platform(self, database_url: str, name: str, redis_db: int) -> Platform:
        data_dir = self.root / name
        data_dir.mkdir(exist_ok=True)
        # The template's data folder holds the data key the seeded rows are encrypted with.
        shutil.copy(self.root / "template" / "data.key", data_dir / "data.key")
        shutil.copy(self.root / "template" / "secret.key", data_dir / "secret.key")
        url = self.redis.url.rsplit("/", 1)[0] + f"/{redis_db}"
        return Platform(database_url, url, data_dir, port=free_port())


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="fq-faults-"))
    os.chmod(root, 0o755)  # noqa: S103 — the postgres user must reach its folder inside
    pg = PgServer(root / "pg", free_port())
    redis = RedisServer(root / "redis", free_port())
    pg.init()
    pg.start()
    redis.start()
    try:
        pg.admin(f'CREATE DATABASE "{TEMPLATE}"')
        seed = Platform(pg.url(TEMPLATE), redis.url, root / "template", port=0)
        seed.data_dir.mkdir()
        seed.manage("migrate", "--noinput", "-v", "0")
        seed.manage("seed_demo", "--small")
        yield Stack(root, pg, redis)
    finally:
        redis.kill()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def record_figures(test: str, figures: dict[str, Any]) -> None:
    """Keep the figures of the last run of each test (docs/reliability-faults.md quotes them)."""
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    known[test] = figures
    FIGURES.write_text(json.dumps(known, ensure_ascii=False, indent=2))
    print(test, json.dumps(figures, ensure_ascii=False))  # noqa: T201
