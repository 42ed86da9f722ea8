"""The workflow table, proved both ways: every pair outside ``TRANSITIONS`` is refused — by
``next_status`` and by the real services on a real case — and every pair inside it works
through its service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.disputes.choices import CaseAction, CaseStatus, DispatchStatus, RiskGrade
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    TimelineEvent,
)
from fengqiao.disputes.policy import case_may
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch,
    case_escalate,
    dispatch_accept,
    dispatch_return,
)
from fengqiao.disputes.services.errors import AlreadyDone, StaleCase
from fengqiao.disputes.services.handling import case_resume, case_suspend, mediation_start
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_refer,
    case_reject,
    case_withdraw,
)
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, consent_and_notify, register_case
from fengqiao.disputes.workflow import (
    TRANSITIONS,
    TransitionNotAllowed,
    allowed_actions,
    next_status,
)
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import (
    case_agree,
    case_fail,
)

ALL_PAIRS = [(s, a) for s in CaseStatus for a in CaseAction]
REFUSED_PAIRS = [(s, a) for (s, a) in ALL_PAIRS if (s, a) not in TRANSITIONS]


# --- The table itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "action"), REFUSED_PAIRS)
def test_next_status_refuses_every_pair_outside_the_table(status: str, action: str) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        next_status(status, action)
    assert (refused.value.status, refused.value.action) == (status, action)
    # The message names both in Chinese.
    assert str(CaseStatus(status).label) in str(refused.value)
    assert str(CaseAction(action).label) in str(refused.value)
    assert "不能执行" in str(refused.value)


@pytest.mark.parametrize(("pair", "target"), list(TRANSITIONS.items()))
def test_next_status_follows_the_table(pair: tuple[str, str], target: str) -> None:
    assert next_status(*pair) == target


def test_allowed_actions_are_the_table_rows() -> None:
    for status in CaseStatus:
        assert set(allowed_actions(status)) == {a for (s, a) in TRANSITIONS if s == status}
    # Terminal state: nothing leaves 已归档.
    assert allowed_actions(CaseStatus.ARCHIVED) == []


def test_every_open_state_may_be_withdrawn_and_no_closed_one() -> None:
    for status in CaseStatus:
        is_open = status in {
            CaseStatus.REGISTERED,
            CaseStatus.ASSESSED,
            CaseStatus.DISPATCHED,
            CaseStatus.ACCEPTED,
            CaseStatus.MEDIATING,
            CaseStatus.SUSPENDED,
        }
        assert ((status, CaseAction.WITHDRAW) in TRANSITIONS) == is_open


# --- Driving a real case ------------------------------------------------------------------------


def drive_to(status: str, cast: Any, world: Any) -> Case:
    """A case brought to ``status`` through the services, as the cast would do it."""
    d, m = cast.dispatcher, cast.mediator_east
    case = register_case(actor=d, platform=world.town_a_platform, region=world.village_east)
    if status == CaseStatus.REGISTERED:
        return case
    if status in (CaseStatus.WITHDRAWN, CaseStatus.REFERRED_OUT):
        if status == CaseStatus.WITHDRAWN:
            return case_withdraw(actor=d, case_id=case.pk, version=None, reason="和解")
        return case_reject(actor=d, case_id=case.pk, version=None, reason="已起诉")
    case = case_assess(
        actor=d,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    if status == CaseStatus.ASSESSED:
        return case
    case = case_dispatch(actor=d, case_id=case.pk, version=None, orgs=[world.committee_east])
    if status == CaseStatus.DISPATCHED:
        return case
    case = dispatch_accept(actor=m, dispatch_id=case.dispatches.get().pk)
    consent_and_notify(case, m)
    if status == CaseStatus.ACCEPTED:
        return case
    case = mediation_start(actor=m, case_id=case.pk, version=None)
    if status == CaseStatus.MEDIATING:
        return case
    if status == CaseStatus.SUSPENDED:
        return case_suspend(actor=m, case_id=case.pk, version=None, reason="当事人住院")
    if status == CaseStatus.FAILED:
        return case_fail(actor=m, case_id=case.pk, version=None, undisputed_facts="无")
    case = case_agree(
        actor=m, case_id=case.pk, version=None, kind=AgreementKind.ORAL, terms="赔偿五百元"
    )
    if status == CaseStatus.RESOLVED:
        return case
    assert status == CaseStatus.ARCHIVED
    return case_archive(actor=m, case_id=case.pk, version=None)


def _actor_for(action: str, case: Case, cast: Any) -> Any:
    """Who takes ``action``: the platform's dispatcher, or the handling org's mediator."""
    platform_only = {CaseAction.ASSESS, CaseAction.DISPATCH, CaseAction.REJECT}
    if action in platform_only or case.handling_org_id is None:
        return cast.dispatcher
    return cast.mediator_east


def _service_call(action: str, cast: Any, world: Any) -> Callable[[Case], Case]:
    """The public service that takes ``action``, as a call on a case."""

    def call(case: Case) -> Case:
        actor = _actor_for(action, case, cast)
        common = {"actor": actor, "case_id": case.pk, "version": case.version}
        if action == CaseAction.ASSESS:
            return case_assess(
                **common,
                category=case.category,
                grade=RiskGrade.MEDIUM,
                note="研判：按核实情况确定风险等级。",
            )
        if action == CaseAction.DISPATCH:
            return case_dispatch(**common, orgs=[world.committee_east])
        if action == CaseAction.ESCALATE:
            return case_escalate(**common, reason="本级无法化解")
        if action == CaseAction.REJECT:
            return case_reject(**common, reason="已进入诉讼")
        if action == CaseAction.START:
            return mediation_start(**common)
        if action == CaseAction.SUSPEND:
            return case_suspend(**common, reason="等待鉴定")
        if action == CaseAction.RESUME:
            return case_resume(**common)
        if action == CaseAction.AGREE:
            return case_agree(**common, kind=AgreementKind.ORAL, terms="互相谅解")
        if action == CaseAction.FAIL:
            return case_fail(**common, undisputed_facts="借款事实无争议")
        if action == CaseAction.REFER:
            return case_refer(**common, target="litigation", receiver="测试区人民法院")
        if action == CaseAction.WITHDRAW:
            return case_withdraw(**common, reason="当事人自行和解")
        if action == CaseAction.ARCHIVE:
            return case_archive(**common)
        if action == CaseAction.ACCEPT:
            order = _pending_order(case, world)
            return dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
        order = _order_for(case, world)
        assert action == CaseAction.RETURN
        return dispatch_return(
            actor=cast.mediator_east, dispatch_id=order.pk, reason="不属本村管辖"
        )

    return call


def _pending_order(case: Case, world: Any) -> DispatchOrder:
    """The east committee's pending order; one made by hand where the state has none, so that
    accepting reaches the table check."""
    order = case.dispatches.filter(
        to_org=world.committee_east, status=DispatchStatus.PENDING
    ).first()
    return order or DispatchOrder.objects.create(
        case=case,
        from_org=world.town_a_platform,
        to_org=world.committee_east,
        accept_by=case.registered_at,
    )


def _order_for(case: Case, world: Any) -> DispatchOrder:
    """The order the east committee would return: the one it accepted while it handles the
    case, else a pending one."""
    accepted = case.dispatches.filter(
        to_org=world.committee_east, status=DispatchStatus.ACCEPTED
    ).first()
    if accepted is not None and case.handling_org_id == world.committee_east.pk:
        return accepted
    return _pending_order(case, world)


@pytest.mark.parametrize(("pair", "target"), list(TRANSITIONS.items()))
def test_every_allowed_pair_works_through_its_service(
    pair: tuple[str, str], target: str, cast: Any, world: Any
) -> None:
    status, action = pair
    case = drive_to(status, cast, world)
    assert case.status == status
    version = Case.objects.get(pk=case.pk).version
    if action == CaseAction.ESCALATE:
        before_platform = case.platform

    result = _service_call(action, cast, world)(case)

    fresh = Case.objects.get(pk=case.pk)
    assert result.status == fresh.status == target
    assert fresh.version == version + 1
    last = TimelineEvent.objects.filter(case=case, action=action).order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status) == (status, target)
    if action == CaseAction.ESCALATE:
        # The handling village committee hands it back to its township; the township (holding
        # a case nobody handles) hands it to the county.
        handled = case.handling_org_id is not None
        assert fresh.platform == (before_platform if handled else before_platform.parent)


JOINABLE = {CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED}


@pytest.mark.parametrize("status", list(CaseStatus))
def test_every_refused_pair_is_refused_by_the_real_services(
    status: str, cast: Any, world: Any
) -> None:
    """Each service on a real case put in ``status`` (the status is set directly here: the
    point is the refusal, whatever path led there); nothing changes."""
    case = drive_to(CaseStatus.MEDIATING, cast, world)
    Case.objects.filter(pk=case.pk).update(status=status)
    refused = [a for (s, a) in REFUSED_PAIRS if s == status]
    assert refused
    if status in JOINABLE:
        # Not a case transition there: a coordinating org's acceptance joins the case (below).
        refused.remove(CaseAction.ACCEPT)
    for action in refused:
        case = Case.objects.get(pk=case.pk)
        events = TimelineEvent.objects.filter(case=case).count()
        with pytest.raises(TransitionNotAllowed):
            _service_call(action, cast, world)(case)
        after = Case.objects.get(pk=case.pk)
        assert (after.status, after.version) == (status, case.version), action
        assert TimelineEvent.objects.filter(case=case).count() == events, action


# --- Who may act: the side decides, after the table -------------------------------------------


def test_mediator_of_the_village_cannot_escalate_or_withdraw_a_case_not_dispatched_to_them(
    cast: Any, world: Any
) -> None:
    # Given a case the township platform is still assessing, in the east village: the east
    # mediator can see it (region scope) but does not handle it.
    case = assessed_case(cast=cast, world=world)
    assert case_may(cast.mediator_east, case, CaseAction.ESCALATE) is False
    with pytest.raises(PermissionDenied):
        case_escalate(
            actor=cast.mediator_east, case_id=case.pk, version=case.version, reason="上报"
        )
    with pytest.raises(PermissionDenied):
        case_withdraw(
            actor=cast.mediator_east, case_id=case.pk, version=case.version, reason="撤回"
        )
    # The platform may.
    assert case_may(cast.dispatcher, case, CaseAction.ESCALATE) is True
    assert Case.objects.get(pk=case.pk).platform == world.town_a_platform


def test_only_the_handling_org_mediates(cast: Any, world: Any) -> None:
    case = drive_to(CaseStatus.ACCEPTED, cast, world)
    for outsider in (cast.dispatcher, cast.mediator_west, cast.leader, cast.court_clerk):
        with pytest.raises(PermissionDenied):
            mediation_start(actor=outsider, case_id=case.pk, version=case.version)
    assert case_may(cast.mediator_east, case, CaseAction.START) is True
    assert case_may(cast.dispatcher, case, CaseAction.START) is False
    mediation_start(actor=cast.mediator_east, case_id=case.pk, version=case.version)


def test_a_township_no_longer_acts_on_a_case_it_escalated(cast: Any, world: Any) -> None:
    case = assessed_case(cast=cast, world=world)
    case = case_escalate(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, reason="涉群体"
    )
    assert case.platform == world.county_platform
    with pytest.raises(PermissionDenied):
        case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )


def test_outsider_cannot_even_learn_the_state(cast: Any, world: Any) -> None:
    case = drive_to(CaseStatus.REGISTERED, cast, world)
    # Archive is not allowed from 已登记, but the outsider hears only "no permission".
    with pytest.raises(PermissionDenied):
        case_archive(actor=cast.outsider, case_id=case.pk, version=None)


# --- Repeated requests ---------------------------------------------------------------------------


def test_double_click_is_quiet_even_after_the_sweep_wrote_a_reminder(cast: Any, world: Any) -> None:
    # Given an accepted case and the mediator's "start" form at its version
    case = drive_to(CaseStatus.ACCEPTED, cast, world)
    version = case.version
    mediation_start(actor=cast.mediator_east, case_id=case.pk, version=version)
    # the sweep writes a reminder event before the second click arrives
    due = case.due_items.get(kind="mediation")
    assert sweep_due_items(now=due.next_check_at).reminded == 1
    assert case.timeline.order_by("-id").first().action == "remind"

    # When the same click arrives again, it is recognised as already done
    with pytest.raises(AlreadyDone):
        mediation_start(actor=cast.mediator_east, case_id=case.pk, version=version)

    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING
    assert case.timeline.filter(action="start").count() == 1


def test_another_users_form_from_the_same_version_is_stale(cast: Any, world: Any) -> None:
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.disputes.tests.factories import staff

    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case = drive_to(CaseStatus.ACCEPTED, cast, world)
    mediation_start(actor=cast.mediator_east, case_id=case.pk, version=case.version)
    with pytest.raises(StaleCase, match="已被他人处理"):
        mediation_start(actor=colleague, case_id=case.pk, version=case.version)


def test_double_click_on_escalate_is_quiet(cast: Any, world: Any) -> None:
    case = assessed_case(cast=cast, world=world)
    version = case.version
    case_escalate(actor=cast.dispatcher, case_id=case.pk, version=version, reason="上报")
    # The repeated request used to fail with an IndexError after the quiet return.
    with pytest.raises(AlreadyDone):
        case_escalate(actor=cast.dispatcher, case_id=case.pk, version=version, reason="上报")
    assert Case.objects.get(pk=case.pk).platform == world.county_platform
    assert case.timeline.filter(action="escalate").count() == 1


@pytest.mark.parametrize("status", sorted(JOINABLE))
def test_accepting_an_order_on_a_case_being_handled_joins_without_a_transition(
    status: str, cast: Any, world: Any
) -> None:
    # Given a case handled by the east committee and a pending order for the west committee
    case = drive_to(status, cast, world)
    order = DispatchOrder.objects.create(
        case=case,
        from_org=world.town_a_platform,
        to_org=world.committee_west,
        role="coordinating",
        accept_by=case.registered_at,
    )
    # When the west committee accepts
    after = dispatch_accept(actor=cast.mediator_west, dispatch_id=order.pk)
    # Then it joins; the case keeps its state, version and handling org
    fresh = Case.objects.get(pk=case.pk)
    assert (after.status, fresh.status, fresh.version) == (status, status, case.version)
    assert fresh.handling_org == world.committee_east
    join = case.timeline.get(action="join")
    assert join.org == world.committee_west
