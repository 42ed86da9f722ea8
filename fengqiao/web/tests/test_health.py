from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from fengqiao.core.models import Heartbeat
from fengqiao.core.services import heartbeat_beat
from fengqiao.core.tasks import heartbeat
from fengqiao.disputes.models import HolidaySchedule


def _calendar_known() -> None:
    """This year's and next year's holiday schedules are imported (test_holidays.py covers the
    calendar part of /healthz)."""
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        HolidaySchedule.objects.get_or_create(year=year, defaults={"notice": "测试"})


def test_healthz_without_heartbeat_is_degraded(client: Client, db: None) -> None:
    # given no worker has ever run
    # when the health check is requested anonymously
    response = client.get("/healthz")

    # then it answers 200 JSON: database fine, queue reachable, worker not proven alive
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["queue"]["ok"] is True
    assert isinstance(body["queue"]["pending"], int)
    assert body["queue"]["heartbeat"] is None
    assert body["queue"]["worker_alive"] is False


def test_healthz_after_worker_heartbeat_is_ok(client: Client, db: None) -> None:
    # given the periodic heartbeat task has run (the queue runs tasks in-process in tests)
    # and the holiday calendar knows this year and next
    _calendar_known()
    heartbeat()
    assert Heartbeat.objects.filter(name="worker").exists()

    # when the health check is requested
    body = client.get("/healthz").json()

    # then the worker is reported alive
    assert body["status"] == "ok"
    assert body["calendar"]["ok"] is True
    assert body["queue"]["worker_alive"] is True
    assert body["queue"]["heartbeat"] is not None


def test_healthz_with_stale_heartbeat_is_degraded(client: Client, db: None) -> None:
    # given a heartbeat from ten minutes ago (the worker has stopped)
    beat = heartbeat_beat(name="worker")
    Heartbeat.objects.filter(pk=beat.pk).update(last_run=timezone.now() - timedelta(minutes=10))

    # then the worker is no longer reported alive
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["queue"]["worker_alive"] is False


def test_heartbeat_of_another_task_does_not_count(client: Client, db: None) -> None:
    heartbeat_beat(name="something-else")
    assert client.get("/healthz").json()["status"] == "degraded"


def test_healthz_with_the_queue_unreachable_says_so_and_keeps_the_node_in(
    client: Client, db: None, monkeypatch: Any
) -> None:
    # given a live worker and a known calendar, and then the queue's Redis unreachable
    _calendar_known()
    heartbeat()
    from huey.contrib.djhuey import HUEY
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable() -> int:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "pending_count", unreachable)
    monkeypatch.setattr(settings, "REDIS_URL", "redis://127.0.0.1:6379/0")

    # when the health check is requested
    response = client.get("/healthz")

    # then it answers 200 (pages and intake work without Redis), degraded, and says in Chinese
    # what is wrong
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["queue"]["ok"] is False
    assert body["queue"]["error"] == "ConnectionError"
    assert body["problems"] == [
        "任务队列（Redis）无法连接：页面和登记照常可用；审计封存、到期提醒等后台任务暂停，"
        "连接恢复后自动继续。"
    ]


def test_healthz_lists_nothing_wrong_when_all_is_well(client: Client, db: None) -> None:
    _calendar_known()
    heartbeat()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["problems"] == []


def test_healthz_names_a_stopped_worker_and_a_missing_calendar_year(
    client: Client, db: None
) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["problems"][0].startswith("任务执行进程（run_huey）三分钟内没有心跳")
    missing = body["calendar"]["missing_years"]
    named = f"节假日安排缺少 {'、'.join(map(str, missing))} 年：期限按暂定计算，请导入。"
    assert body["problems"][1:] == ([named] if missing else [])
