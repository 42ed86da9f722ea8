"""Faults as tests (docs/reliability-faults.md): the platform on PostgreSQL and Redis, under
a bounded intake load, while its processes, its Redis and its database are killed.

Each test clones the seeded template into a scratch database ``fq_faults_*``, runs uvicorn
(two worker processes) and the task worker against it, and checks what a user and an operator
would: every case a client was told was registered (201) is there once, numbered without a gap,
with its notification and audit row, and the audit chain verifies; errors are clean Chinese
JSON or pages; the service comes back by itself.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from typing import Any

import pytest

from reliability.conftest import TEMPLATE, Stack, record_figures
from reliability.harness import (
    IntakeLoad,
    Outcome,
    Platform,
    WebSession,
    api_keys,
    query,
    scratch_database,
    wait_until,
)

pytestmark = pytest.mark.reliability

LOAD_SECONDS = 20
DEMO_PASSWORD = "Fengqiao@2026"  # the demo county's published demo password (seed_demo)


def _at(load: IntakeLoad, second: float) -> None:
    """Wait until the load has run ``second`` seconds."""
    time.sleep(max(0.0, second - load.elapsed()))


def _sealed(url: str) -> bool:
    return query(url, "SELECT count(*) FROM audit_auditevent WHERE seq IS NULL")[0][0] == 0


def _check_cases(url: str, outcome: Outcome, since_id: int) -> dict[str, Any]:
    """Every acknowledged case once, with its audit row, notification and timeline event;
    every numbering region's numbers 1..n without a gap; returns figures."""
    acknowledged = outcome.acknowledged
    assert len(acknowledged) == len(set(acknowledged)), "a number was acknowledged twice"
    rows = query(
        url,
        "SELECT number, id FROM disputes_case WHERE number = ANY(%s)",
        (acknowledged,),
    )
    found = Counter(number for number, _pk in rows)
    missing = sorted(set(acknowledged) - set(found))
    assert not missing, f"acknowledged but not stored: {missing[:5]} ({len(missing)})"
    assert all(n == 1 for n in found.values())
    ids = [pk for _number, pk in rows]

    audit = dict(
        query(
            url,
            "SELECT object_id, count(*) FROM audit_auditevent "
            "WHERE event_type = 'case.registered' AND object_id = ANY(%s) GROUP BY object_id",
            ([str(pk) for pk in ids],),
        )
    )
    assert all(audit.get(str(pk)) == 1 for pk in ids), "a case without its one audit row"
    notified = {
        pk
        for (pk,) in query(
            url, "SELECT DISTINCT case_id FROM notify_notification WHERE case_id = ANY(%s)", (ids,)
        )
    }
    assert notified == set(ids), f"{len(set(ids) - notified)} cases without a notification"
    registered = {
        pk
        for (pk,) in query(
            url,
            "SELECT DISTINCT case_id FROM disputes_timelineevent "
            "WHERE action = 'register' AND case_id = ANY(%s)",
            (ids,),
        )
    }
    assert registered == set(ids), "a case without its registration in the timeline"
    # Registration starts no deadline (the 受理时限 starts at 交办); a new case has none, and
    # the deadlines already running are compared with their state before the load (_deadlines).
    due = query(url, "SELECT count(*) FROM disputes_dueitem WHERE case_id = ANY(%s)", (ids,))[0][0]
    assert due == 0

    # Gap-free: each numbering region's sequence numbers are exactly 1..n, and its counter says n.
    gaps = []
    for region_id, year, last_seq in query(
        url, "SELECT region_id, year, last_seq FROM disputes_casecounter"
    ):
        seqs = sorted(
            int(number.rsplit("-", 1)[1])
            for (number,) in query(
                url,
                "SELECT number FROM disputes_case WHERE number_region_id = %s AND number LIKE %s",
                (region_id, f"%-{year}-%"),
            )
        )
        if seqs != list(range(1, last_seq + 1)):
            gaps.append((region_id, year, last_seq, len(seqs)))
    assert not gaps, f"case numbers with gaps or repeats: {gaps}"

    stored_new = query(url, "SELECT count(*) FROM disputes_case WHERE id > %s", (since_id,))[0][0]
    return {
        "acknowledged": len(acknowledged),
        # Committed while the answer was lost with a killed process: stored once, not told.
        "stored_not_acknowledged": stored_new - len(acknowledged),
        "deadlines_of_new_cases": due,
    }


def _audit_verify(platform: Platform) -> str:
    result = platform.manage("audit_verify", check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "审计链完好" in result.stdout
    return result.stdout.strip().splitlines()[0]


def _deadlines(url: str) -> list[tuple[Any, ...]]:
    """Every deadline row as it stands (none may be lost, doubled or moved by a fault)."""
    return query(url, "SELECT id, case_id, kind, due_at FROM disputes_dueitem ORDER BY id")


def _last_case_id(url: str) -> int:
    return int(query(url, "SELECT coalesce(max(id), 0) FROM disputes_case")[0][0])


HOLD_SWEEP_LOCK = (
    "from huey.contrib.djhuey import HUEY; HUEY.lock_task('disputes-sweep').__enter__()"
)


def _sweep_locked(platform: Platform) -> bool:
    code = "from huey.contrib.djhuey import HUEY; print(HUEY.is_locked('disputes-sweep'))"
    return platform.manage("shell", "-c", code).stdout.strip().endswith("True")


def test_kill_9_of_web_and_task_workers_loses_no_acknowledged_case(stack: Stack) -> None:
    with scratch_database(stack.pg, "fq_faults_kill", TEMPLATE) as url:
        platform = stack.platform(url, "kill", redis_db=1)
        targets = api_keys(platform)
        since, deadlines = _last_case_id(url), _deadlines(url)
        platform.start_worker()
        platform.start_web()
        try:
            load = IntakeLoad(platform, targets, seconds=LOAD_SECONDS, threads=4, rate=8)
            load.start()
            kills = []
            # given intake running, when one uvicorn worker process is killed with SIGKILL
            _at(load, 4)
            child = platform.web_children()[0]
            os.kill(child, signal.SIGKILL)
            kills.append(("web worker process", round(load.elapsed(), 1)))
            # and the task worker is killed, and started again a few seconds later
            _at(load, 7)
            platform.kill_worker()
            kills.append(("task worker", round(load.elapsed(), 1)))
            # having held the deadline sweep's lock, as a worker killed during a sweep does
            platform.manage("shell", "-c", HOLD_SWEEP_LOCK)
            platform.start_worker()
            # and the whole web server (supervisor and workers) is killed and started again
            _at(load, 12)
            platform.kill_web()
            kills.append(("web server", round(load.elapsed(), 1)))
            platform.start_web()
            restarted_after = round(load.elapsed(), 1)
            outcome = load.join()

            # then every acknowledged case is there once, with what goes with it
            assert len(outcome.acknowledged) >= 50, outcome.summary()
            # A request answered at all was answered 201 (no 5xx from the half-dead server).
            assert not outcome.refused, outcome.refused[:3]
            figures = _check_cases(url, outcome, since)
            assert _deadlines(url) == deadlines
            # and the restarted worker has let go of the lock, so deadlines are swept again
            assert wait_until(lambda: not _sweep_locked(platform), 60, 1), "sweep lock held"
            # and the task worker seals every audit row, and the chain verifies
            started = time.monotonic()
            assert wait_until(lambda: _sealed(url), 150, 1), "audit rows left unsealed"
            seal_wait = round(time.monotonic() - started, 1)
            verified = _audit_verify(platform)
        finally:
            platform.stop()
        record_figures(
            "kill_9",
            {
                **outcome.summary(),
                **figures,
                "kills_at_s": kills,
                "web_answering_again_at_s": restarted_after,
                "seal_wait_after_load_s": seal_wait,
                "audit_verify": verified,
                "load": f"{LOAD_SECONDS} s, 4 clients at most 8 requests/s each",
            },
        )


def _unsealed(url: str) -> int:
    return int(query(url, "SELECT count(*) FROM audit_auditevent WHERE seq IS NULL")[0][0])


PAGES = ("/", "/cases/", "/cases/my/", "/notifications/")


def test_redis_down_pages_and_intake_keep_working_and_queued_work_resumes(stack: Stack) -> None:
    with scratch_database(stack.pg, "fq_faults_redis", TEMPLATE) as url:
        platform = stack.platform(url, "redis", redis_db=2)
        targets = api_keys(platform)
        since = _last_case_id(url)
        platform.start_worker()
        platform.start_web()
        try:
            dispatcher = WebSession(platform)
            dispatcher.login("dispatcher", DEMO_PASSWORD)
            load = IntakeLoad(platform, targets, seconds=LOAD_SECONDS, threads=2, rate=5)
            load.start()
            # given intake running, when Redis (queue, cache, rate limits) dies
            _at(load, 4)
            stack.redis.kill()
            acknowledged_before = len(load.outcome.acknowledged)
            _at(load, 6)
            # then a signed-in user's pages still answer, and someone can still sign in
            pages = {path: dispatcher.get(path)[0] for path in PAGES}
            county = WebSession(platform)
            county.login("dispatcher_county", DEMO_PASSWORD)
            pages["/cases/ (signed in during the outage)"] = county.get("/cases/")[0]
            # and /healthz tells the operator Redis is down, without taking the node out
            health_status, health_body = platform.get("/healthz")
            health = json.loads(health_body)
            _at(load, 13)
            unsealed_during = _unsealed(url)
            acknowledged_during = len(load.outcome.acknowledged) - acknowledged_before
            # when Redis comes back (empty: what it held is lost)
            stack.redis.start()
            back_at = round(load.elapsed(), 1)
            outcome = load.join()

            assert all(status == 200 for status in pages.values()), pages
            assert health_status == 200, health
            assert health["status"] == "degraded"
            assert health["queue"]["ok"] is False
            assert "Redis" in health["queue"]["message"]
            assert any("Redis" in problem for problem in health["problems"])
            # intake went on through the outage, and nothing was refused
            assert acknowledged_during >= 10, outcome.summary()
            assert not outcome.refused, outcome.refused[:3]
            assert outcome.unreachable == 0
            figures = _check_cases(url, outcome, since)
            # the audit rows registered meanwhile waited for the queue ...
            assert unsealed_during > 0
            # ... and are sealed once it is back, by the same worker (it survived the outage)
            started = time.monotonic()
            assert wait_until(lambda: _sealed(url), 150, 1), "audit rows left unsealed"
            seal_wait = round(time.monotonic() - started, 1)
            assert platform.worker is not None
            assert platform.worker.poll() is None
            health_after = json.loads(platform.get("/healthz")[1])
            assert health_after["queue"]["ok"] is True
            assert not any("Redis" in problem for problem in health_after["problems"])
            verified = _audit_verify(platform)
        finally:
            platform.stop()
            if stack.redis.proc is None:
                stack.redis.start()
        record_figures(
            "redis_down",
            {
                **outcome.summary(),
                **figures,
                "redis_down_s": [4, back_at],
                "acknowledged_while_down": acknowledged_during,
                "pages_while_down": pages,
                "healthz_while_down": {"http": health_status, **health},
                "audit_rows_waiting_while_down": unsealed_during,
                "sealed_after_redis_back_s": seal_wait,
                "audit_verify": verified,
            },
        )


def _clean_503(status: int, ctype: str, body: bytes | str, *, api: bool) -> bool:
    """A 503 in Chinese without a trace: the API's JSON error, or the 暂停服务 page."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    if status != 503 or "Traceback" in text or "Server Error" in text:
        return False
    if api:
        return ctype.startswith("application/json") and "数据库暂时无法连接" in (
            json.loads(text).get("detail", "")
        )
    return ctype.startswith("text/html") and "暂停服务" in text and "数据库暂时无法连接" in text


def test_database_restart_under_load_fails_cleanly_and_recovers_by_itself(stack: Stack) -> None:
    with scratch_database(stack.pg, "fq_faults_db", TEMPLATE) as url:
        platform = stack.platform(url, "db", redis_db=3)
        targets = api_keys(platform)
        since = _last_case_id(url)
        platform.start_worker()
        platform.start_web()
        web_pid = platform.web.pid if platform.web else 0
        try:
            dispatcher = WebSession(platform)
            dispatcher.login("dispatcher", DEMO_PASSWORD)
            load = IntakeLoad(platform, targets, seconds=120, threads=4, rate=5)
            load.start()
            # given intake running, when the PostgreSQL server stops at once (as a crash does)
            _at(load, 4)
            stack.pg.stop("immediate")
            down_at = round(load.elapsed(), 1)
            # then a signed-in user's page, an API read and /healthz answer 503 cleanly
            page = dispatcher.get("/cases/")
            api_read = platform.request(
                "GET",
                "/api/v1/cases",
                headers={"Authorization": f"Bearer {targets[0]['token']}"},
            )
            health_status, health_body = platform.get("/healthz")
            # when it is started again after 40 s (the platform is not restarted): a pool that
            # backs off 1, 2, 4 … 32 s between attempts would wait until 63 s to try again
            _at(load, 44)
            stack.pg.start()
            back_at = round(load.elapsed(), 1)
            load.stop_after(15)
            refused_before_back = len(load.outcome.refused)
            acknowledged_before_back = len(load.outcome.acknowledged)
            outcome = load.join()

            assert _clean_503(*page, api=False), page
            assert _clean_503(
                api_read[0], api_read[1].get("content-type", ""), api_read[2], api=True
            )
            assert api_read[1].get("retry-after") == "10"
            health = json.loads(health_body)
            assert health_status == 503
            assert health["status"] == "down"
            assert health["problems"][0].startswith("数据库无法连接")
            # every intake refused meanwhile was refused with the API's Chinese JSON 503
            assert outcome.refused, "the outage refused nothing: it did not happen"
            unclean = [r for r in outcome.refused if not _clean_503(*r, api=True)]
            assert not unclean, unclean[:3]
            assert outcome.unreachable == 0
            # then the same server takes cases again, and after the first seconds refuses none
            assert platform.web is not None
            assert platform.web.pid == web_pid
            assert platform.web.poll() is None
            after = len(outcome.acknowledged) - acknowledged_before_back
            first_after = min((t for t in outcome.acknowledged_at if t > back_at), default=999.0)
            recovered_in = round(first_after - back_at, 1)
            assert recovered_in <= 12, f"first case {recovered_in} s after the database was back"
            assert after >= 30, outcome.summary()
            refused_after_back = len(outcome.refused) - refused_before_back
            assert dispatcher.get("/cases/")[0] == 200
            assert platform.get("/healthz")[0] == 200
            figures = _check_cases(url, outcome, since)
            started = time.monotonic()
            assert wait_until(lambda: _sealed(url), 150, 1), "audit rows left unsealed"
            seal_wait = round(time.monotonic() - started, 1)
            verified = _audit_verify(platform)
        finally:
            platform.stop()
        record_figures(
            "database_restart",
            {
                **outcome.summary(),
                **figures,
                "database_down_s": [down_at, back_at],
                "first_acknowledged_after_back_s": recovered_in,
                "acknowledged_after_back": after,
                "refused_after_back": refused_after_back,
                "page_while_down": page[0],
                "api_read_while_down": api_read[0],
                "healthz_while_down": health_status,
                "sealed_after_load_s": seal_wait,
                "audit_verify": verified,
            },
        )
