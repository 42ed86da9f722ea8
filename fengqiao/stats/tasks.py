from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengqiao.stats.services import rollups_refresh


@db_periodic_task(crontab(minute="*"))
def refresh_rollups() -> int:
    """The safety net: whatever a lost kick left pending is counted within a minute."""
    return rollups_refresh()


@db_task()
def refresh_now() -> int:
    return rollups_refresh()
