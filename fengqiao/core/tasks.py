from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.core.services import heartbeat_beat


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    heartbeat_beat(name="worker")
