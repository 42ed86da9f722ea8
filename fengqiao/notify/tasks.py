"""The outbox worker: a sweep every minute, and a run as soon as a notice is committed."""

from __future__ import annotations

from dataclasses import asdict

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengqiao.notify import codes
from fengqiao.notify.outbox import drain


@db_periodic_task(crontab(minute="*"))
def drain_outbox() -> dict[str, int]:
    """Every minute: send what is due (retries after their backoff, rows whose worker died
    and whose lease ran out, anything a lost kick left)."""
    return asdict(drain(seconds=50))


@db_task()
def drain_now() -> dict[str, int]:
    """Asked for after a commit that wrote notices. Several may run at once: each claims other
    rows."""
    return asdict(drain(seconds=50))


@db_periodic_task(crontab(minute="41", hour="3"))
def purge_verification_codes() -> int:
    """Nightly: verification codes older than two days (hashes only) are deleted."""
    return codes.purge()
