"""受理 and 退回 on a 交办单 sent twice or from a page that is out of date: the same answer
again is said not to be saved twice, a different or late answer is refused naming who answered
and when, and a page never says "saved" when nothing was."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes.choices import CaseStatus, DispatchStatus
from fengqiao.disputes.models import Case, DispatchOrder
from fengqiao.disputes.tests.factories import staff
from fengqiao.disputes.tests.test_views_common import assess, dispatch, east_case, fresh
from fengqiao.web.tests.html import page_text


def _dispatched(cast: Any, world: Any) -> tuple[Case, DispatchOrder]:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    return case, case.dispatches.get()


def _answer(client: Any, order: DispatchOrder, action: str, version: int, **data: Any) -> Any:
    return client.post(
        f"/cases/orders/{order.pk}/{action}/",
        {"version": version, "next": "/cases/my/", **data},
        follow=True,
    )


def test_an_accept_clicked_twice_is_accepted_once_and_says_so(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given an order on 我的工作, rendered at the case's version
    case, order = _dispatched(cast, world)
    client = client_for(cast.mediator_east)
    first = _answer(client, order, "accept", case.version)
    assert "已受理案件" in page_text(first)

    # When the same 受理 arrives again (a double click, a second tab)
    again = _answer(client, order, "accept", case.version)

    # Then it is answered as a repeat, not as accepted again, and saved once
    text = page_text(again)
    assert "本次重复提交未再保存" in text
    assert "已受理案件" not in text
    assert fresh(case).timeline.filter(action="accept").count() == 1


def test_a_colleague_accepting_from_an_old_page_is_told_who_accepted_and_when(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given two mediators of 东村's committee with the same order on their pages
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case, order = _dispatched(cast, world)
    _answer(client_for(cast.mediator_east), order, "accept", case.version)

    # When the colleague accepts from the page rendered before
    response = _answer(client_for(colleague), order, "accept", case.version)

    # Then nothing is saved and the page names who accepted it
    text = page_text(response)
    assert "已受理案件" not in text
    assert "未保存" in text
    assert f"{cast.mediator_east.display_name} " in text
    assert "东村人民调解委员会受理" in text
    assert fresh(case).handler == cast.mediator_east


def test_a_return_clicked_twice_is_returned_once_and_says_so(
    cast: Any, world: Any, client_for: Any
) -> None:
    case, order = _dispatched(cast, world)
    client = client_for(cast.mediator_east)
    first = _answer(client, order, "return", case.version, reason="不属本村")
    assert "已退回案件" in page_text(first)

    again = _answer(client, order, "return", case.version, reason="不属本村")

    text = page_text(again)
    assert "本次重复提交未再保存" in text
    assert "已退回案件" not in text
    assert fresh(case).timeline.filter(action="return").count() == 1


def test_a_different_return_from_a_second_tab_is_refused_with_the_first_reason(
    cast: Any, world: Any, client_for: Any
) -> None:
    case, order = _dispatched(cast, world)
    client = client_for(cast.mediator_east)
    _answer(client, order, "return", case.version, reason="不属本村")

    # The other tab returns with another reason, then tries 受理
    other = page_text(_answer(client, order, "return", case.version, reason="人手不足"))
    accept = page_text(_answer(client, order, "accept", case.version))

    for text in (other, accept):
        assert "已退回案件" not in text
        assert "已受理案件" not in text
        assert "未保存" in text
        assert "退回（不属本村）" in text
    order.refresh_from_db()
    assert (order.status, order.return_reason) == (DispatchStatus.RETURNED, "不属本村")
    assert fresh(case).status == CaseStatus.ASSESSED


def test_a_return_from_a_page_older_than_a_colleagues_accept_is_refused(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given the order accepted by one mediator (the case is now handled by the committee)
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case, order = _dispatched(cast, world)
    _answer(client_for(cast.mediator_east), order, "accept", case.version)

    # When the colleague returns it from the page rendered before the acceptance
    response = _answer(client_for(colleague), order, "return", case.version, reason="不属本村")

    # Then the return is refused naming the acceptance, and the case stays accepted
    text = page_text(response)
    assert "已退回案件" not in text
    assert "未保存" in text
    assert cast.mediator_east.display_name in text
    assert fresh(case).status == CaseStatus.ACCEPTED
    order.refresh_from_db()
    assert order.status == DispatchStatus.ACCEPTED
