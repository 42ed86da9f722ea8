from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.accounts import lockout


@db_periodic_task(crontab(minute="17"))
def login_throttles_clean() -> int:
    """Every hour, delete failed-login counts that have expired."""
    return lockout.throttles_expired_delete()
