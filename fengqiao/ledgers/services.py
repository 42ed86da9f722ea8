"""Every write of the ledgers: writing a ledger (watermarked, audited), queueing a large one,
and running a queued one (the task queue's side)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
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


class LedgerRefused(Exception):
    """The export cannot be made; the message is shown to the user."""


def stream_max_rows() -> int:
    return int(getattr(settings, "FENGQIAO_LEDGER_STREAM_MAX", STREAM_MAX_ROWS))


def ledger_filename(kind: LedgerKind, now: Any) -> str:
    return f"{kind.code}-{timezone.localtime(now):%Y%m%d%H%M}.xlsx"


def ledger_write(
    *, actor: Any, kind: LedgerKind, ledger: Ledger, target: IO[bytes], background: bool = False
) -> int:
    """Write ``ledger`` into ``target`` with the watermark (who exports it, when) and record the
    export in the audit log; returns the number of rows. The caller has checked
    ``kind.may_export(actor)`` and built ``ledger`` for ``actor``."""
    now = timezone.localtime()
    preamble = [ledger.title, watermark_for(actor, now), *ledger.notes]
    written = stream_workbook(target, ledger.title, ledger.header, ledger.rows(), preamble=preamble)
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


def _run_task() -> Any:
    from fengqiao.ledgers.tasks import run_ledger_export

    return run_ledger_export


def ledger_export_run(*, export_id: int) -> LedgerExport | None:
    """The task queue's side: write a queued export as its user (their scope as it stands now)
    into storage. Claimed under a row lock, so a task delivered twice writes it once."""
    from fengqiao.ledgers import registry

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
        export.save(update_fields=["status"])
    user = export.user
    kind = registry.kind(export.ledger)
    try:
        if kind is None or not user.is_active or not kind.may_export(user):
            raise LedgerRefused(_("您已无权导出该台帐。"))
        ledger = kind.build(user, export.params)
        with ledger_tempfile() as target:
            rows = ledger_write(
                actor=user, kind=kind, ledger=ledger, target=target, background=True
            )
            size = target.tell()
            target.seek(0)
            filename = ledger_filename(kind, timezone.now())
            stored = default_storage.save(f"ledgers/{export.pk}-{filename}", File(target))
    except LedgerRefused as refused:
        return _finish(export, status=ExportStatus.FAILED, error=str(refused))
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
    with transaction.atomic():
        values["finished_at"] = timezone.now()
        LedgerExport.objects.filter(pk=export.pk).update(**values)
        for name, value in values.items():
            setattr(export, name, value)
    return export


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
