"""Sealing after commit goes through the task worker: one queued seal however many changes
commit meanwhile, and none lost between the seal's read and a later commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import SEAL_REQUESTED, audit_record
from fengqiao.audit.tasks import seal_audit_log, seal_audit_log_now


@pytest.fixture(autouse=True)
def no_request_left() -> Iterator[None]:
    HUEY.delete(SEAL_REQUESTED)
    yield
    HUEY.delete(SEAL_REQUESTED)


def _commit_one(n: int) -> AuditEvent:
    """One change in a transaction of its own that really commits (the tests below use
    transactional test cases, so after-commit callbacks run as in production)."""
    with transaction.atomic():
        return audit_record(
            actor=None, event_type=EventType.REGIONS_IMPORTED, object_type="test", object_id=str(n)
        )


def _sealed(event: AuditEvent) -> bool:
    return AuditEvent.objects.get(pk=event.pk).seq is not None


def test_a_commit_seals_through_the_queue(transactional_db: None) -> None:
    # when a change commits (the queue runs tasks at once in tests)
    event = _commit_one(1)

    # then its row is sealed and no request is left standing
    assert _sealed(event)
    assert HUEY.get(SEAL_REQUESTED, peek=True) is None


def test_commits_while_a_seal_is_queued_queue_no_other(transactional_db: None) -> None:
    # given a seal already asked for (its task waits in the queue)
    assert HUEY.put_if_empty(SEAL_REQUESTED, "1")

    # when two more changes commit
    first = _commit_one(1)
    second = _commit_one(2)

    # then they queued nothing of their own: they wait for the queued seal
    assert not _sealed(first)
    assert not _sealed(second)

    # and when that task runs, both are sealed and the next commit may ask again
    assert seal_audit_log_now.call_local() == 2
    assert _sealed(first)
    assert _sealed(second)
    third = _commit_one(3)
    assert _sealed(third)


def test_periodic_seal_clears_a_request_whose_task_was_lost(transactional_db: None) -> None:
    # given a request whose task was lost (a worker killed before it ran) and a row waiting
    assert HUEY.put_if_empty(SEAL_REQUESTED, "1")
    waiting = _commit_one(1)
    assert not _sealed(waiting)

    # when the minute task runs, then the row is sealed and commits ask for seals again
    assert seal_audit_log.call_local() == 1
    assert _sealed(waiting)
    later = _commit_one(2)
    assert _sealed(later)
