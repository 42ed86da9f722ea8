"""A case reaches beyond its region to the orgs that hold it."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes import selectors
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_return
from fengqiao.disputes.tests.factories import register_case


def test_case_dispatched_to_another_village_is_visible_there_and_only_there(
    cast: Any, world: Any
) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    assert not selectors.case_list_for_user(cast.mediator_west).filter(pk=case.pk).exists()

    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
    )
    case_dispatch(actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_west])

    assert selectors.case_list_for_user(cast.mediator_west).filter(pk=case.pk).exists()
    assert selectors.case_get_for_user(cast.mediator_west, case.pk) == case
    # The police (本单位 scope) hold no order on it and still see nothing; the tribunal's clerk
    # sees it, 西村's committee being paired with the tribunal (法庭与村结对).
    assert not selectors.case_list_for_user(cast.police).filter(pk=case.pk).exists()
    assert selectors.case_list_for_user(cast.court_clerk).filter(pk=case.pk).exists()


def test_a_returned_order_no_longer_opens_the_case(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_west]
    )
    dispatch_return(
        actor=cast.mediator_west, dispatch_id=case.dispatches.get().pk, reason="不属本村，请改派"
    )
    assert not selectors.case_list_for_user(cast.mediator_west).filter(pk=case.pk).exists()
