"""A case reaches beyond its region to the orgs that hold it."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes import selectors
from fengqiao.disputes.choices import DispatchStatus, RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_return
from fengqiao.disputes.tests.factories import register_case
from fengqiao.disputes.tests.test_views_common import assess, east_case


def sent_to_west(cast: Any, world: Any) -> Case:
    """A case of 东村, assessed and dispatched by 甲镇平安办 to 西村's committee."""
    return case_dispatch(
        actor=cast.dispatcher,
        case_id=assess(east_case(cast, world), cast).pk,
        version=None,
        orgs=[world.committee_west],
    )


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
        note="研判：按核实情况确定风险等级。",
    )
    case_dispatch(actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_west])

    assert selectors.case_list_for_user(cast.mediator_west).filter(pk=case.pk).exists()
    assert selectors.case_get_for_user(cast.mediator_west, case.pk) == case
    # The police (本单位 scope) hold no order on it and still see nothing; the tribunal's clerk
    # sees it, 西村's committee being paired with the tribunal (法庭与村结对).
    assert not selectors.case_list_for_user(cast.police).filter(pk=case.pk).exists()
    assert selectors.case_list_for_user(cast.court_clerk).filter(pk=case.pk).exists()


def test_a_returned_order_no_longer_opens_the_case(cast: Any, world: Any) -> None:
    case = sent_to_west(cast, world)
    dispatch_return(
        actor=cast.mediator_west, dispatch_id=case.dispatches.get().pk, reason="不属本村，请改派"
    )
    assert not selectors.case_list_for_user(cast.mediator_west).filter(pk=case.pk).exists()


def test_a_settled_order_keeps_the_case_in_view_read_in_one_query(
    cast: Any, world: Any, django_assert_num_queries: Any
) -> None:
    # Given a case of 东村 dispatched to 西村's committee, whose order is then settled (已办结)
    case = sent_to_west(cast, world)
    case.dispatches.update(status=DispatchStatus.DONE)
    user = type(cast.mediator_west).objects.get(pk=cast.mediator_west.pk)
    selectors.case_list_for_user(user)  # the user's grants, read once a request
    # When 西村's mediator lists their cases
    # Then the case is there, the orders read inside the case query (not loaded first: an
    # org's settled orders grow with its history)
    with django_assert_num_queries(1):
        seen = list(selectors.case_list_for_user(user))
    assert case in seen
    # and 东村's mediator sees it by region, the police station (no order on it) does not
    assert selectors.case_list_for_user(cast.mediator_east).filter(pk=case.pk).exists()
    assert not selectors.case_list_for_user(cast.police).filter(pk=case.pk).exists()
