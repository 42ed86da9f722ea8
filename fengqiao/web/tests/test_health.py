from __future__ import annotations

from datetime import timedelta

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
