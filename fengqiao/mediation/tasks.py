from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.mediation.fulfilment import performance_remind


@db_periodic_task(crontab(hour="8", minute="0"))
@lock_task("mediation-performance-remind")
def remind_performance() -> dict[str, int]:
    """Every morning: the reminder before each obligation's deadline, the notice once it passed."""
    result = performance_remind()
    return {"reminded": result.reminded, "overdue": result.overdue}
