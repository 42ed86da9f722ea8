from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from fengqiao.audit import services


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
