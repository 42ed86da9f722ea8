"""司法确认's limits under real concurrency (PostgreSQL): two sweeps running at the same moment
send the judge one 催办 and, once the limit has passed, one 督办 (the sweep's row locks with
SKIP LOCKED, and each item's own marks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from fengqiao.court.tests.confirmation_helpers import file, resolved_case
from fengqiao.disputes.choices import TimelineAction
from fengqiao.disputes.models import TimelineEvent
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.test_concurrency import together
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("signing_credentials"),
]


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")


def test_two_sweeps_at_once_remind_and_supervise_the_judge_once(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    for now, kind, action in (
        (c.accept_due_at - timedelta(hours=1), NotificationKind.REMINDER, TimelineAction.REMIND),
        (
            c.accept_due_at + timedelta(hours=1),
            NotificationKind.SUPERVISION,
            TimelineAction.SUPERVISE,
        ),
    ):
        results = together(
            lambda now=now: sweep_due_items(now=now),
            lambda now=now: sweep_due_items(now=now),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        told = Notification.objects.filter(kind=kind)
        assert list(told.values_list("recipient__username", flat=True)) == ["judge"]
        assert TimelineEvent.objects.filter(case_id=c.case_id, action=action).count() == 1
