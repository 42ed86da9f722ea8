from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task

from fengqiao.audit import services
from fengqiao.audit.backup.services import backup_scheduled_run

logger = logging.getLogger(__name__)


@db_task()
def seal_audit_log_now() -> int:
    """Seal what has committed, asked for after commit (``audit_seal_soon``).

    The request flag is cleared first: a row committing after the seal has read its batch
    then asks again. Without waiting: a sealer already running takes the rows it finds, and
    what it misses is asked for by the next commit or sealed by the periodic task.
    """
    HUEY.delete(services.SEAL_REQUESTED)
    return services.audit_seal(wait=False)


@db_periodic_task(crontab(minute="*"))
def seal_audit_log() -> int:
    """Every minute, seal whatever is left (a request lost with a killed worker, a seal that
    found another one running). Clearing the flag lets the next commit ask again."""
    HUEY.delete(services.SEAL_REQUESTED)
    return services.audit_seal()


@cache
def _crontab(schedule: str) -> Callable[[datetime], bool]:
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(schedule)
    minute, hour, day, month, day_of_week = fields
    return crontab(minute, hour, day, month, day_of_week)


def backup_due(moment: datetime) -> bool:
    """Whether the scheduled backup runs at ``moment`` (the queue's clock, UTC unless the queue
    says otherwise): FENGQIAO_BACKUP_SCHEDULE is read in the platform's time zone."""
    schedule = settings.FENGQIAO_BACKUP_SCHEDULE.strip()
    if not schedule:
        return False
    if HUEY.utc:
        moment = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(settings.TIME_ZONE))
    try:
        return _crontab(schedule)(moment.replace(tzinfo=None))
    except ValueError:
        logger.error("FENGQIAO_BACKUP_SCHEDULE is not a crontab of five fields: %r", schedule)
        return False


@db_periodic_task(backup_due)
@lock_task("scheduled-backup")
def scheduled_backup() -> dict[str, Any]:
    """备份 on the schedule: one archive into FENGQIAO_BACKUP_DIR (encrypted with the key in
    FENGQIAO_BACKUP_KEY_FILE when set), then all but the newest FENGQIAO_BACKUP_KEEP deleted."""
    return backup_scheduled_run()
