"""Handing work to the task queue when the queue may be unreachable (Redis down)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def enqueue_or_run(task: Any, *args: Any) -> None:
    """Queue ``task(*args)`` (a Huey task); when the queue cannot take it, run it here and now
    instead, with a warning in the log: the work is done at once in this process rather than
    lost (docs/reliability-faults.md)."""
    try:
        task(*args)
    except Exception:
        logger.warning(
            "task queue unreachable: running %s in this process", task.name, exc_info=True
        )
        task.call_local(*args)
