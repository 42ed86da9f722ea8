"""Whole cases as the platform runs them: each intake channel to archive with its mediation
limit, return and re-dispatch, escalation up three levels, joint mediation (seed 000's lead
rule), and withdrawal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CaseStatus,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    DueItem,
)
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch,
    case_escalate,
    dispatch_accept,
    dispatch_return,
)
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, StaleCase
from fengqiao.disputes.services.handling import case_suspend, mediation_start
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_withdraw,
)
from fengqiao.disputes.services.transitions import LIVE_ORDER
from fengqiao.disputes.tests.factories import (
    assessed_case,
    register_case,
    staff,
    start_mediation,
)
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import (
    case_agree,
    follow_up_record,
)
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.orgs.tests.factories import OrganizationFactory, kind
from fengqiao.regions.choices import RegionLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday with no holiday within a month either side of its deadlines (清明 2025 is Apr 4–6).
ACCEPTED_AT = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)


@contextmanager
def clock(at: datetime) -> Iterator[None]:
    with patch("django.utils.timezone.now", return_value=at):
        yield


def _local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _dispatch(cast: Any, case: Case, *orgs: Any, lead: Any = None) -> Case:
    return case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, orgs=list(orgs), lead=lead
    )


def _order(case: Case, org: Any) -> DispatchOrder:
    return case.dispatches.filter(status__in=LIVE_ORDER).get(to_org=org)


# --- Every channel through to archive ------------------------------------------------------------

# 委派 30 days from acceptance (seed 002 §四(六)); 委托 15 days; people's mediation one month
# (人民调解工作若干规定 art. 33), counted from the day after acceptance (民法典 arts. 201, 202).
EXPECTED_MEDIATION_END = {
    IntakeChannel.COURT_PRE: date(2025, 4, 2),
    IntakeChannel.COURT_POST: date(2025, 3, 18),
}
ONE_MONTH_LATER = date(2025, 4, 3)


@pytest.mark.parametrize("channel", list(IntakeChannel))
def test_each_channel_runs_to_archive_with_its_mediation_limit(
    channel: str, cast: Any, world: Any
) -> None:
    # Given a dispute coming in through ``channel``: the court clerk registers court cases, the
    # township platform the rest (an online application too: the service asks every channel's
    # registrant for the register permission, which the public portal's applicant will hold).
    registrant = {
        IntakeChannel.COURT_PRE: cast.court_clerk,
        IntakeChannel.COURT_POST: cast.court_clerk,
    }.get(channel, cast.dispatcher)
    with clock(ACCEPTED_AT - timedelta(days=2)):
        case = register_case(
            actor=registrant,
            platform=world.town_a_platform,
            region=world.village_east,
            channel=channel,
        )
        assert case.number == f"{world.town_a.code}-2025-000001"
        assert Notification.objects.filter(
            recipient=cast.dispatcher, case=case, kind=NotificationKind.NEW_CASE
        ).exists()
        case = case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=case.version,
            category=case.category,
            grade=RiskGrade.LOW,
            note="研判：按核实情况确定风险等级。",
        )
        case = _dispatch(cast, case, world.committee_east)

    # When the village committee accepts on Monday 3 March 2025
    with clock(ACCEPTED_AT):
        case = dispatch_accept(
            actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
        )

    # Then its mediation clock runs to the end of the channel's last day
    due = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    expected = EXPECTED_MEDIATION_END.get(channel, ONE_MONTH_LATER)
    assert due.due_at == deadlines.end_of_day(expected)
    assert _local_day(due.due_at) == expected
    assert due.org == world.committee_east
    assert DueItem.objects.get(case=case, kind=DueKind.ACCEPT).status == DueStatus.DONE

    # and the case goes on to agreement, follow-up and archive
    m = cast.mediator_east
    case = start_mediation(case, m, from_page=True)
    case = case_agree(
        actor=m,
        case_id=case.pk,
        version=case.version,
        kind=AgreementKind.WRITTEN,
        terms="李四于十日内疏通排水沟。",
        facts="双方因排水等事项发生纠纷。",
        disputed_points="责任承担与修复方式。",
    )
    assert DueItem.objects.get(pk=due.pk).status == DueStatus.DONE
    # and the township platform that dispatched it hears the result (办结反馈)
    result = Notification.objects.get(recipient=cast.dispatcher, kind=NotificationKind.RESULT)
    assert result.case == case
    assert "李四于十日内疏通排水沟" in result.body
    follow_up_record(actor=m, case_id=case.pk, satisfaction=4)
    case.refresh_from_db()  # the visit moved the version: the archive form is rendered after it
    case = case_archive(actor=m, case_id=case.pk, version=case.version)
    assert case.status == CaseStatus.ARCHIVED
    assert case.closed_at is not None
    assert case.resolved_level == RegionLevel.VILLAGE
    assert case.timeline.first().data["channel"] == channel
    assert list(case.timeline.values_list("action", flat=True)) == [
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


def test_staff_without_the_register_permission_cannot_register(cast: Any, world: Any) -> None:
    for who in (cast.outsider, cast.leader, cast.citizen):
        with pytest.raises(PermissionDenied):
            register_case(actor=who, platform=world.town_a_platform, region=world.village_east)
    assert not Case.objects.exists()


# --- Return with a reason, re-dispatch elsewhere ------------------------------------------------


def test_return_with_reason_and_redispatch_to_another_org(cast: Any, world: Any) -> None:
    # Given a case dispatched to the east committee
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east)
    east_order = _order(case, world.committee_east)

    # A return needs a reason
    with pytest.raises(CaseRuleError, match="理由"):
        dispatch_return(actor=cast.mediator_east, dispatch_id=east_order.pk, reason=" ")
    # When the east committee returns it
    case = dispatch_return(
        actor=cast.mediator_east, dispatch_id=east_order.pk, reason="当事人为调解员近亲属，需回避"
    )

    # Then the case is back with the platform, the order carries the reason, its clock stopped
    assert case.status == CaseStatus.ASSESSED
    assert case.handling_org is None
    east_order.refresh_from_db()
    assert east_order.status == DispatchStatus.RETURNED
    assert east_order.return_reason == "当事人为调解员近亲属，需回避"
    assert east_order.responded_by == cast.mediator_east
    assert DueItem.objects.get(dispatch=east_order).status == DueStatus.CANCELLED
    returned = Notification.objects.get(recipient=cast.dispatcher, kind=NotificationKind.RETURN)
    assert returned.body == "当事人为调解员近亲属，需回避"
    assert case.timeline.filter(action="return").get().note == "当事人为调解员近亲属，需回避"

    # When the platform re-dispatches to the west committee, which accepts and mediates
    case = _dispatch(cast, case, world.committee_west)
    west_order = _order(case, world.committee_west)
    case = dispatch_accept(actor=cast.mediator_west, dispatch_id=west_order.pk)
    assert (case.status, case.handling_org, case.handler) == (
        CaseStatus.ACCEPTED,
        world.committee_west,
        cast.mediator_west,
    )
    # The west mediator handles it although the dispute is in the east village
    case = start_mediation(case, cast.mediator_west)
    assert case.status == CaseStatus.MEDIATING
    # and the east committee, having returned it, has no say any more
    with pytest.raises(PermissionDenied):
        case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="x")


def test_the_handling_org_may_return_an_accepted_case_until_mediation_starts(
    cast: Any, world: Any
) -> None:
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east)
    order = _order(case, world.committee_east)
    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)

    case = dispatch_return(actor=cast.mediator_east, dispatch_id=order.pk, reason="超出能力")

    assert case.status == CaseStatus.ASSESSED
    assert case.handling_org is None
    assert DueItem.objects.get(pk=mediation.pk).status == DueStatus.CANCELLED
    # Once mediation has started, returning is no longer the way out (escalate instead).
    case = _dispatch(cast, case, world.committee_east)
    order = _order(case, world.committee_east)
    dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    start_mediation(case, cast.mediator_east)
    with pytest.raises(TransitionNotAllowed):
        dispatch_return(actor=cast.mediator_east, dispatch_id=order.pk, reason="难")


# --- Escalation village → township → county ----------------------------------------------------


def test_escalation_from_village_to_township_to_county_resolved_at_county_level(
    cast: Any, world: Any
) -> None:
    # Given the township's case dispatched to 东村's committee (no village platform), and a
    # county dispatcher with a county-level industry committee
    county_dispatcher = cast.county_dispatcher
    county_committee = OrganizationFactory(
        name="测试区物业纠纷人民调解委员会", kind=kind("committee_industry"), region=world.county
    )
    county_mediator = staff("county_mediator", BuiltinRole.MEDIATOR, county_committee)
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east)
    case = dispatch_accept(
        actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
    )
    case = start_mediation(case, cast.mediator_east)

    # When the village committee escalates
    case = case_escalate(
        actor=cast.mediator_east, case_id=case.pk, version=case.version, reason="涉及全镇物业"
    )
    # Then it goes one level up from the village: back to the township platform (not the
    # county), which is told; nobody handles it, the village's clocks and order ended
    assert (case.status, case.platform, case.handling_org) == (
        CaseStatus.ASSESSED,
        world.town_a_platform,
        None,
    )
    handed_back = case.timeline.filter(action="escalate").get()
    assert handed_back.data["handed_back"] is True
    assert handed_back.data["from_org"] == world.committee_east.pk
    assert Notification.objects.filter(
        recipient=cast.dispatcher, case=case, title__startswith="承办单位上报"
    ).exists()
    assert not Notification.objects.filter(recipient=county_dispatcher, case=case).exists()
    assert not DueItem.objects.filter(case=case, status=DueStatus.OPEN).exists()
    assert not case.dispatches.filter(status__in=LIVE_ORDER).exists()
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=cast.mediator_east, case_id=case.pk, version=None, reason="x")

    # When the township, unable to handle it at its level either, escalates
    case = case_escalate(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, reason="涉及全区物业"
    )
    # Then the county platform holds it and is told; the township no longer acts on it
    assert (case.status, case.platform) == (CaseStatus.ASSESSED, world.county_platform)
    assert case.timeline.filter(action="escalate").last().data == {
        "from_version": case.version - 1,
        "from_platform": world.town_a_platform.pk,
        "platform": world.county_platform.pk,
    }
    assert Notification.objects.filter(
        recipient=county_dispatcher, case=case, title__startswith="下级上报"
    ).exists()
    with pytest.raises(PermissionDenied):
        case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )

    # When the county dispatches to its industry committee, which resolves it
    case = case_dispatch(
        actor=county_dispatcher, case_id=case.pk, version=case.version, orgs=[county_committee]
    )
    case = dispatch_accept(actor=county_mediator, dispatch_id=_order(case, county_committee).pk)
    assert case.handling_org == county_committee
    case = start_mediation(case, county_mediator)
    case = case_agree(
        actor=county_mediator,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        terms="物业公司维修电梯",
        facts="双方因排水等事项发生纠纷。",
        disputed_points="责任承担与修复方式。",
    )
    # Then it counts as resolved at county level (大事不出镇 missed)
    assert case.resolved_level == RegionLevel.COUNTY
    # and the county, having no level above, cannot escalate further
    other = register_case(
        actor=county_dispatcher, platform=world.county_platform, region=world.village_east
    )
    other = case_assess(
        actor=county_dispatcher,
        case_id=other.pk,
        version=None,
        category=other.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    with pytest.raises(CaseRuleError, match="没有上级平台"):
        case_escalate(actor=county_dispatcher, case_id=other.pk, version=None, reason="x")
    unchanged = Case.objects.get(pk=other.pk)
    assert (unchanged.platform, unchanged.version) == (world.county_platform, other.version)


def test_an_org_at_the_platforms_level_escalates_to_the_platform_above(
    cast: Any, world: Any
) -> None:
    # The township tribunal handles the township's case: one level up from it is the county.
    tribunal_mediator = staff("tribunal_mediator", BuiltinRole.MEDIATOR, world.tribunal_a)
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.tribunal_a)
    case = dispatch_accept(actor=tribunal_mediator, dispatch_id=_order(case, world.tribunal_a).pk)

    case = case_escalate(actor=tribunal_mediator, case_id=case.pk, version=None, reason="标的较大")

    assert (case.status, case.platform, case.handling_org) == (
        CaseStatus.ASSESSED,
        world.county_platform,
        None,
    )


def test_a_village_platform_escalates_to_the_township(cast: Any, world: Any) -> None:
    village_platform = OrganizationFactory(
        name="东村综治中心", kind=kind("platform"), region=world.village_east,
        parent=world.town_a_platform,
    )  # fmt: skip
    village_dispatcher = staff("village_dispatcher", BuiltinRole.DISPATCHER, village_platform)
    case = register_case(
        actor=village_dispatcher, platform=village_platform, region=world.village_east
    )

    case = case_assess(
        actor=village_dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.HIGH,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_escalate(
        actor=village_dispatcher, case_id=case.pk, version=None, reason="涉群体，村级无力化解"
    )

    assert (case.status, case.platform) == (CaseStatus.ASSESSED, world.town_a_platform)
    assert Notification.objects.filter(
        recipient=cast.dispatcher, case=case, title__startswith="下级上报"
    ).exists()
    with pytest.raises(PermissionDenied):
        case_assess(
            actor=village_dispatcher,
            case_id=case.pk,
            version=None,
            category=case.category,
            grade=RiskGrade.HIGH,
            note="研判：按核实情况确定风险等级。",
        )


def test_a_case_resolved_by_the_township_tribunal_counts_at_township_level(
    cast: Any, world: Any
) -> None:
    tribunal_mediator = staff("tribunal_mediator", BuiltinRole.MEDIATOR, world.tribunal_a)
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.tribunal_a)
    case = dispatch_accept(actor=tribunal_mediator, dispatch_id=_order(case, world.tribunal_a).pk)
    start_mediation(case, tribunal_mediator)
    case = case_agree(
        actor=tribunal_mediator,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="当场赔付",
    )
    assert case.resolved_level == RegionLevel.TOWNSHIP


# --- Joint mediation: seed 000's lead rule ------------------------------------------------------


@pytest.fixture
def industry(world: Any) -> Any:
    """A township-level industry committee (行业性专业性人民调解委员会) with a mediator."""
    org = OrganizationFactory(
        name="甲镇物业纠纷人民调解委员会", kind=kind("committee_industry"), region=world.town_a
    )
    return org, staff("town_industry_mediator", BuiltinRole.MEDIATOR, org)


def test_joint_mediation_first_acceptor_leads(cast: Any, world: Any) -> None:
    # Given a case dispatched to two village committees with no lead named
    case = _dispatch(
        cast, assessed_case(cast=cast, world=world), world.committee_east, world.committee_west
    )
    east, west = _order(case, world.committee_east), _order(case, world.committee_west)
    assert {east.role, west.role} == {DispatchRole.COORDINATING}
    # Each org has its own acceptance limit
    assert DueItem.objects.filter(case=case, kind=DueKind.ACCEPT).count() == 2

    # When the west committee accepts first
    case = dispatch_accept(actor=cast.mediator_west, dispatch_id=west.pk)
    # Then it leads (最先受理纠纷的单位为主调方)
    assert (case.status, case.handling_org) == (CaseStatus.ACCEPTED, world.committee_west)
    west.refresh_from_db()
    assert west.role == DispatchRole.LEAD

    # When the east committee accepts later, it joins as coordinating org with its own order
    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=east.pk)
    assert case.handling_org == world.committee_west
    east.refresh_from_db()
    assert (east.status, east.role) == (DispatchStatus.ACCEPTED, DispatchRole.COORDINATING)
    assert DueItem.objects.get(dispatch=east).status == DueStatus.DONE
    assert list(case.timeline.values_list("action", "org")[3:]) == [
        ("accept", world.committee_west.pk),
        ("join", world.committee_east.pk),
    ]
    # Only the lead has a mediation clock
    assert DueItem.objects.filter(case=case, kind=DueKind.MEDIATION).get().org == (
        world.committee_west
    )


def test_joint_mediation_industry_committee_leads_even_when_another_accepted_first(
    cast: Any, world: Any, industry: Any
) -> None:
    committee, industry_mediator = industry
    # Given a property dispute dispatched to the east committee and the industry committee
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east, committee)
    assert _order(case, committee).role == DispatchRole.LEAD
    assert _order(case, world.committee_east).role == DispatchRole.COORDINATING

    # When the east committee accepts first, it joins and the case waits for the lead
    case = dispatch_accept(
        actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
    )
    assert case.status == CaseStatus.DISPATCHED
    assert case.handling_org is None

    # When the industry committee accepts, it leads (行业单位为主调方)
    case = dispatch_accept(actor=industry_mediator, dispatch_id=_order(case, committee).pk)
    assert (case.status, case.handling_org, case.handler) == (
        CaseStatus.ACCEPTED,
        committee,
        industry_mediator,
    )
    assert list(case.timeline.values_list("action", flat=True)[3:]) == ["join", "accept"]
    # and it is the industry mediator, not the village one, who mediates
    with pytest.raises(PermissionDenied):
        mediation_start(actor=cast.mediator_east, case_id=case.pk, version=None)
    start_mediation(case, industry_mediator)


def test_joint_mediation_cannot_name_another_lead_over_the_industry_committee(
    cast: Any, world: Any, industry: Any
) -> None:
    committee, _mediator = industry
    case = assessed_case(cast=cast, world=world)
    with pytest.raises(CaseRuleError, match="行业"):
        _dispatch(cast, case, world.committee_east, committee, lead=world.committee_east)
    with pytest.raises(CaseRuleError, match="主调单位必须是承办单位之一"):
        _dispatch(cast, case, world.committee_east, world.committee_west, lead=committee)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSED


def test_joint_mediation_named_lead_accepting_after_a_coordinating_org(
    cast: Any, world: Any
) -> None:
    # Given the platform names the east committee as lead
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        lead=world.committee_east,
    )
    # When the coordinating west committee accepts first
    case = dispatch_accept(
        actor=cast.mediator_west, dispatch_id=_order(case, world.committee_west).pk
    )
    assert case.status == CaseStatus.DISPATCHED
    # and the lead later
    case = dispatch_accept(
        actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
    )
    # Then the lead handles it, with its own mediator as handler
    assert (case.status, case.handling_org, case.handler) == (
        CaseStatus.ACCEPTED,
        world.committee_east,
        cast.mediator_east,
    )
    assert case.timeline.filter(action="accept").count() == 1


def test_joint_mediation_lead_returning_passes_the_lead_to_the_first_acceptor(
    cast: Any, world: Any
) -> None:
    # Given a named lead (east) and a coordinating org (west) that has already accepted
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        lead=world.committee_east,
    )
    west = _order(case, world.committee_west)
    dispatch_accept(actor=cast.mediator_west, dispatch_id=west.pk)

    # When the lead returns its order
    case = dispatch_return(
        actor=cast.mediator_east,
        dispatch_id=_order(case, world.committee_east).pk,
        reason="本委员会调解员需回避",
    )

    # Then the org that accepted first leads and the case is accepted (it used to stay
    # 已交办 for ever, with nobody leading)
    assert (case.status, case.handling_org, case.handler) == (
        CaseStatus.ACCEPTED,
        world.committee_west,
        cast.mediator_west,
    )
    west.refresh_from_db()
    assert west.role == DispatchRole.LEAD
    start_mediation(case, cast.mediator_west)


def test_joint_mediation_escalated_then_redispatched_old_lead_does_not_come_back(
    cast: Any, world: Any
) -> None:
    county_dispatcher = cast.county_dispatcher
    south_mediator = staff("mediator_south", BuiltinRole.MEDIATOR, world.committee_south)
    # Given a joint case led by west with east coordinating, both accepted
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        lead=world.committee_west,
    )
    dispatch_accept(actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk)
    case = dispatch_accept(
        actor=cast.mediator_west, dispatch_id=_order(case, world.committee_west).pk
    )
    assert case.handling_org == world.committee_west

    # When the platform escalates it and the county dispatches to the south committee
    case = case_escalate(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, reason="跨镇"
    )
    assert set(case.dispatches.values_list("status", flat=True)) == {DispatchStatus.CANCELLED}
    case = case_dispatch(
        actor=county_dispatcher,
        case_id=case.pk,
        version=case.version,
        orgs=[world.committee_south],
    )
    case = dispatch_accept(actor=south_mediator, dispatch_id=_order(case, world.committee_south).pk)

    # Then the south committee handles it (the old lead's accepted order once took over)
    assert (case.handling_org, case.handler) == (world.committee_south, south_mediator)


def test_a_coordinating_order_still_pending_when_the_case_closes_is_cancelled(
    cast: Any, world: Any
) -> None:
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        lead=world.committee_east,
    )
    west = _order(case, world.committee_west)
    case = dispatch_accept(
        actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
    )
    start_mediation(case, cast.mediator_east)
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="各让一步",
    )
    west.refresh_from_db()
    assert west.status == DispatchStatus.CANCELLED
    assert DueItem.objects.get(dispatch=west).status != DueStatus.OPEN
    # Accepting it now is refused, saying what closed it
    with pytest.raises(StaleCase, match=r"西村人民调解委员会的交办单已撤销.*达成协议"):
        dispatch_accept(actor=cast.mediator_west, dispatch_id=west.pk)


def test_a_second_colleague_accepting_an_accepted_order_is_told_who_did(
    cast: Any, world: Any
) -> None:
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east)
    order = _order(case, world.committee_east)
    dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    # The same click again is answered as such, not saved twice
    with pytest.raises(AlreadyDone, match="本次重复提交未再保存"):
        dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
    # A colleague is told who accepted it and when; nothing is saved
    name = cast.mediator_east.display_name
    who = rf"未保存.*{name} \d\d-\d\d \d\d:\d\d 东村人民调解委员会受理"
    with pytest.raises(StaleCase, match=who):
        dispatch_accept(actor=colleague, dispatch_id=order.pk)
    assert case.timeline.filter(action="accept").count() == 1


# --- Withdrawal ----------------------------------------------------------------------------------


def test_withdrawal_cancels_pending_orders_and_due_items(cast: Any, world: Any) -> None:
    # Given a case dispatched to two committees, one of which has accepted (joined)
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        lead=world.committee_east,
    )
    dispatch_accept(actor=cast.mediator_west, dispatch_id=_order(case, world.committee_west).pk)
    # When the applicant withdraws through the platform
    case = case_withdraw(
        actor=cast.dispatcher, case_id=case.pk, version=None, reason="双方自行和解"
    )
    # Then the pending order is cancelled, the accepted one is settled (已办结), no clock runs
    assert case.status == CaseStatus.WITHDRAWN
    assert case.closed_at is not None
    statuses = dict(case.dispatches.values_list("to_org", "status"))
    assert statuses == {
        world.committee_east.pk: DispatchStatus.CANCELLED,
        world.committee_west.pk: DispatchStatus.DONE,  # settled with the case
    }
    assert set(DueItem.objects.filter(case=case).values_list("status", flat=True)) <= {
        DueStatus.CANCELLED,
        DueStatus.DONE,
    }
    assert DueItem.objects.get(dispatch__to_org=world.committee_east).status == (
        DueStatus.CANCELLED
    )
    # and the platform files it (no org ever handled it)
    case = case_archive(actor=cast.dispatcher, case_id=case.pk, version=None)
    assert case.status == CaseStatus.ARCHIVED


def test_withdrawal_during_mediation_by_the_handling_org(cast: Any, world: Any) -> None:
    case = _dispatch(cast, assessed_case(cast=cast, world=world), world.committee_east)
    case = dispatch_accept(
        actor=cast.mediator_east, dispatch_id=_order(case, world.committee_east).pk
    )
    case = start_mediation(case, cast.mediator_east)
    case = case_withdraw(
        actor=cast.mediator_east, case_id=case.pk, version=case.version, reason="申请人撤回"
    )
    assert case.status == CaseStatus.WITHDRAWN
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert (mediation.status, mediation.next_check_at) == (DueStatus.CANCELLED, None)


def test_joint_mediation_lead_returning_before_anyone_accepted_leaves_the_first_acceptor_to_lead(
    cast: Any, world: Any
) -> None:
    south_mediator = staff("mediator_south", BuiltinRole.MEDIATOR, world.committee_south)
    case = _dispatch(
        cast,
        assessed_case(cast=cast, world=world),
        world.committee_east,
        world.committee_west,
        world.committee_south,
        lead=world.committee_east,
    )
    case = dispatch_return(
        actor=cast.mediator_east,
        dispatch_id=_order(case, world.committee_east).pk,
        reason="回避",
    )
    # Nobody leads yet; the case still waits for its orgs
    assert case.status == CaseStatus.DISPATCHED
    assert not case.dispatches.filter(role=DispatchRole.LEAD, status__in=LIVE_ORDER)
    # The south committee accepts first and leads; the west committee joins
    case = dispatch_accept(actor=south_mediator, dispatch_id=_order(case, world.committee_south).pk)
    assert (case.status, case.handling_org) == (CaseStatus.ACCEPTED, world.committee_south)
    case = dispatch_accept(
        actor=cast.mediator_west, dispatch_id=_order(case, world.committee_west).pk
    )
    assert case.handling_org == world.committee_south
    assert _order(case, world.committee_south).role == DispatchRole.LEAD
