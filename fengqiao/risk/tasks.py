from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.risk.alerts import sweep_warnings


@db_periodic_task(crontab(minute="*"))
@lock_task("risk-warning-sweep")
def escalate_warnings() -> dict[str, int]:
    """Every minute: warnings not acknowledged in time go one level up; an emergency task past
    its deadline is chased (each once)."""
    result = sweep_warnings()
    return {"examined": result.examined, "escalated": result.escalated}
