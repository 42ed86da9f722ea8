"""Court referral (诉调对接, issue 14 item 4) on the demo county's org structure: 甲镇人民法庭
sends a 委派 case to its 驻庭调解室 on its roster; the period runs from acceptance on the deadline
engine; expiry returns the case once; failure returns it with the undisputed facts; the court
files it. Pages: the court's queues and the case page's referral panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengqiao.court.choices import CourtAction
from fengqiao.court.models import CourtReferral
from fengqiao.court.models.referral import ReferralKind, ReferralStatus
from fengqiao.court.referral_policy import QUEUES, SEND, referral_may
from fengqiao.court.services.referral import (
    referral_file,
    referral_send,
    return_expired,
    roster_apply,
    roster_approve,
    roster_remove,
)
from fengqiao.court.tests.referral_helpers import (
    accepted_case,
    approved_member,
    court_case,
    org_admin,
    sent_case,
)
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CaseStatus,
    CourtProcedure,
    DueKind,
    DueStatus,
    IntakeChannel,
)
from fengqiao.disputes.models import DueItem, TimelineEvent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.handling import case_extend
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import staff, start_mediation
from fengqiao.mediation.outcomes import case_fail
from fengqiao.notify.models import Notification
from fengqiao.web.tests.html import page_text, table_text


def _period(case: Any) -> DueItem:
    return DueItem.objects.get(case=case, kind=DueKind.MEDIATION)


# --- 委派 and acceptance ------------------------------------------------------------------------


def test_a_clerk_sends_a_registered_case_to_a_roster_member_and_the_period_starts_at_acceptance(
    cast: Any, world: Any
) -> None:
    case, referral = sent_case(cast, world, note="请于30日内调解")
    # The case went straight to the 驻庭调解室, the court having chosen it
    assert case.status == CaseStatus.DISPATCHED
    assert case.dispatches.get().to_org == world.court_room_a
    assert referral.status == ReferralStatus.SENT
    assert referral.kind == ReferralKind.PRE
    assert referral.court == world.tribunal_a
    assert referral.mediator == world.room_mediator_person
    assert not DueItem.objects.filter(case=case, kind=DueKind.MEDIATION).exists()
    assert TimelineEvent.objects.filter(case=case, action=CourtAction.REFER).exists()
    # When the mediator accepts, the referral is 调解中 and the court's 30 days start
    case, referral = case, referral
    from fengqiao.disputes.services.dispatch import dispatch_accept

    case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MEDIATING
    item = _period(case)
    assert item.clock == "court_pre"
    assert item.due_at == deadlines.mediation_deadline(
        IntakeChannel.COURT_PRE, referral.accepted_at
    )


def test_a_referral_goes_only_to_an_approved_member_of_the_courts_roster(
    cast: Any, world: Any
) -> None:
    member = approved_member(cast, world)
    case = court_case(cast, world)
    # 东村's committee applied but is not approved yet
    pending = roster_apply(actor=org_admin(world), court=world.tribunal_a, org=world.committee_east)
    with pytest.raises(CaseRuleError, match="特邀调解名册"):
        referral_send(actor=cast.court_clerk, case_id=case.pk, member_id=pending.pk)
    # A member removed from the roster can no longer be chosen
    roster_remove(actor=cast.judge, entry_id=member.pk, reason="年度考核不合格")
    with pytest.raises(CaseRuleError, match="特邀调解名册"):
        referral_send(actor=cast.court_clerk, case_id=case.pk, member_id=member.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert not CourtReferral.objects.exists()


def test_a_commission_needs_the_courts_case_number_and_sets_the_simplified_period(
    cast: Any, world: Any
) -> None:
    member = approved_member(cast, world)
    case = court_case(cast, world, channel=IntakeChannel.COURT_POST)
    with pytest.raises(CaseRuleError, match="法院案号"):
        referral_send(actor=cast.court_clerk, case_id=case.pk, member_id=member.pk)
    referral = referral_send(
        actor=cast.judge,
        case_id=case.pk,
        member_id=member.pk,
        court_case_number="（2026）浙0199民初123号",
        procedure=CourtProcedure.SIMPLIFIED,
    )
    assert referral.kind == ReferralKind.POST
    from fengqiao.disputes.services.dispatch import dispatch_accept

    case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    item = _period(case)
    assert (item.period_unit, item.period_amount) == ("days", 7)


def test_the_policy_refuses_whoever_is_not_the_referring_court(cast: Any, world: Any) -> None:
    member = approved_member(cast, world)
    case = court_case(cast, world)
    for user in (cast.dispatcher, cast.room_mediator, cast.police, cast.leader):
        assert not referral_may(user, SEND, case)
        assert not referral_may(user, QUEUES)
        with pytest.raises(PermissionDenied):
            referral_send(actor=user, case_id=case.pk, member_id=member.pk)
    # A clerk of another court (the county court) is refused too
    county_clerk = staff("county_clerk", "court_clerk", world.court)
    assert referral_may(county_clerk, QUEUES)
    assert not referral_may(county_clerk, SEND, case)
    assert referral_may(cast.court_clerk, SEND, case)


# --- Extension -----------------------------------------------------------------------------------


def test_extension_without_both_parties_consent_is_refused_and_with_it_moves_the_return(
    cast: Any, world: Any
) -> None:
    case, referral = accepted_case(cast, world)
    due = _period(case).due_at
    with pytest.raises(CaseRuleError, match="须经双方当事人同意"):
        case_extend(
            actor=cast.room_mediator,
            case_id=case.pk,
            days=10,
            applicant_consents=True,
            respondent_consents=False,
        )
    assert _period(case).due_at == due
    case_extend(
        actor=cast.room_mediator,
        case_id=case.pk,
        days=10,
        applicant_consents=True,
        respondent_consents=True,
    )
    assert _period(case).due_at > due
    # The day after the old deadline the sweep returns nothing: the period runs on
    result = sweep_due_items(now=due + timedelta(hours=1))
    assert result.returned == 0
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MEDIATING


# --- Expiry --------------------------------------------------------------------------------------


def test_expiry_returns_the_case_to_the_court_once(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    due = _period(case).due_at
    later = due + timedelta(hours=1)
    first = sweep_due_items(now=later)
    second = sweep_due_items(now=later + timedelta(hours=1))
    # Even a worker that took the same case again later returns nothing twice
    again = return_expired([case.pk, case.pk], later + timedelta(hours=2))
    assert (first.returned, second.returned, again) == (1, 0, 0)
    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.status == CaseStatus.REFERRED_OUT
    assert referral.status == ReferralStatus.EXPIRED
    assert referral.to_file
    assert "期限已于" in referral.return_note
    assert TimelineEvent.objects.filter(case=case, action=CourtAction.RETURN).count() == 1
    assert _period(case).status == DueStatus.DONE
    # The court and the mediator are told, once each
    for user in (cast.court_clerk, cast.judge, cast.room_mediator):
        assert (
            Notification.objects.filter(recipient=user, title__startswith="期满退回").count() == 1
        )


def test_a_return_run_before_the_period_ends_changes_nothing(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    assert return_expired([case.pk]) == 0
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MEDIATING


# --- Failure and filing --------------------------------------------------------------------------


def test_failure_returns_the_case_with_the_undisputed_facts_and_the_court_files_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    case, referral = accepted_case(cast, world)
    start_mediation(case, cast.room_mediator)
    case_fail(
        actor=cast.room_mediator,
        case_id=case.pk,
        version=None,
        undisputed_facts="双方确认借款5万元已交付",
        note="被申请人不同意还款期限",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED
    assert referral.undisputed_facts == "双方确认借款5万元已交付"
    assert referral.return_note == "被申请人不同意还款期限"
    assert Notification.objects.filter(recipient=cast.court_clerk, title__contains="调解不成已退回")
    # The court finds it in its 已退回待立案 tab with the facts
    client = client_for(cast.court_clerk)
    text = table_text(client.get("/court/?tab=to_file"), "tab-to_file")
    assert case.number in text
    assert "双方确认借款5万元已交付" in text
    # and records 已立案 with its case number; the tab is then empty
    response = client.post(
        f"/court/referrals/{referral.pk}/file/", {"filed_number": "（2026）浙0199民初456号"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.filed_number == "（2026）浙0199民初456号"
    assert case.number not in table_text(client.get("/court/?tab=to_file"), "tab-to_file")
    with pytest.raises(CaseRuleError, match="已于"):
        referral_file(actor=cast.judge, referral_id=referral.pk, filed_number="x")


# --- Pages ---------------------------------------------------------------------------------------


def test_the_queues_show_each_court_its_own_referrals_and_no_other_court_anything(
    cast: Any, world: Any, client_for: Any
) -> None:
    sent, _ = sent_case(cast, world)
    waiting = court_case(cast, world, title="房屋租赁纠纷")
    clerk = client_for(cast.court_clerk)
    page = clerk.get("/court/")
    assert page.status_code == 200
    assert waiting.number in table_text(page, "tab-pending")
    counts = " ".join(page_text(page).split())
    assert "待委派/委托 1" in counts
    assert "已委派/委托 1" in counts
    sent_tab = table_text(clerk.get("/court/?tab=sent"), "tab-sent")
    assert sent.number in sent_tab
    assert world.court_room_a.name in sent_tab
    # The county court's clerk sees none of the tribunal's
    other = client_for(staff("county_clerk", "court_clerk", world.court))
    for tab in ("pending", "sent", "mediating", "to_file"):
        text = page_text(other.get(f"/court/?tab={tab}"))
        assert sent.number not in text
        assert waiting.number not in text
    # A mediator and a dispatcher are refused the page
    assert client_for(cast.room_mediator).get("/court/").status_code == 403
    assert client_for(cast.dispatcher).get("/court/").status_code == 403


def test_both_sides_see_the_period_on_the_case_page(cast: Any, world: Any, client_for: Any) -> None:
    case, _ = accepted_case(cast, world)
    due = timezone.localtime(_period(case).due_at).strftime("%Y-%m-%d")
    for user in (cast.room_mediator, cast.court_clerk):
        text = page_text(client_for(user).get(f"/cases/{case.pk}/"))
        assert "诉调对接" in text
        assert due in text
        assert "调解中" in text
    mediating = table_text(client_for(cast.judge).get("/court/?tab=mediating"), "tab-mediating")
    assert due in mediating


def test_the_queues_cost_the_same_few_queries_however_many_referrals(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    from fengqiao.disputes.services.dispatch import dispatch_accept

    member = approved_member(cast, world)
    for i in range(12):
        case = court_case(cast, world, title=f"合同纠纷{i}")
        referral_send(actor=cast.court_clerk, case_id=case.pk, member_id=member.pk)
        case.refresh_from_db()
        dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    client = client_for(cast.court_clerk)
    client.get("/court/?tab=mediating")
    # One count per tab (已撤回 is the fifth referral tab), the rows and their periods.
    with django_assert_max_num_queries(17):
        response = client.get("/court/?tab=mediating")
    assert len(response.context["rows"]) == 12


def test_the_clerks_navigation_leads_to_the_queues(cast: Any, client_for: Any) -> None:
    home = client_for(cast.court_clerk).get("/")
    assert "诉调对接" in {str(i.label) for i in home.context["nav_items"]}
    mediator_home = client_for(cast.room_mediator).get("/")
    assert "诉调对接" not in {str(i.label) for i in mediator_home.context["nav_items"]}


def test_a_referral_page_sends_the_case(cast: Any, world: Any, client_for: Any) -> None:
    member = approved_member(cast, world)
    case = court_case(cast, world)
    client = client_for(cast.court_clerk)
    page = client.get(f"/court/cases/{case.pk}/refer/")
    assert world.court_room_a.name in page_text(page)
    response = client.post(f"/court/cases/{case.pk}/refer/", {"member": member.pk, "note": ""})
    assert response.status_code == 302
    assert CourtReferral.objects.get(case=case).org == world.court_room_a
    # Sent once: the page now refuses
    assert client.get(f"/court/cases/{case.pk}/refer/").status_code == 403


# --- Roster --------------------------------------------------------------------------------------


def test_the_roster_application_approval_review_and_removal(
    cast: Any, world: Any, client_for: Any
) -> None:
    # The mediator applies for themselves; another org's mediator may not apply for them
    with pytest.raises(PermissionDenied):
        roster_apply(
            actor=cast.mediator_east,
            court=world.tribunal_a,
            org=world.court_room_a,
            mediator=world.room_mediator_person,
        )
    entry = roster_apply(
        actor=cast.room_mediator,
        court=world.tribunal_a,
        org=world.court_room_a,
        mediator=world.room_mediator_person,
    )
    with pytest.raises(CaseRuleError, match="已在该法院的名册"):
        roster_apply(
            actor=cast.room_mediator,
            court=world.tribunal_a,
            org=world.court_room_a,
            mediator=world.room_mediator_person,
        )
    # Only the court decides
    with pytest.raises(PermissionDenied):
        roster_approve(actor=cast.dispatcher, entry_id=entry.pk)
    client = client_for(cast.judge)
    client.post(f"/court/roster/{entry.pk}/decide/", {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert entry.review_due == timezone.localdate() + timedelta(days=365)
    # Removal needs a reason
    client.post(f"/court/roster/{entry.pk}/decide/", {"decision": "remove", "reason": ""})
    entry.refresh_from_db()
    assert entry.status == "approved"
    client.post(f"/court/roster/{entry.pk}/decide/", {"decision": "remove", "reason": "调离"})
    entry.refresh_from_db()
    assert (entry.status, entry.removed_reason) == ("removed", "调离")
    assert "调离" in table_text(client.get("/court/roster/"), "roster")
