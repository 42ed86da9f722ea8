"""disputes asks mediation through disputes.hooks (filled by MediationConfig.ready)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from fengqiao.disputes import hooks
from fengqiao.disputes.choices import CaseAction
from fengqiao.disputes.policy import case_may
from fengqiao.disputes.tests.factories import consent_and_notify
from fengqiao.mediation.choices import SessionMode
from fengqiao.mediation.services import session_record
from fengqiao.mediation.tests.factories import accepted_case


def test_consent_decides_whether_mediation_may_start(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    assert hooks.mediation_blocker(case, "开始调解") is not None
    assert not case_may(cast.mediator_east, case, CaseAction.START)
    consent_and_notify(case, cast.mediator_east)
    assert hooks.mediation_blocker(case, "开始调解") is None
    assert case_may(cast.mediator_east, case, CaseAction.START)


def test_sessions_held_counts_each_case(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    other = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)
    assert hooks.sessions_held([case.pk, other.pk]) == {}
    for hours in (3, 2):
        session_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            held_at=timezone.now() - timedelta(hours=hours),
            mode=SessionMode.IN_PERSON,
            record="双方陈述",
        )
    assert hooks.sessions_held([case.pk, other.pk]) == {case.pk: 2}


def test_an_unfilled_hook_never_lets_mediation_through(
    cast: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = accepted_case(cast=cast, world=world)
    monkeypatch.setattr(hooks, "_hooks", [])
    with pytest.raises(ImproperlyConfigured):
        case_may(cast.mediator_east, case, CaseAction.START)
    with pytest.raises(ImproperlyConfigured):
        hooks.sessions_held([case.pk])
