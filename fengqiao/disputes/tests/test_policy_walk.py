"""Offered on the page ⇔ accepted by the service, for every member of the cast, every case action
and every state a case passes through (issue "Day one in a real county", item 4).

For each state a case is brought there through the services; then each user opens the case page
(and 我的工作), and every action is also tried through its real service call inside a savepoint
that is rolled back. A page that offers what the service refuses, or hides what it accepts, is a
mismatch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from fengqiao.disputes import policy
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    DispatchStatus,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
)
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch,
    case_escalate,
    dispatch_accept,
    dispatch_return,
)
from fengqiao.disputes.services.errors import CaseRuleError, StaleCase
from fengqiao.disputes.services.handling import (
    case_extend,
    case_resume,
    case_suspend,
    mediation_start,
)
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_refer,
    case_reject,
    case_withdraw,
)
from fengqiao.disputes.tests.test_workflow import drive_to
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation.choices import AgreementKind, ConsentDecision, ContactMethod
from fengqiao.mediation.fulfilment import performance_item_add
from fengqiao.mediation.outcomes import (
    case_agree,
    case_fail,
    follow_up_correct,
    follow_up_record,
)
from fengqiao.mediation.services import consent_record

REFUSED = (PermissionDenied, Http404, TransitionNotAllowed, CaseRuleError, StaleCase)

STATES = [
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSED,
    CaseStatus.DISPATCHED,
    CaseStatus.ACCEPTED,
    CaseStatus.MEDIATING,
    CaseStatus.SUSPENDED,
    CaseStatus.RESOLVED,
    CaseStatus.FAILED,
    CaseStatus.ARCHIVED,
]


class _Rollback(Exception):
    pass


def _accepted(call: Callable[[], Any]) -> bool:
    """Whether the service accepts the call; whatever it did is rolled back."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return True
    except REFUSED:
        return False


def _case_calls(user: Any, case: Case, world: Any) -> dict[str, Callable[[], Any]]:
    """Every case action as its service call by ``user``, with input the service accepts."""
    common = {"actor": user, "case_id": case.pk, "version": case.version}
    visit = case.follow_ups.order_by("pk").first()
    party = case.parties.order_by("pk").first()
    assert party is not None
    return {
        CaseAction.ASSESS: lambda: case_assess(
            **common,
            category=case.category,
            grade=RiskGrade.MEDIUM,
            note="研判：按核实情况确定风险等级。",
        ),
        CaseAction.DISPATCH: lambda: case_dispatch(**common, orgs=[world.committee_west]),
        CaseAction.REJECT: lambda: case_reject(**common, reason="已起诉"),
        CaseAction.ESCALATE: lambda: case_escalate(**common, reason="涉及多方"),
        CaseAction.WITHDRAW: lambda: case_withdraw(**common, reason="已和解"),
        CaseAction.START: lambda: mediation_start(**common),
        CaseAction.SUSPEND: lambda: case_suspend(**common, reason="当事人住院"),
        CaseAction.RESUME: lambda: case_resume(**common),
        CaseAction.AGREE: lambda: case_agree(**common, kind=AgreementKind.ORAL, terms="赔偿五百元"),
        CaseAction.FAIL: lambda: case_fail(**common, undisputed_facts="双方确认相邻"),
        CaseAction.REFER: lambda: case_refer(
            **common, target=ReferralTarget.LITIGATION, receiver="甲镇人民法庭"
        ),
        CaseAction.ARCHIVE: lambda: case_archive(**common),
        policy.EXTEND: lambda: case_extend(
            actor=user,
            case_id=case.pk,
            days=10,
            applicant_consents=True,
            respondent_consents=True,
        ),
        policy.FOLLOW_UP: lambda: follow_up_record(actor=user, case_id=case.pk, satisfaction=4),
        policy.FOLLOW_UP_CORRECT: lambda: (
            follow_up_correct(
                actor=user,
                follow_up_id=visit.pk,
                satisfaction=1 if visit.satisfaction != 1 else 2,
                comment="更正",
                reason="记错了",
            )
            if visit is not None
            else _no_visit()
        ),
        policy.FULFIL: lambda: performance_item_add(
            actor=user,
            case_id=case.pk,
            obligor_id=party.pk,
            description="赔偿",
            due_date=timezone.localdate() + timedelta(days=7),
        ),
        policy.MEDIATE: lambda: consent_record(
            actor=user,
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.CONSENTED,
            method=ContactMethod.IN_PERSON,
        ),
    }


def _no_visit() -> None:
    raise CaseRuleError("no visit")


def _offered_on_page(html: str, case: Case) -> set[str]:
    offered = {a for a in policy.ALL_ACTIONS if f'id="act-{a}"' in html}
    if 'id="mediation-consent-form"' in html:
        offered.add(policy.MEDIATE)
    if 'id="fulfilment-item-form"' in html:
        offered.add(policy.FULFIL)
    return offered


def _order_actions(html: str, orders: list[DispatchOrder]) -> set[tuple[int, str]]:
    return {
        (o.pk, action)
        for o in orders
        for action in ("accept", "return")
        if f"/cases/orders/{o.pk}/{action}/" in html
    }


def _bring_to(status: str, cast: Any, world: Any) -> Case:
    case = drive_to(status, cast, world)
    if status == CaseStatus.RESOLVED:
        # A visit already made, so that 更正回访 has something to correct.
        follow_up_record(actor=cast.dispatcher, case_id=case.pk, satisfaction=5)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("status", STATES)
def test_every_cast_member_is_offered_exactly_what_the_services_accept(
    status: str, cast: Any, world: Any, client_for: Any
) -> None:
    case = _bring_to(status, cast, world)
    assert case.status == status
    orders = list(DispatchOrder.objects.filter(case=case).order_by("pk"))
    mismatches: list[str] = []
    for name, user in cast.all().items():
        client = client_for(user)
        page = client.get(f"/cases/{case.pk}/")
        html = page.content.decode() if page.status_code == 200 else ""
        offered = _offered_on_page(html, case)
        calls = _case_calls(user, case, world)
        assert set(calls) == set(policy.ALL_ACTIONS) - {CaseAction.ACCEPT, CaseAction.RETURN}
        for action, call in calls.items():
            fresh = Case.objects.get(pk=case.pk)
            accepted = _accepted(call)
            if (action in offered) != accepted:
                mismatches.append(
                    f"{name} · {action}: page {'offers' if action in offered else 'hides'},"
                    f" service {'accepts' if accepted else 'refuses'}"
                )
            # The policy itself says the same as both.
            if policy.case_may(user, fresh, action) != accepted:
                mismatches.append(f"{name} · {action}: case_may disagrees with the service")
        # 受理 and 退回 of each 交办单, on the case page and on 我的工作.
        on_page = _order_actions(html, orders)
        mine = client.get("/cases/my/")
        on_my_work = _order_actions(mine.content.decode(), orders)
        for order in orders:
            accept_ok = _accepted(
                lambda o=order, u=user: dispatch_accept(actor=u, dispatch_id=o.pk)
            )
            return_ok = _accepted(
                lambda o=order, u=user: dispatch_return(
                    actor=u, dispatch_id=o.pk, reason="不属本村"
                )
            )
            for action, ok in (("accept", accept_ok), ("return", return_ok)):
                repeat = action == "accept" and order.responded_by_id == user.pk
                if repeat:
                    # The same 受理 arriving again is answered quietly (a double click), which
                    # is no action to offer.
                    continue
                if ((order.pk, action) in on_page) != ok:
                    mismatches.append(f"{name} · {action} order {order.pk} on the case page")
            if order.status == DispatchStatus.PENDING:
                # 我的工作 lists a pending order, with both buttons, to whoever may accept it.
                for action in ("accept", "return"):
                    if ((order.pk, action) in on_my_work) != accept_ok:
                        mismatches.append(f"{name} · {action} order {order.pk} on 我的工作")
            elif on_my_work:
                mismatches.append(f"{name} · 我的工作 lists an answered order")
    assert mismatches == []


def test_grid_worker_is_not_offered_accept_or_return_on_my_work(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a case dispatched to 东村's committee, where the grid worker holds their role
    case = _bring_to(CaseStatus.DISPATCHED, cast, world)
    order = case.dispatches.get()
    # then 我的工作 shows the committee's mediator the order, and the grid worker nothing
    assert (
        f"/cases/orders/{order.pk}/accept/"
        in client_for(cast.mediator_east).get("/cases/my/").content.decode()
    )
    assert (
        f"/cases/orders/{order.pk}/"
        not in client_for(cast.grid_worker).get("/cases/my/").content.decode()
    )


def test_justice_officer_is_offered_follow_up_only_if_the_service_takes_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = _bring_to(CaseStatus.RESOLVED, cast, world)
    html = client_for(cast.justice_officer).get(f"/cases/{case.pk}/").content.decode()
    accepted = _accepted(
        lambda: follow_up_record(actor=cast.justice_officer, case_id=case.pk, satisfaction=4)
    )
    assert ('id="act-follow_up"' in html) == accepted
