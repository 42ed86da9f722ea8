"""Shared by the page tests (holds no tests): cases in the fixed world, helpers that move them
along the workflow through the services, and small readers of rendered pages."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.tests.factories import register_case, start_mediation


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def assess(case: Case, cast: Any) -> Case:
    return case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )


def dispatch(case: Case, cast: Any, world: Any) -> Case:
    return case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )


def accept(case: Case, cast: Any) -> Case:
    order = case.dispatches.get(to_org__name="东村人民调解委员会", status="pending")
    return dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)


def start(case: Case, cast: Any) -> Case:
    return start_mediation(case, cast.mediator_east)


def to_mediating(case: Case, cast: Any, world: Any) -> Case:
    return start(accept(dispatch(assess(case, cast), cast, world), cast), cast)


def east_case(cast: Any, world: Any, **extra: Any) -> Case:
    return register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east, **extra
    )


def west_case(cast: Any, world: Any) -> Case:
    return register_case(
        actor=cast.dispatcher,
        platform=world.town_a_platform,
        region=world.village_west,
        title="西村土地边界纠纷",
    )


def fullwidth(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (an IME's output)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
