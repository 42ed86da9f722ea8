from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.governance.services import task_remind
from fengqiao.governance.services_screening import screening_chase


@db_periodic_task(crontab(hour="8", minute="5"))
@lock_task("governance-task-remind")
def remind_tasks() -> dict[str, int]:
    """Every morning: the reminder before each meeting task's deadline, the notice once it
    passed (each once)."""
    result = task_remind()
    return {"reminded": result.reminded, "overdue": result.overdue}


@db_periodic_task(crontab(minute="20"))
@lock_task("governance-screening-chase")
def chase_screening() -> dict[str, int]:
    """Every hour: one 催报 for each unit whose 排查 report for the latest due period is
    missing (each unit and period once)."""
    return {"chased": screening_chase().chased}
