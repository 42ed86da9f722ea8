"""The task queue's side of a large ledger export."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from fengqiao.ledgers.services import ledger_export_run


@db_task()
def run_ledger_export(export_id: int) -> int | None:
    """Write one queued export (``services.ledger_export_queue`` queues it after commit)."""
    export = ledger_export_run(export_id=export_id)
    return export.rows if export is not None else None
