from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.audit.services import audit_seal


@db_periodic_task(crontab(minute="*"))
def seal_audit_log() -> int:
    """Seal rows whose after-commit sealing was skipped (another sealer held the head)."""
    return audit_seal()
