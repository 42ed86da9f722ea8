from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.governance.services import task_remind


@db_periodic_task(crontab(hour="8", minute="5"))
@lock_task("governance-task-remind")
def remind_tasks() -> dict[str, int]:
    """Every morning: the reminder before each meeting task's deadline, the notice once it
    passed (each once)."""
    result = task_remind()
    return {"reminded": result.reminded, "overdue": result.overdue}
