from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.disputes.sweep import sweep_due_items


@db_periodic_task(crontab(minute="*/5"))
@lock_task("disputes-sweep")
def sweep_deadlines() -> dict[str, int]:
    """Every five minutes: reminders and 督办 for what has come due."""
    result = sweep_due_items()
    return {
        "examined": result.examined,
        "reminded": result.reminded,
        "supervised": result.supervised,
    }
