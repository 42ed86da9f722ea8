from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.supervision.services import sweep_directives


@db_periodic_task(crontab(minute="*/5"))
@lock_task("supervision-directive-sweep")
def chase_directives() -> dict[str, int]:
    """Every five minutes: a 督办令 past its deadline unanswered is chased (once)."""
    return {"chased": sweep_directives().chased}
