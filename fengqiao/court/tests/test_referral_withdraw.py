"""撤回 by the court: the tribunal's clerk or judge withdraws an open 委派/委托 with a reason;
the case is withdrawn by the workflow's 撤回 (orders and clocks cancelled), the referral is
撤回 with the reason, the mediators are told, it is on the timeline and audited, and the court
finds it under 已撤回. A finished referral, another court and the mediators are refused; the
same click twice withdraws once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.audit.models import AuditEvent
from fengqiao.court.models.referral import ReferralStatus
from fengqiao.court.referral_policy import WITHDRAW, referral_may
from fengqiao.court.services.referral import referral_withdraw
from fengqiao.court.tests.referral_helpers import accepted_case, platform_commission, sent_case
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    DispatchStatus,
    DueKind,
    DueStatus,
)
from fengqiao.disputes.models import DueItem, TimelineEvent
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError
from fengqiao.disputes.tests.factories import staff, start_mediation
from fengqiao.mediation.outcomes import case_fail
from fengqiao.notify.models import Notification
from fengqiao.web.tests.html import page_text, table_text


def test_the_court_withdraws_a_mediating_referral_and_the_case_stops(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    assert referral_may(cast.judge, WITHDRAW, referral)
    referral_withdraw(
        actor=cast.judge, referral_id=referral.pk, reason="法院决定自行审理", version=case.version
    )
    case.refresh_from_db()
    referral.refresh_from_db()
    # The workflow's 撤回: the case is closed, its order settled, its clocks cancelled
    assert case.status == CaseStatus.WITHDRAWN
    assert case.closed_at is not None
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.return_note == "法院决定自行审理"
    assert referral.returned_at is not None
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert mediation.status == DueStatus.CANCELLED
    assert not DueItem.objects.filter(case=case, status=DueStatus.OPEN).exists()
    assert not case.dispatches.filter(status__in=[DispatchStatus.PENDING]).exists()
    # On the timeline under the court's name, audited
    event = TimelineEvent.objects.get(case=case, action=CaseAction.WITHDRAW)
    assert event.org == world.tribunal_a
    assert event.actor == cast.judge
    assert "甲镇人民法庭撤回委派调解（诉前）：法院决定自行审理" in event.note
    assert AuditEvent.objects.filter(
        object_id=str(referral.pk), after__status=ReferralStatus.WITHDRAWN
    ).exists()
    # The mediator is told why
    told = Notification.objects.get(recipient=cast.room_mediator, title__startswith="法院撤回")
    assert "法院决定自行审理" in told.body


def test_a_referral_not_yet_accepted_is_withdrawn_and_its_order_cancelled(
    cast: Any, world: Any
) -> None:
    case, referral = sent_case(cast, world)
    referral_withdraw(actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.dispatches.get().status == DispatchStatus.CANCELLED
    assert Notification.objects.filter(
        recipient=cast.room_mediator, title__startswith="法院撤回"
    ).exists()


def test_a_platform_dispatched_commission_is_withdrawn_by_its_court(cast: Any, world: Any) -> None:
    _case, referral = platform_commission(cast, world)
    referral_withdraw(actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


def test_the_same_withdrawal_twice_is_done_once(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    version = case.version
    referral_withdraw(
        actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回", version=version
    )
    with pytest.raises(AlreadyDone):
        referral_withdraw(
            actor=cast.court_clerk,
            referral_id=referral.pk,
            reason="当事人申请撤回",
            version=version,
        )
    # Without the page's version (the API): refused, the referral being finished
    with pytest.raises(CaseRuleError, match="不能撤回"):
        referral_withdraw(actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回")
    assert TimelineEvent.objects.filter(case=case, action=CaseAction.WITHDRAW).count() == 1
    assert (
        Notification.objects.filter(
            recipient=cast.room_mediator, title__startswith="法院撤回"
        ).count()
        == 1
    )


def test_a_finished_referral_is_refused_in_chinese(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    start_mediation(case, cast.room_mediator)
    case_fail(
        actor=cast.room_mediator,
        case_id=case.pk,
        version=None,
        undisputed_facts="借款已交付",
        note="",
    )
    referral.refresh_from_db()
    assert not referral_may(cast.court_clerk, WITHDRAW, referral)
    with pytest.raises(CaseRuleError, match="该委派委托调解已“调解不成已退回”，不能撤回"):
        referral_withdraw(actor=cast.court_clerk, referral_id=referral.pk, reason="当事人申请撤回")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED


def test_a_reason_is_required(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    with pytest.raises(CaseRuleError, match="撤回须说明理由"):
        referral_withdraw(actor=cast.court_clerk, referral_id=referral.pk, reason="  ")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_only_the_referring_court_may_withdraw(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    county_clerk = staff("county_clerk", "court_clerk", world.court)
    for user in (cast.room_mediator, cast.dispatcher, cast.leader, county_clerk, cast.outsider):
        assert not referral_may(user, WITHDRAW, referral)
        with pytest.raises(PermissionDenied):
            referral_withdraw(actor=user, referral_id=referral.pk, reason="当事人申请撤回")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


# --- Pages ---------------------------------------------------------------------------------------


def test_the_withdraw_page_from_the_queue_to_the_withdrawn_tab(
    cast: Any, world: Any, client_for: Any
) -> None:
    case, referral = accepted_case(cast, world)
    clerk = client_for(cast.court_clerk)
    assert "撤回" in table_text(clerk.get("/court/?tab=mediating"), "tab-mediating")
    url = f"/court/referrals/{referral.pk}/withdraw/"
    page = clerk.get(url)
    assert "撤回委派/委托" in page_text(page)
    version = page.context["form"].initial["version"]
    # 其他原因 without saying which: refused, nothing changes
    bad = clerk.post(url, {"reason": "other", "detail": "", "version": version})
    assert bad.status_code == 400
    assert "选择“其他原因”时请说明撤回原因" in page_text(bad)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    form = {"reason": "parties", "detail": "申请人已与对方和解", "version": version}
    done = clerk.post(url, form)
    assert done.status_code == 302
    assert done["Location"] == "/court/?tab=withdrawn"
    # A double click: told it was done, nothing twice
    again = clerk.post(url, form, follow=True)
    assert "重复提交未再保存" in page_text(again)
    assert TimelineEvent.objects.filter(case=case, action=CaseAction.WITHDRAW).count() == 1
    withdrawn = table_text(clerk.get("/court/?tab=withdrawn"), "tab-withdrawn")
    assert case.number in withdrawn
    assert "当事人申请撤回：申请人已与对方和解" in withdrawn
    assert case.number not in table_text(clerk.get("/court/?tab=mediating"), "tab-mediating")
    # The mediator's case page says it was withdrawn and why
    text = page_text(client_for(cast.room_mediator).get(f"/cases/{case.pk}/"))
    assert "撤回原因" in text
    assert "当事人申请撤回：申请人已与对方和解" in text
    # The page no longer offers it
    assert "不能撤回" in page_text(clerk.get(url))


def test_the_withdraw_page_is_the_courts_only(cast: Any, world: Any, client_for: Any) -> None:
    case, referral = accepted_case(cast, world)
    url = f"/court/referrals/{referral.pk}/withdraw/"
    for user in (cast.room_mediator, staff("county_clerk", "court_clerk", world.court)):
        assert client_for(user).post(url, {"reason": "parties"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
