"""Every write of the ledgers: writing a ledger (watermarked, audited), queueing a large one,
and running a queued one (the task queue's side)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import AuditEntry, audit_record, audit_record_entries
from fengqiao.core.queue import enqueue_or_run
from fengqiao.core.xlsx import ledger_tempfile, stream_workbook
from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport
from fengqiao.ledgers.registry import Ledger, LedgerKind
from fengqiao.orgs.exports import watermark_for

logger = logging.getLogger(__name__)

# Above this many rows a ledger is written by the task queue, not while a web worker waits: a
# ledger is written at about 1,200 rows a second on the shared 2-core reference machine
# (docs/performance.md, "Ledgers"), so 20,000 rows hold a worker for about 15 seconds.
STREAM_MAX_ROWS = 20_000
# A query string kept for a queued export: the list pages' filters are a handful of short values.
MAX_PARAMS = 20
MAX_PARAM_LENGTH = 200
# A running export writes its progress (``heartbeat_at``, ``progress_rows``) at most this often
# while it writes rows: one UPDATE per 10 s, about one per 12,000 rows at the measured rate.
HEARTBEAT_SECONDS = 10
# An export whose progress has not moved for this long has lost its worker (killed, restarted,
# the machine gone): the sweep fails it. 30 minutes is more than twice the whole measured
# 1-million-row export (805 s, about 13.5 minutes, on the loaded 2-core reference machine;
# docs/performance.md "Ledgers"), so even a step that writes no row for twice as long as that
# export took in full — the list query's first rows, the workbook zipped and stored at the
# end — is not mistaken for a dead worker; a slow export that still writes rows is never swept.
STALE_AFTER = timedelta(minutes=30)
# A queued export not taken by any worker for this long was lost by the queue (a worker that
# died between taking the task and claiming the row); two workers take a day's exports well
# inside it, even a queue of dozens of 1-million-row exports.
QUEUED_LIMIT = timedelta(hours=24)


class LedgerRefused(Exception):
    """The export cannot be made; the message is shown to the user."""


def stream_max_rows() -> int:
    return int(getattr(settings, "FENGQIAO_LEDGER_STREAM_MAX", STREAM_MAX_ROWS))


def ledger_filename(kind: LedgerKind, now: Any) -> str:
    return f"{kind.code}-{timezone.localtime(now):%Y%m%d%H%M}.xlsx"


def ledger_write(
    *,
    actor: Any,
    kind: LedgerKind,
    ledger: Ledger,
    target: IO[bytes],
    background: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write ``ledger`` into ``target`` with the watermark (who exports it, when) and record the
    export in the audit log; returns the number of rows. The caller has checked
    ``kind.may_export(actor)`` and built ``ledger`` for ``actor``."""
    now = timezone.localtime()
    preamble = [ledger.title, watermark_for(actor, now), *ledger.notes]
    written = stream_workbook(
        target, ledger.title, ledger.header, ledger.rows(), preamble=preamble, on_row=on_row
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.DATA_EXPORTED,
            object_type=f"ledgers.{kind.code}",
            object_id="ledger",
            object_repr=ledger.title,
            after={"rows": written, "background": background, **dict(ledger.filters)},
        )
    return written


def _kept_params(params: Mapping[str, str]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for key, value in list(params.items())[:MAX_PARAMS]:
        kept[str(key)[:50]] = str(value)[:MAX_PARAM_LENGTH]
    return kept


def ledger_export_queue(
    *, actor: Any, kind: LedgerKind, params: Mapping[str, str], expected_rows: int
) -> LedgerExport:
    """Hand a large export to the task queue (我的导出 shows it until it can be downloaded)."""
    if not kind.may_export(actor):
        raise LedgerRefused(_("您无权导出该台帐。"))
    with transaction.atomic():
        export = LedgerExport.objects.create(
            user=actor,
            ledger=kind.code,
            title=str(kind.label),
            params=_kept_params(params),
            expected_rows=expected_rows,
        )
        # After commit: the worker must find the row; a queue that cannot take it runs it here.
        transaction.on_commit(lambda: enqueue_or_run(_run_task(), export.pk), robust=True)
    return export


class ExportAbandoned(Exception):
    """The sweep has failed this export while it was still being written (its progress had not
    moved for ``STALE_AFTER``): stop writing, the user has been told to export again."""


class ExportProgress:
    """A running export's heartbeat: called for each row written, it records the count in the
    export's row at most every ``HEARTBEAT_SECONDS`` (in its own autocommit statement, so the
    sweep in another process sees it at once). A row the sweep has failed meanwhile stops the
    export (``ExportAbandoned``)."""

    def __init__(self, export_id: int, every: float | None = None) -> None:
        self.export_id = export_id
        self.every = HEARTBEAT_SECONDS if every is None else every
        self.last = time.monotonic()

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.beat(rows)
            self.last = now

    def beat(self, rows: int) -> None:
        alive = LedgerExport.objects.filter(pk=self.export_id, status=ExportStatus.RUNNING).update(
            heartbeat_at=timezone.now(), progress_rows=rows
        )
        if not alive:
            raise ExportAbandoned


def _run_task() -> Any:
    from fengqiao.ledgers.tasks import run_ledger_export

    return run_ledger_export


def ledger_export_run(*, export_id: int) -> LedgerExport | None:
    """The task queue's side: write a queued export as its user (their scope as it stands now)
    into storage. Claimed under a row lock, so a task delivered twice writes it once."""
    export = ledger_export_claim(export_id=export_id)
    if export is None:
        return None
    return ledger_export_write(export=export)


def ledger_export_claim(*, export_id: int) -> LedgerExport | None:
    """排队中 → 生成中, with its first heartbeat; ``None`` when another delivery of the task has
    claimed it already (or the sweep has failed it)."""
    with transaction.atomic():
        export = (
            LedgerExport.objects.select_for_update()
            .select_related("user")
            .filter(pk=export_id, status=ExportStatus.QUEUED)
            .first()
        )
        if export is None:
            return None
        export.status = ExportStatus.RUNNING
        export.heartbeat_at = timezone.now()
        export.save(update_fields=["status", "heartbeat_at"])
    return export


def ledger_export_write(*, export: LedgerExport) -> LedgerExport:
    """Write the claimed (生成中) ``export``, writing its progress as it goes, and finish it:
    可下载, or 失败 with the reason."""
    from fengqiao.ledgers import registry

    user = export.user
    kind = registry.kind(export.ledger)
    progress = ExportProgress(export.pk)
    try:
        if kind is None or not user.is_active or not kind.may_export(user):
            raise LedgerRefused(_("您已无权导出该台帐。"))
        ledger = kind.build(user, export.params)
        with ledger_tempfile() as target:
            rows = ledger_write(
                actor=user,
                kind=kind,
                ledger=ledger,
                target=target,
                background=True,
                on_row=progress,
            )
            # The workbook is written; storing it is the last step (and may take a while).
            progress.beat(rows)
            size = target.tell()
            target.seek(0)
            filename = ledger_filename(kind, timezone.now())
            stored = default_storage.save(f"ledgers/{export.pk}-{filename}", File(target))
    except LedgerRefused as refused:
        return _finish(export, status=ExportStatus.FAILED, error=str(refused))
    except ExportAbandoned:
        logger.warning("ledger export %s was swept while running: stopped", export.pk)
        export.refresh_from_db()
        return export
    except Exception:
        logger.exception("ledger export %s failed", export.pk)
        _finish(export, status=ExportStatus.FAILED, error=_("生成失败，请稍后重新导出。"))
        raise
    return _finish(
        export,
        status=ExportStatus.DONE,
        rows=rows,
        filename=filename,
        storage_name=stored,
        size=size,
    )


def _finish(export: LedgerExport, **values: Any) -> LedgerExport:
    """The end of a running export — unless the sweep has failed it meanwhile, which stands (the
    user was told to export again): a file stored for it then is removed."""
    with transaction.atomic():
        values["finished_at"] = timezone.now()
        finished = LedgerExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            **values
        )
    if not finished:
        if values.get("storage_name"):
            default_storage.delete(values["storage_name"])
        export.refresh_from_db()
        return export
    for name, value in values.items():
        setattr(export, name, value)
    return export


@dataclass(frozen=True)
class SweepResult:
    failed: int


def exports_sweep(*, now: Any = None) -> SweepResult:
    """Fail the exports whose worker is gone, each with "生成超时，请重新导出" and an audit
    event (the system's): 生成中 with no progress for ``STALE_AFTER``, 排队中 for
    ``QUEUED_LIMIT``. A live export writes its progress every few seconds and is left alone."""
    now = now or timezone.now()
    stale = LedgerExport.objects.filter(
        Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        # Taken before exports wrote their progress (an installation upgraded meanwhile).
        | Q(
            status=ExportStatus.RUNNING, heartbeat_at__isnull=True, created_at__lt=now - STALE_AFTER
        )
        | Q(status=ExportStatus.QUEUED, created_at__lt=now - QUEUED_LIMIT)
    )
    reason = _("生成超时，请重新导出。")
    with transaction.atomic():
        # Locked, and the condition read again under the lock: an export whose worker writes
        # its progress or its end at this moment is not among them.
        found = list(stale.select_for_update(skip_locked=True).order_by("pk"))
        LedgerExport.objects.filter(pk__in=[e.pk for e in found]).update(
            status=ExportStatus.FAILED, error=reason, finished_at=now
        )
        audit_record_entries(
            AuditEntry(
                EventType.DATA_EXPORT_TIMED_OUT,
                export,
                {
                    "ledger": export.ledger,
                    "user": export.user_id,
                    "was": export.status,
                    "rows_written": export.progress_rows,
                    "last_progress": (
                        export.heartbeat_at.isoformat() if export.heartbeat_at else None
                    ),
                },
            )
            for export in found
        )
    return SweepResult(failed=len(found))


def ledger_export_open(*, actor: Any, export: LedgerExport) -> IO[bytes]:
    """The stored file of a finished export the caller found as their own
    (``selectors.export_get_for_user``); each download is audited."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.DATA_EXPORTED,
            object_type=f"ledgers.{export.ledger}",
            object_id=str(export.pk),
            object_repr=export.title,
            after={"rows": export.rows, "download": True},
        )
    return default_storage.open(export.storage_name, "rb")
