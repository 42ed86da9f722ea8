"""What the fault tests run the platform on: a PostgreSQL server and a Redis server of their own
(started in a temporary folder, so they can be killed and restarted without touching anyone
else's), a database cloned per test from one seeded template, uvicorn and the task worker as
production runs them, and an intake load that records every case the server acknowledged.

Nothing here imports Django: the platform runs in subprocesses with the environment of a
deployment (``Platform.env``), and the tests read the database with psycopg.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds pass (processes starting, rows
    being sealed: the tests wait for a state, never for a fixed time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def _group_alive(group: int) -> bool:
    """Whether any process of process group ``group`` is still running (not a zombie)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp.
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian keeps the server binaries out of PATH, one folder per major version.
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} not found: install the PostgreSQL server package")
    return candidates[-1]


class PgServer:
    """A PostgreSQL server of our own in ``root`` on ``port`` (fsync off: a test server)."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "data"
        # initdb and postgres refuse to run as root: then they run as the postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.root, "postgres")
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: as a crash or a power cut (no checkpoint, clients cut off)."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


class RedisServer:
    """A redis-server of our own (no persistence: a kill loses what it held, the worst case)."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.root),
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self._answers, 20):
            raise RuntimeError("redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@dataclass
class Platform:
    """The platform on one database: ``manage.py`` commands, uvicorn and the task worker."""

    database_url: str
    redis_url: str
    data_dir: Path
    port: int
    web_workers: int = 2
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FENGQIAO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="fengqiao.settings.base",
            FENGQIAO_DATA_DIR=str(self.data_dir),
            FENGQIAO_DEMO="0",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            FENGQIAO_QUEUE_NAME="faults",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def _log(self, name: str) -> Any:
        path = self.data_dir / f"{name}-{len(self.logs)}.log"
        self.logs.append(path)
        return path.open("wb")

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [
                PYTHON, "-m", "uvicorn", "fengqiao.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(self.web_workers),
                "--log-level", "warning", "--no-access-log",
            ],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log("web"),
            start_new_session=True,
        )  # fmt: skip
        web = self.web
        answering = wait_until(
            lambda: web.poll() is not None or self.get("/api/v1/openapi.json")[0] == 200, 90, 0.3
        )
        if not answering or web.poll() is not None:
            # Say why: the server's own last words (a port still held, a failed import…).
            state = f"exited with {web.returncode}" if web.poll() is not None else "still running"
            raise RuntimeError(f"uvicorn did not answer ({state}):\n{self._tail(self.logs[-1])}")

    @staticmethod
    def _tail(path: Path, lines: int = 30) -> str:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [PYTHON, "manage.py", "run_huey"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log("worker"),
            start_new_session=True,
        )  # fmt: skip

    def web_children(self) -> list[int]:
        """The pids of uvicorn's worker processes (children of the supervisor)."""
        assert self.web is not None
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_web(self) -> None:
        """kill -9 of the supervisor and every worker process at once."""
        if self.web is not None:
            group = self.web.pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            self.web.wait(10)
            self.web = None
            # Its workers are gone too before anything starts again on the port: they are not
            # this process's children, so wait for the group to be empty.
            if not wait_until(lambda: not _group_alive(group), 30, 0.1):
                raise RuntimeError(f"web process group {group} survived kill -9")

    def kill_worker(self) -> None:
        if self.worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(10)
            self.worker = None

    def stop(self) -> None:
        for proc in (self.web, self.worker):
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
        self.web = self.worker = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection; status 0 when the server could not be reached."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, body=payload, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        except (OSError, http.client.HTTPException):
            return 0, {}, b""
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, body = self.request("GET", path)
        return status, body

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())


KEYS_SCRIPT = """
import json
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.api.services import api_key_create
from fengqiao.regions.models import Region
admin, _ = User.objects.get_or_create(username="faults-admin")
RoleGrant.objects.get_or_create(user=admin, role=Role.objects.get(code="system_admin"))
targets = []
grants = RoleGrant.objects.filter(role__code="dispatcher").select_related("user", "org__region")
for grant in grants:
    _key, token = api_key_create(
        actor=admin, name="faults", org=grant.org, user=grant.user,
        scopes=["cases:write", "cases:read"], rate_per_minute=100000,
    )
    village = Region.objects.filter(path__startswith=grant.org.region.path, level=5).first()
    targets.append({"token": token, "region": village.code})
print(json.dumps(targets))
"""


def api_keys(platform: Platform) -> list[dict[str, str]]:
    """An API key (100000 requests a minute) for each dispatcher of the demo county, with a
    village of its area to report from."""
    out = platform.manage("shell", "-c", KEYS_SCRIPT)
    targets: list[dict[str, str]] = json.loads(out.stdout.strip().splitlines()[-1])
    assert targets, "the demo county has no dispatcher"
    return targets


def case_body(rng: random.Random, region: str) -> dict[str, Any]:
    return {
        "channel": "grid",
        "category": rng.choice(["neighbour", "marriage_family", "labour"]),
        "title": f"邻里纠纷第{rng.randrange(10**6)}号",
        "facts": "双方因排水沟问题发生争执。",
        "region_code": region,
        # Fictional people with phones (encrypted, hashed, checked for repeats).
        "parties": [
            {"role": "applicant", "name": "张三丰", "phone": f"138{rng.randrange(10**8):08d}"},
            {"role": "respondent", "name": "李四光", "phone": f"139{rng.randrange(10**8):08d}"},
        ],
    }


@dataclass
class Outcome:
    """What the clients saw: the case number of every 201, and every other answer."""

    acknowledged: list[str] = field(default_factory=list)
    acknowledged_at: list[float] = field(default_factory=list)  # seconds into the load
    refused: list[tuple[int, str, bytes]] = field(default_factory=list)  # (status, type, body)
    unreachable: int = 0
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for status, _ctype, _body in self.refused:
            by_status[str(status)] = by_status.get(str(status), 0) + 1
        return {
            "sent": self.sent,
            "acknowledged": len(self.acknowledged),
            "refused_by_status": by_status,
            "unreachable": self.unreachable,
        }


class IntakeLoad:
    """``threads`` clients posting cases for ``seconds`` (each at most ``rate`` a second, so the
    load stays bounded), each through one of the keys; a connection the server drops is opened
    again. ``Outcome`` holds what came back."""

    def __init__(
        self,
        platform: Platform,
        targets: list[dict[str, str]],
        *,
        seconds: float,
        threads: int = 4,
        rate: float = 8.0,
    ) -> None:
        self.platform = platform
        self.targets = targets
        self.seconds = seconds
        self.threads = threads
        self.rate = rate
        self.outcome = Outcome()
        self._workers: list[threading.Thread] = []
        self.started = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self._workers = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.threads)
        ]
        for t in self._workers:
            t.start()

    def stop_after(self, seconds: float) -> None:
        """End the load ``seconds`` from now instead (after a fault whose length varies)."""
        self.seconds = self.elapsed() + seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def join(self) -> Outcome:
        for t in self._workers:
            t.join(self.seconds + 120)
        return self.outcome

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        target = self.targets[n % len(self.targets)]
        headers = {
            "Authorization": f"Bearer {target['token']}",
            "Content-Type": "application/json",
        }
        out = self.outcome
        conn: http.client.HTTPConnection | None = None
        while (now := time.monotonic()) < self.started + self.seconds:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.platform.port, timeout=30)
            body = json.dumps(case_body(rng, target["region"]))
            try:
                conn.request("POST", "/api/v1/cases", body=body, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException):
                # Not acknowledged: the server died or was down (a client would retry).
                conn.close()
                conn = None
                with out.lock:
                    out.sent += 1
                    out.unreachable += 1
                time.sleep(0.05)
                continue
            with out.lock:
                out.sent += 1
                if resp.status == 201:
                    out.acknowledged.append(json.loads(payload)["number"])
                    out.acknowledged_at.append(self.elapsed())
                else:
                    out.refused.append((resp.status, resp.getheader("Content-Type", ""), payload))
            time.sleep(max(0.0, 1 / self.rate - (time.monotonic() - now)))
        if conn is not None:
            conn.close()


@contextlib.contextmanager
def scratch_database(pg: PgServer, name: str, template: str) -> Iterator[str]:
    """A database ``name`` cloned from ``template``, dropped afterwards."""
    pg.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg.url(name)
    finally:
        pg.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


class WebSession:
    """A person at the web pages: logs in through the login form and keeps the cookies."""

    def __init__(self, platform: Platform) -> None:
        import http.cookiejar
        import urllib.request

        self.base = f"http://127.0.0.1:{platform.port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, text); status 0 when the server could not be reached."""
        import urllib.error

        try:
            with self.opener.open(self.base + path, timeout=30) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode(errors="replace")
            return exc.code, exc.headers.get("Content-Type", ""), text
        except OSError:
            return 0, "", ""

    def login(self, username: str, password: str) -> None:
        import re
        import urllib.parse

        status, _ctype, html = self.get("/accounts/login/")
        assert status == 200, status
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        ).encode()
        with self.opener.open(self.base + "/accounts/login/", data=data, timeout=30) as resp:
            assert "/accounts/login/" not in resp.url, "login refused"
