"""The task queue's side of a large ledger export, and the sweep of exports whose worker died."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from fengqiao.ledgers.services import exports_sweep, ledger_export_run


@db_task()
def run_ledger_export(export_id: int) -> int | None:
    """Write one queued export (``services.ledger_export_queue`` queues it after commit)."""
    export = ledger_export_run(export_id=export_id)
    return export.rows if export is not None else None


@db_periodic_task(crontab(minute="*/5"))
@lock_task("ledgers-export-sweep")
def sweep_exports() -> dict[str, int]:
    """Every five minutes: exports whose worker has stopped (no progress for
    ``services.STALE_AFTER``) are failed with 生成超时, so 我的导出 offers them again."""
    return {"failed": exports_sweep().failed}
