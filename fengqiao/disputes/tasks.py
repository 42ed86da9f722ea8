from __future__ import annotations

from datetime import date

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from fengqiao.disputes.services.calendar import deadlines_recompute
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


@db_task()
def recompute_deadlines(first: str, last: str, reason: str) -> dict[str, int]:
    """After the holiday calendar changed between ``first`` and ``last`` (ISO dates): count
    the open deadlines over those days again."""
    result = deadlines_recompute(
        first=date.fromisoformat(first), last=date.fromisoformat(last), reason=reason
    )
    return {"examined": result.examined, "moved": result.moved}
