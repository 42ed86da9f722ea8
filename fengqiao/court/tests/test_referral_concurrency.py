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


def test_two_clerks_adding_different_numbers_at_once_save_one(cast: Any, world: Any) -> None:
    from fengqiao.court.models import CourtReferral
    from fengqiao.court.services.referral import referral_number
    from fengqiao.court.tests.referral_helpers import platform_commission
    from fengqiao.disputes.choices import CourtProcedure
    from fengqiao.disputes.services.errors import CaseRuleError

    case, referral = platform_commission(cast, world)

    def save(actor: Any, number: str, procedure: str) -> Any:
        return lambda: referral_number(
            actor=actor, referral_id=referral.pk, court_case_number=number, procedure=procedure
        )

    results = together(
        save(cast.court_clerk, "（2026）浙0199民初1号", CourtProcedure.SIMPLIFIED),
        save(cast.judge, "（2026）浙0199民初2号", CourtProcedure.ORDINARY),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], CaseRuleError)
    assert "已录入法院案号" in str(refused[0])
    saved = CourtReferral.objects.get(pk=referral.pk)
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    # The period is the one of the procedure that was saved, recorded once
    assert item.period_amount == (7 if saved.procedure == CourtProcedure.SIMPLIFIED else 15)
    assert TimelineEvent.objects.filter(case=case, action=CourtAction.NUMBER).count() == 1


def test_two_withdrawals_at_once_withdraw_once(cast: Any, world: Any) -> None:
    from fengqiao.court.services.referral import referral_withdraw
    from fengqiao.disputes.choices import CaseAction

    case, referral = accepted_case(cast, world)
    results = together(
        lambda: referral_withdraw(
            actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回"
        ),
        lambda: referral_withdraw(
            actor=cast.judge, referral_id=referral.pk, reason="法院决定自行审理"
        ),
    )
    assert len([r for r in results if isinstance(r, Exception)]) == 1, results
    case.refresh_from_db()
    referral.refresh_from_db()
    assert (case.status, referral.status) == (CaseStatus.WITHDRAWN, ReferralStatus.WITHDRAWN)
    assert TimelineEvent.objects.filter(case=case, action=CaseAction.WITHDRAW).count() == 1
    told = Notification.objects.filter(recipient=cast.room_mediator, title__startswith="法院撤回")
    assert told.count() == 1
