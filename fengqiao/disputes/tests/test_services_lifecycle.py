"""A grid report through to archive, as the dispatcher and the village mediator do it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    DueKind,
    DueStatus,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
    DueItem,
    Referral,
)
from fengqiao.disputes.policy import case_may
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, StaleCase
from fengqiao.disputes.services.handling import case_suspend, mediation_start
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_refer,
    case_reject,
    case_withdraw,
)
from fengqiao.disputes.tests.factories import consent_and_notify, register_case, start_mediation
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.models import Failure
from fengqiao.mediation.outcomes import (
    case_agree,
    case_fail,
    follow_up_record,
)


def test_grid_report_to_archive(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    assert case.number == f"{world.town_a.code}-{case.registered_at.astimezone().year}-000001"
    assert case.status == CaseStatus.REGISTERED

    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=case.version,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, orgs=[world.committee_east]
    )
    assert case.status == CaseStatus.DISPATCHED
    order = case.dispatches.get()
    assert DueItem.objects.filter(case=case, kind=DueKind.ACCEPT, status=DueStatus.OPEN).exists()

    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    assert case.status == CaseStatus.ACCEPTED
    assert case.handling_org == world.committee_east
    assert DueItem.objects.get(case=case, kind=DueKind.ACCEPT).status == DueStatus.DONE
    assert DueItem.objects.get(case=case, kind=DueKind.MEDIATION).status == DueStatus.OPEN

    case = start_mediation(case, cast.mediator_east, from_page=True)
    case = case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=case.version,
        kind=AgreementKind.WRITTEN,
        terms="李四于十日内疏通排水沟。",
        facts="双方因排水等事项发生纠纷。",
        disputed_points="责任承担与修复方式。",
    )
    assert case.status == CaseStatus.RESOLVED
    assert case.resolved_level == world.village_east.level
    follow_up_record(actor=cast.mediator_east, case_id=case.pk, satisfaction=5)
    case.refresh_from_db()  # the visit moved the version: the archive form is rendered after it
    case = case_archive(actor=cast.mediator_east, case_id=case.pk, version=case.version)
    assert case.status == CaseStatus.ARCHIVED
    assert case.archive_number.endswith("人调字第1号")
    actions = list(case.timeline.values_list("action", flat=True))
    assert actions == [
        "register",
        "assess",
        "dispatch",
        "accept",
        "consent",
        "consent",
        "rights_notice",
        "start",
        "agree",
        "report_back",
        "follow_up",
        "archive",
    ]


def test_other_village_mediator_cannot_accept(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    with pytest.raises(PermissionDenied):
        dispatch_accept(actor=cast.mediator_west, dispatch_id=case.dispatches.get().pk)


def test_stale_form_is_refused_and_double_click_is_quiet(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    version = case.version
    case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=version,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    # The same submission again: answered 已办理, no second event.
    with pytest.raises(AlreadyDone, match=r"已于.*办理，本次重复提交未再保存"):
        case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=version,
            category=case.category,
            grade=RiskGrade.LOW,
            note="研判：按核实情况确定风险等级。",
        )
    assert case.timeline.filter(action="assess").count() == 1
    # A different form from before the change is refused, saying what changed and by whom.
    with pytest.raises(StaleCase, match="未保存") as stale:
        case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=version, reason="撤回")
    assert f"{cast.dispatcher.display_name} " in str(stale.value)
    assert "研判（风险等级：低" in str(stale.value)


def test_action_not_in_table_is_refused(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        case_archive(actor=cast.mediator_east, case_id=case.pk, version=None)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def _mediating_case(cast: Any, world: Any) -> Case:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
    return start_mediation(case, cast.mediator_east)


def test_written_agreement_needs_the_art_29_facts_and_points(cast: Any, world: Any) -> None:
    case = _mediating_case(cast, world)
    with pytest.raises(CaseRuleError, match="主要事实和争议事项"):
        case_agree(
            actor=cast.mediator_east,
            case_id=case.pk,
            version=None,
            kind=AgreementKind.WRITTEN,
            terms="赔偿五百元",
        )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING


def test_suspension_and_withdrawal_need_a_reason(cast: Any, world: Any) -> None:
    case = _mediating_case(cast, world)
    with pytest.raises(CaseRuleError, match="中止调解须说明理由"):
        case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="  ")
    with pytest.raises(CaseRuleError, match="撤回须说明理由"):
        case_withdraw(actor=cast.mediator_east, case_id=case.pk, version=None, reason="")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING


# --- Consent and rights notice (人民调解法 arts. 17, 23) ----------------------------------------


def _accepted_case(cast: Any, world: Any) -> Case:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    return dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)


def _state(case: Case) -> tuple[str, int]:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version


def test_mediation_starts_only_with_every_consent_and_the_rights_notice(
    cast: Any, world: Any
) -> None:
    from fengqiao.mediation import services as mediation
    from fengqiao.mediation.choices import ConsentDecision, ContactMethod

    m = cast.mediator_east
    case = _accepted_case(cast, world)
    start = CaseAction.START

    # Nobody asked yet
    assert case_may(m, case, start) is False
    with pytest.raises(CaseRuleError, match="尚未记录全部申请人和被申请人同意调解"):
        mediation_start(actor=m, case_id=case.pk, version=case.version)
    # Only the applicant consented
    applicant, respondent = case.parties.order_by("role")
    mediation.consent_record(
        actor=m,
        case_id=case.pk,
        party_id=applicant.pk,
        decision=ConsentDecision.CONSENTED,
        method=ContactMethod.PHONE,
    )
    case.refresh_from_db()  # the page shown after the record
    with pytest.raises(CaseRuleError, match="不能开始调解"):
        mediation_start(actor=m, case_id=case.pk, version=case.version)
    # Both consented, but no 告知书 yet
    mediation.consent_record(
        actor=m,
        case_id=case.pk,
        party_id=respondent.pk,
        decision=ConsentDecision.CONSENTED,
        method=ContactMethod.IN_PERSON,
    )
    assert case_may(m, case, start) is False
    case.refresh_from_db()
    before = _state(case)  # each record moved the version; a refused start moves nothing
    with pytest.raises(CaseRuleError, match="权利义务告知书"):
        mediation_start(actor=m, case_id=case.pk, version=case.version)
    assert _state(case) == before
    assert not case.timeline.filter(action="start").exists()

    mediation.rights_notice_deliver(actor=m, case_id=case.pk, method=ContactMethod.IN_PERSON)

    assert case_may(m, case, start) is True
    case.refresh_from_db()
    case = mediation_start(actor=m, case_id=case.pk, version=case.version)
    assert case.status == CaseStatus.MEDIATING


def test_a_refusal_stops_mediation_and_leaves_referral(cast: Any, world: Any) -> None:
    from fengqiao.mediation import services as mediation
    from fengqiao.mediation.choices import ConsentDecision, ContactMethod

    m = cast.mediator_east
    case = _accepted_case(cast, world)
    consent_and_notify(case, m)
    respondent = case.parties.get(role="respondent")
    mediation.consent_record(
        actor=m,
        case_id=case.pk,
        party_id=respondent.pk,
        decision=ConsentDecision.REFUSED,
        method=ContactMethod.IN_PERSON,
        note="要求直接起诉",
    )

    with pytest.raises(CaseRuleError, match="第十七条不得调解，可转出处理"):
        mediation_start(actor=m, case_id=case.pk, version=None)
    assert case_may(m, case, "start") is False
    # 转出 is what is left, and it works from 已受理
    assert case_may(m, case, "refer") is True
    case = case_refer(
        actor=m, case_id=case.pk, version=None, target="litigation", receiver="甲镇人民法庭"
    )
    assert case.status == CaseStatus.REFERRED_OUT


def test_no_agreement_once_a_party_withdraws_consent(cast: Any, world: Any) -> None:
    from fengqiao.mediation import services as mediation
    from fengqiao.mediation.choices import ConsentDecision, ContactMethod

    m = cast.mediator_east
    case = _mediating_case(cast, world)
    assert case_may(m, case, "agree") is True
    # When the applicant, mid-way, says they no longer want mediation
    mediation.consent_record(
        actor=m,
        case_id=case.pk,
        party_id=case.parties.get(role="applicant").pk,
        decision=ConsentDecision.REFUSED,
        method=ContactMethod.PHONE,
    )
    # Then no agreement can be recorded; the case can still fail or be referred out
    assert case_may(m, case, "agree") is False
    with pytest.raises(CaseRuleError, match="第十七条"):
        case_agree(
            actor=m, case_id=case.pk, version=None, kind=AgreementKind.ORAL, terms="各让一步"
        )
    assert not case.timeline.filter(action="agree").exists()
    assert _state(case)[0] == CaseStatus.MEDIATING
    assert case_may(m, case, "fail") is True
    assert case_may(m, case, "refer") is True


# --- Failure and referral keep their facts in records ------------------------------------------


def test_failure_needs_and_keeps_the_undisputed_facts(cast: Any, world: Any) -> None:
    case = _mediating_case(cast, world)
    with pytest.raises(CaseRuleError, match="无争议事实记载"):
        case_fail(actor=cast.mediator_east, case_id=case.pk, version=None, undisputed_facts=" ")
    assert _state(case)[0] == CaseStatus.MEDIATING
    assert not Failure.objects.exists()

    case = case_fail(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        undisputed_facts="  双方确认借款五万元属实。 ",
        note="对利息分歧较大",
    )

    failure = Failure.objects.get(case=case)
    assert (failure.undisputed_facts, failure.note) == (
        "双方确认借款五万元属实。",
        "对利息分歧较大",
    )
    assert failure.recorded_by == cast.mediator_east
    assert case.status == CaseStatus.FAILED


def test_referral_keeps_where_the_case_went_and_who_received_it(cast: Any, world: Any) -> None:
    case = _mediating_case(cast, world)
    case_fail(actor=cast.mediator_east, case_id=case.pk, version=None, undisputed_facts="借款属实")
    for target, receiver, message in (
        ("court", "甲镇人民法庭", "转出方向"),
        ("litigation", "  ", "接收单位"),
    ):
        with pytest.raises(CaseRuleError, match=message):
            case_refer(
                actor=cast.mediator_east,
                case_id=case.pk,
                version=None,
                target=target,
                receiver=receiver,
            )
    assert _state(case)[0] == CaseStatus.FAILED

    case = case_refer(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        target=ReferralTarget.LITIGATION,
        receiver="甲镇人民法庭",
        note="附无争议事实记载",
    )

    referral = Referral.objects.get(case=case)
    assert (referral.action, referral.target, referral.receiver) == (
        CaseAction.REFER,
        ReferralTarget.LITIGATION,
        "甲镇人民法庭",
    )
    assert case.status == CaseStatus.REFERRED_OUT
    # The failure record stays beside it
    assert Failure.objects.get(case=case).undisputed_facts == "借款属实"


def test_rejection_is_kept_as_a_referral_to_where_it_belongs(cast: Any, world: Any) -> None:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_reject(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        reason="已向法院起诉",
        receiver="甲镇人民法庭",
    )
    referral = Referral.objects.get(case=case)
    assert (referral.action, referral.target, referral.receiver, referral.note) == (
        CaseAction.REJECT,
        "",
        "甲镇人民法庭",
        "已向法院起诉",
    )


def _dispatched_to_east(cast: Any, world: Any) -> Case:
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade="low",
        note="研判：按核实情况确定风险等级。",
    )
    return case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )


def test_a_transition_reads_only_its_own_case(
    cast: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    # The committee has other cases waiting; accepting and closing one case reads the calendar
    # a month at a time (not a query per day) and checks the handler from the grants, without
    # listing the committee's open caseload.
    others = [_dispatched_to_east(cast, world) for _ in range(3)]
    case = _dispatched_to_east(cast, world)
    order = case.dispatches.get()
    # 24, and 3 to tell the parties by SMS (the template, the outbox rows, the notices), 1
    # to mark the case for the statistics (stats.PendingFact), and 1 to ask whether the
    # accepting mediator is suspended (暂停调解工作, disputes.policy.own_refusal).
    with django_assert_max_num_queries(29):
        case = dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    assert case.status == CaseStatus.ACCEPTED
    case = start_mediation(case, cast.mediator_east)
    with CaptureQueriesContext(connection) as queries:
        case = case_agree(
            actor=cast.mediator_east,
            case_id=case.pk,
            version=case.version,
            kind=AgreementKind.ORAL,
            terms="双方握手言和。",
        )
    assert case.status == CaseStatus.RESOLVED
    waiting = {o.pk for o in others}
    listed = [
        q["sql"]
        for q in queries
        for ids in re.findall(r"IN \(([\d, ]+)\)", q["sql"])
        if waiting <= {int(i) for i in ids.split(",")}
    ]
    assert listed == []
    # The orgs come with the locked case and the closer's own platforms from its grants; the
    # parties told by SMS 3 (the template, the outbox rows, the notices); the statistics' mark
    # 1 per timeline entry, 2 here.
    assert len(queries) <= 27
