"""A queued export whose worker died is failed by the sweep (生成超时) and offered again on
我的导出; one whose worker still writes rows is left alone. 我的导出 asks after its pending rows
(the JSON its script reads) and, without the script, offers 刷新. On the small demo county."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case
from fengqiao.ledgers import registry, services
from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport
from fengqiao.ledgers.tests.helpers import read_ledger

pytestmark = pytest.mark.usefixtures("demo_county", "db")

TIMED_OUT = "生成超时，请重新导出。"


def client_of(username: str) -> tuple[User, Client]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    return user, client


def queued(user: User, params: dict[str, str]) -> LedgerExport:
    """A case ledger handed to the queue as the page hands it (no commit in the test: the task
    has not run)."""
    kind = registry.kind("cases")
    assert kind is not None
    return services.ledger_export_queue(actor=user, kind=kind, params=params, expected_rows=99)


def running(user: User, params: dict[str, str], *, last_progress: timedelta) -> LedgerExport:
    """A queued export a worker has taken, its progress last written ``last_progress`` ago."""
    export = services.ledger_export_claim(export_id=queued(user, params).pk)
    assert export is not None
    assert export.status == ExportStatus.RUNNING
    LedgerExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - last_progress)
    export.refresh_from_db()
    return export


def stored_files() -> set[str]:
    try:
        return set(default_storage.listdir("ledgers")[1])
    except FileNotFoundError:
        return set()


def test_a_dead_export_is_swept_and_exported_again_a_live_one_is_not() -> None:
    user, client = client_of("leader")
    # Given two exports being written: one whose worker died 31 minutes ago, one whose worker
    # wrote its progress a minute ago — both started long ago
    dead = running(user, {"status": CaseStatus.RESOLVED}, last_progress=timedelta(minutes=31))
    alive = running(user, {}, last_progress=timedelta(minutes=1))
    LedgerExport.objects.update(created_at=timezone.now() - timedelta(hours=2))
    # when the sweep runs
    result = services.exports_sweep()
    # then only the dead one is failed, with the reason the user reads, and audited as the
    # system's
    assert result.failed == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ExportStatus.FAILED
    assert dead.error == TIMED_OUT
    assert alive.status == ExportStatus.RUNNING
    event = AuditEvent.objects.get(event_type=EventType.DATA_EXPORT_TIMED_OUT)
    assert event.actor_id is None
    assert event.object_id == str(dead.pk)
    assert event.after["was"] == ExportStatus.RUNNING
    # and a second sweep finds nothing more
    assert services.exports_sweep().failed == 0
    # and 我的导出 says why, and offers 重新导出 with the filters the user had chosen
    page = client.get("/ledgers/").content.decode()
    assert f"失败（{TIMED_OUT}）" in page
    again = f'href="/ledgers/cases/?status={CaseStatus.RESOLVED}"'
    assert again in page
    assert "重新导出" in page
    # which exports that list again (the demo's resolved cases are few: written at once)
    response = client.get("/ledgers/cases/", {"status": CaseStatus.RESOLVED})
    table = read_ledger(response.getvalue())
    assert len(table.rows) == Case.objects.filter(status=CaseStatus.RESOLVED).count() > 0
    # and the live one finishes and is downloaded
    done = services.ledger_export_write(export=alive)
    assert done.status == ExportStatus.DONE
    assert client.get(f"/ledgers/exports/{done.pk}/").status_code == 200


def test_a_slow_export_that_writes_rows_is_not_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    user, _client = client_of("leader")
    # Given an export taken 40 minutes ago whose list query was slow to give its first rows
    export = running(user, {}, last_progress=timedelta(minutes=40))
    # when its worker writes rows (progress recorded at every row here)
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0)
    progress = services.ExportProgress(export.pk)
    progress(1)
    progress(2)
    # then its progress is in its row, and the sweep leaves it alone
    export.refresh_from_db()
    assert export.progress_rows == 2
    assert timezone.now() - export.heartbeat_at < timedelta(minutes=1)
    assert services.exports_sweep().failed == 0
    # and writing it to the end records every row it wrote
    done = services.ledger_export_write(export=export)
    assert done.status == ExportStatus.DONE
    done.refresh_from_db()
    assert done.progress_rows == done.rows == Case.objects.count()


def test_a_worker_that_comes_back_after_the_sweep_stops_and_stores_nothing() -> None:
    user, _client = client_of("leader")
    # Given an export swept while its worker hung
    export = running(user, {}, last_progress=timedelta(hours=1))
    assert services.exports_sweep().failed == 1
    before = stored_files()
    # when the worker wakes and writes its progress, or its end
    with pytest.raises(services.ExportAbandoned):
        services.ExportProgress(export.pk, every=0)(10)
    after = services.ledger_export_write(export=export)
    # then the export stays failed as the user was told, with no file kept
    assert after.status == ExportStatus.FAILED
    assert after.error == TIMED_OUT
    assert not after.storage_name
    assert stored_files() == before


def test_an_export_lost_in_the_queue_is_swept_after_a_day() -> None:
    user, _client = client_of("leader")
    lost = queued(user, {})
    waiting = queued(user, {})
    LedgerExport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=25))
    LedgerExport.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(hours=3)
    )
    assert services.exports_sweep().failed == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert (lost.status, lost.error) == (ExportStatus.FAILED, TIMED_OUT)
    assert waiting.status == ExportStatus.QUEUED
    # a task delivered after it was swept does nothing
    assert services.ledger_export_run(export_id=lost.pk) is None


def test_my_exports_asks_after_its_pending_rows_only_its_own() -> None:
    user, client = client_of("leader")
    _other, other_client = client_of("dispatcher")
    export = queued(user, {})
    # While an export is pending the page offers 刷新 (for a browser without the script)
    page = client.get("/ledgers/").content.decode()
    assert 'id="exports-refresh"' in page
    assert f'<tr data-export="{export.pk}" data-pending="1">' in page
    # and the status endpoint renders the row as pending
    answer: Any = client.get("/ledgers/exports/status/", {"ids": f"{export.pk},x,999999"}).json()
    assert answer["pending"] == [export.pk]
    assert "排队中" in answer["rows"][str(export.pk)]
    # another user asking after it learns nothing
    theirs: Any = other_client.get("/ledgers/exports/status/", {"ids": str(export.pk)}).json()
    assert theirs == {"rows": {}, "pending": []}
    # once it is written the row carries its download link and nothing is pending
    services.ledger_export_run(export_id=export.pk)
    answer = client.get("/ledgers/exports/status/", {"ids": str(export.pk)}).json()
    assert answer["pending"] == []
    assert f'href="/ledgers/exports/{export.pk}/"' in answer["rows"][str(export.pk)]
    page = client.get("/ledgers/").content.decode()
    assert 'id="exports-refresh"' not in page


def test_an_export_taken_before_progress_was_written_is_swept_when_old() -> None:
    user, _client = client_of("leader")
    # Given two exports 生成中 without any progress written (taken before the upgrade)
    old = running(user, {}, last_progress=timedelta(0))
    new = running(user, {}, last_progress=timedelta(0))
    LedgerExport.objects.update(heartbeat_at=None)
    LedgerExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    # then only the one taken more than the bound ago is failed
    assert services.exports_sweep().failed == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (ExportStatus.FAILED, ExportStatus.RUNNING)
