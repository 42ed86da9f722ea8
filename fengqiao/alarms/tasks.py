from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.alarms.services import alarm_escalate_due


@db_periodic_task(crontab(minute="*"))
@lock_task("alarms-escalate")
def escalate_alarms() -> dict[str, int]:
    """Every minute (huey's finest periodic resolution): alarms left unacknowledged past their
    limit go to the county, each once. An alarm escalates between its limit and a minute
    after it (docs/alarms.md)."""
    return {"escalated": alarm_escalate_due()}
