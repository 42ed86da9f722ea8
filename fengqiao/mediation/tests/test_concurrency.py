"""Two mediators of the handling org record the first session at the same moment, on
PostgreSQL: both sessions are kept and the case starts mediating exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.tests.factories import consent_and_notify, staff
from fengqiao.disputes.tests.test_concurrency import _split, together
from fengqiao.mediation import services
from fengqiao.mediation.choices import SessionMode
from fengqiao.mediation.models import MediationSession
from fengqiao.mediation.tests.factories import accepted_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")


def test_two_first_sessions_at_once_start_mediation_once(cast: Any, world: Any) -> None:
    # Given an accepted case both parties consented to (rights notice given), and two
    # mediators of 东村's committee
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)

    def record(actor: Any) -> Any:
        return services.session_record(
            actor=actor,
            case_id=case.pk,
            held_at=timezone.now(),
            mode=SessionMode.PHONE,
            record="电话调解。",
        )

    # When both record a session at the same moment
    ok, failed = _split(together(lambda: record(cast.mediator_east), lambda: record(colleague)))

    # Then both sessions are kept and mediation started once
    assert failed == []
    assert len(ok) == 2
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    assert MediationSession.objects.filter(case=case).count() == 2
    assert case.timeline.filter(action="start").count() == 1
