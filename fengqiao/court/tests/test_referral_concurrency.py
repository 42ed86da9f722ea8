"""期满退回 under real concurrency (PostgreSQL): two sweeps, and two workers handed the same
case, running at the same moment, return the case to the court once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from fengqiao.court.choices import CourtAction
from fengqiao.court.models.referral import ReferralStatus
from fengqiao.court.services.referral import return_expired
from fengqiao.court.tests.referral_helpers import accepted_case
from fengqiao.disputes.choices import CaseStatus, DueKind
from fengqiao.disputes.models import DueItem, TimelineEvent
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.test_concurrency import together
from fengqiao.notify.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")


def test_two_sweeps_and_two_workers_at_once_return_the_case_once(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    later = DueItem.objects.get(case=case, kind=DueKind.MEDIATION).due_at + timedelta(hours=1)
    results = together(
        lambda: sweep_due_items(now=later).returned,
        lambda: sweep_due_items(now=later).returned,
        lambda: return_expired([case.pk], later),
        lambda: return_expired([case.pk], later),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 1
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (case.status, referral.status) == (CaseStatus.REFERRED_OUT, ReferralStatus.EXPIRED)
    assert TimelineEvent.objects.filter(case=case, action=CourtAction.RETURN).count() == 1
    told = Notification.objects.filter(recipient=cast.court_clerk, title__startswith="期满退回")
    assert told.count() == 1
