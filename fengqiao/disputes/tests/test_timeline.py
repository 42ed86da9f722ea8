"""Timeline actions: every code a timeline entry carries is a registered choice with Chinese
words, the same words on the case page, in the API and in stale-form messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from fengqiao.disputes.choices import CaseAction, TimelineAction
from fengqiao.disputes.models import TimelineEvent
from fengqiao.disputes.services.transitions import record_event
from fengqiao.disputes.tests.factories import register_case
from fengqiao.disputes.timeline import (
    action_choices,
    action_codes,
    action_label,
    register_actions,
)
from fengqiao.mediation.choices import MediationAction


def test_every_workflow_action_is_a_timeline_action() -> None:
    assert set(CaseAction.values) <= set(TimelineAction.values)


def test_mediation_registers_its_actions_and_no_code_is_taken_twice() -> None:
    codes = action_codes()
    assert set(MediationAction.values) <= set(codes)
    assert len(codes) == len(set(codes))
    # Every label is words, not the code.
    assert all(str(label) != code for code, label in action_choices())


def test_labels_are_the_timeline_words() -> None:
    assert action_label("consent") == "调解意愿"
    assert action_label("session") == "调解笔录"
    assert action_label("register") == "登记"
    # 上报: a mediator hands a case back to its platform, a platform sends it up.
    assert action_label(CaseAction.ESCALATE) == "上报"
    assert action_label("no_such_action") == "no_such_action"


def test_a_code_taken_by_another_app_is_refused() -> None:
    class Clash(models.TextChoices):
        CONSENT = "consent", "冲突"

    with pytest.raises(ImproperlyConfigured, match="consent"):
        register_actions(Clash)
    assert action_label("consent") == "调解意愿"


def test_an_unknown_action_is_refused_where_it_is_written(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    with pytest.raises(ValueError, match="consnet"):
        record_event(case, actor=cast.dispatcher, action="consnet", from_status="", to_status="")
    event = TimelineEvent(case=case, action="consnet", actor_name="x")
    with pytest.raises(ValidationError):
        event.full_clean()
    event.action = MediationAction.CONSENT
    event.full_clean()
    assert event.get_action_display() == "调解意愿"
