"""补录案号 (issue: platform-dispatched 委托): a 委托 the township platform dispatched the
ordinary way has no 案号; the tribunal's clerk sees it flagged in the queue, adds the 案号 and
the procedure, and the mediation period becomes the court's (7 days under 简易程序) counted
from acceptance on the holiday calendar; the same input again changes nothing, another court
or a mediator is refused, bad input is refused in Chinese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.court.case_numbers import clean_court_case_number
from fengqiao.court.choices import CourtAction
from fengqiao.court.models import RosterMember
from fengqiao.court.models.referral import ReferralKind, ReferralStatus
from fengqiao.court.referral_policy import NUMBER, referral_may
from fengqiao.court.services.referral import referral_file, referral_number, referral_send
from fengqiao.court.tests.referral_helpers import (
    accepted_case,
    approved_member,
    court_case,
    platform_commission,
    sent_case,
)
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CourtProcedure, DueKind, DueStatus, IntakeChannel
from fengqiao.disputes.models import DueItem, TimelineEvent
from fengqiao.disputes.services.dispatch import dispatch_accept
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.handling import case_extend
from fengqiao.disputes.tests.factories import staff, start_mediation
from fengqiao.mediation.outcomes import case_fail
from fengqiao.notify.models import Notification
from fengqiao.web.tests.html import page_text, table_text

NUMBER_OK = "（2026）浙0199民初123号"


def _period(case: Any) -> DueItem:
    return DueItem.objects.get(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)


def test_a_platform_dispatched_commission_has_no_number_and_the_clerk_may_add_it(
    cast: Any, world: Any
) -> None:
    case, referral = platform_commission(cast, world)
    assert referral.kind == ReferralKind.POST
    assert referral.court_case_number == ""
    # The running period is the ordinary 15 days until the court says otherwise
    assert (_period(case).period_amount, _period(case).clock) == (15, "court_post")
    assert referral_may(cast.court_clerk, NUMBER, referral)
    assert referral_may(cast.judge, NUMBER, referral)
    county_clerk = staff("county_clerk", "court_clerk", world.court)
    for user in (cast.room_mediator, cast.dispatcher, cast.leader, county_clerk):
        assert not referral_may(user, NUMBER, referral)
        with pytest.raises(PermissionDenied):
            referral_number(
                actor=user,
                referral_id=referral.pk,
                court_case_number=NUMBER_OK,
                procedure=CourtProcedure.ORDINARY,
            )


def test_the_simplified_procedure_sets_seven_days_from_acceptance(cast: Any, world: Any) -> None:
    case, referral = platform_commission(cast, world)
    referral.refresh_from_db()
    accepted_at = referral.accepted_at
    version = case.version
    referral_number(
        actor=cast.court_clerk,
        referral_id=referral.pk,
        court_case_number=" (2026)浙0199民初123号 ",
        procedure=CourtProcedure.SIMPLIFIED,
    )
    referral.refresh_from_db()
    case.refresh_from_db()
    # Stored as the court writes it (full-width brackets), on the referral and the case
    assert referral.court_case_number == NUMBER_OK
    assert referral.procedure == case.procedure == CourtProcedure.SIMPLIFIED
    assert case.version == version + 1
    item = _period(case)
    assert (item.clock, item.period_unit, item.period_amount) == (
        "court_post_simplified",
        "days",
        7,
    )
    assert item.due_at == deadlines.mediation_deadline(
        IntakeChannel.COURT_POST, item.started_at, CourtProcedure.SIMPLIFIED
    )
    assert abs(item.started_at - accepted_at) < timedelta(seconds=5)
    # On the timeline, audited, and the mediators are told their new deadline
    event = TimelineEvent.objects.get(case=case, action=CourtAction.NUMBER)
    due = timezone.localtime(item.due_at).strftime("%Y-%m-%d")
    assert NUMBER_OK in event.note
    assert "简易程序" in event.note
    assert due in event.note
    assert AuditEvent.objects.filter(object_id=str(referral.pk), after__number=NUMBER_OK).exists()
    told = Notification.objects.get(recipient=cast.room_mediator, title__startswith="法院补录案号")
    assert due in told.body


def test_an_extension_already_agreed_is_kept_when_the_period_is_counted_again(
    cast: Any, world: Any
) -> None:
    case, referral = platform_commission(cast, world)
    case_extend(
        actor=cast.room_mediator,
        case_id=case.pk,
        days=5,
        applicant_consents=True,
        respondent_consents=True,
    )
    referral_number(
        actor=cast.judge,
        referral_id=referral.pk,
        court_case_number=NUMBER_OK,
        procedure=CourtProcedure.SIMPLIFIED,
    )
    item = _period(case)
    seven = deadlines.period_end(item.started_at, deadlines.Period("days", 7))
    assert item.due_at == deadlines.next_working_day_if_off(seven + timedelta(days=5))


def test_before_acceptance_the_number_sets_the_procedure_the_acceptance_counts(
    cast: Any, world: Any
) -> None:
    case, referral = platform_commission(cast, world, accept=False)
    referral_number(
        actor=cast.court_clerk,
        referral_id=referral.pk,
        court_case_number=NUMBER_OK,
        procedure=CourtProcedure.SIMPLIFIED,
    )
    assert (
        "自调解组织受理之日起计算"
        in TimelineEvent.objects.get(case=case, action=CourtAction.NUMBER).note
    )
    case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    assert _period(case).period_amount == 7


def test_the_ordinary_procedure_keeps_fifteen_days(cast: Any, world: Any) -> None:
    case, referral = platform_commission(cast, world)
    due = _period(case).due_at
    referral_number(
        actor=cast.court_clerk,
        referral_id=referral.pk,
        court_case_number=NUMBER_OK,
        procedure=CourtProcedure.ORDINARY,
    )
    assert (_period(case).period_amount, _period(case).due_at) == (15, due)


@pytest.mark.parametrize(
    ("number", "procedure", "message"),
    [
        ("", CourtProcedure.ORDINARY, "请填写法院案号"),
        ("浙0199民初123号", CourtProcedure.ORDINARY, "法院案号格式不正确"),
        ("（2026）浙0199民初号", CourtProcedure.ORDINARY, "法院案号格式不正确"),
        ("（1899）浙0199民初1号", CourtProcedure.ORDINARY, "年份1899不正确"),
        (NUMBER_OK, "", "请选择普通程序或简易程序"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_changes(
    cast: Any, world: Any, number: str, procedure: str, message: str
) -> None:
    case, referral = platform_commission(cast, world)
    with pytest.raises(CaseRuleError, match=message):
        referral_number(
            actor=cast.court_clerk,
            referral_id=referral.pk,
            court_case_number=number,
            procedure=procedure,
        )
    referral.refresh_from_db()
    assert referral.court_case_number == ""
    assert _period(case).period_amount == 15


def test_the_same_number_twice_is_saved_once_and_a_different_one_is_refused(
    cast: Any, world: Any
) -> None:
    case, referral = platform_commission(cast, world)
    for _ in range(2):
        referral_number(
            actor=cast.court_clerk,
            referral_id=referral.pk,
            court_case_number=NUMBER_OK,
            procedure=CourtProcedure.SIMPLIFIED,
        )
    assert TimelineEvent.objects.filter(case=case, action=CourtAction.NUMBER).count() == 1
    # A second clerk who opened the page before the first saved: refused, told what is recorded
    with pytest.raises(CaseRuleError, match=r"已录入法院案号（2026）浙0199民初123号（简易程序）"):
        referral_number(
            actor=cast.judge,
            referral_id=referral.pk,
            court_case_number="（2026）浙0199民初999号",
            procedure=CourtProcedure.ORDINARY,
        )
    referral.refresh_from_db()
    assert (referral.court_case_number, referral.procedure) == (NUMBER_OK, "simplified")


def test_a_referral_with_a_number_or_a_finished_or_a_pre_filing_one_needs_none(
    cast: Any, world: Any
) -> None:
    _case, pre = sent_case(cast, world)
    assert not referral_may(cast.court_clerk, NUMBER, pre)
    with pytest.raises(CaseRuleError, match="无需录入法院案号"):
        referral_number(
            actor=cast.court_clerk,
            referral_id=pre.pk,
            court_case_number=NUMBER_OK,
            procedure=CourtProcedure.ORDINARY,
        )
    member = RosterMember.objects.get(court=world.tribunal_a, status="approved")
    sent = court_case(cast, world, channel=IntakeChannel.COURT_POST)
    numbered = referral_send(
        actor=cast.court_clerk,
        case_id=sent.pk,
        member_id=member.pk,
        court_case_number=NUMBER_OK,
        procedure=CourtProcedure.ORDINARY,
    )
    assert not referral_may(cast.court_clerk, NUMBER, numbered)
    from fengqiao.disputes.services.outcomes import case_withdraw

    case, referral = platform_commission(cast, world)
    case_withdraw(actor=cast.room_mediator, case_id=case.pk, version=None, reason="申请人撤回")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert not referral_may(cast.court_clerk, NUMBER, referral)
    with pytest.raises(CaseRuleError, match="不能再补录案号"):
        referral_number(
            actor=cast.court_clerk,
            referral_id=referral.pk,
            court_case_number=NUMBER_OK,
            procedure=CourtProcedure.ORDINARY,
        )


def test_referral_send_checks_the_same_number_format(cast: Any, world: Any) -> None:
    member = approved_member(cast, world)
    case = court_case(cast, world, channel=IntakeChannel.COURT_POST)
    with pytest.raises(CaseRuleError, match="法院案号格式不正确"):
        referral_send(
            actor=cast.court_clerk,
            case_id=case.pk,
            member_id=member.pk,
            court_case_number="123",
            procedure=CourtProcedure.ORDINARY,
        )
    assert clean_court_case_number("（2026）演示民初5号") == "（2026）演示民初5号"
    assert clean_court_case_number("(2026)浙0102民诉前调5号") == "（2026）浙0102民诉前调5号"


# --- Pages ---------------------------------------------------------------------------------------


def test_the_queue_flags_the_missing_number_and_the_page_adds_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    case, referral = platform_commission(cast, world)
    clerk = client_for(cast.court_clerk)
    row = table_text(clerk.get("/court/?tab=mediating"), "tab-mediating")
    assert case.number in row
    assert "缺少案号" in row
    assert "补录案号" in row
    url = f"/court/referrals/{referral.pk}/number/"
    assert "补录法院案号" in page_text(clerk.get(url))
    # Bad input: the page says why and keeps what was typed
    bad = clerk.post(url, {"court_case_number": "民初123", "procedure": "simplified"})
    assert bad.status_code == 400
    assert "法院案号格式不正确" in page_text(bad)
    assert "民初123" in bad.content.decode()
    done = clerk.post(url, {"court_case_number": NUMBER_OK, "procedure": "simplified"})
    assert done.status_code == 302
    row = table_text(clerk.get("/court/?tab=mediating"), "tab-mediating")
    assert NUMBER_OK in row
    assert "缺少案号" not in row
    # The case page shows both sides the number and the procedure
    for user in (cast.room_mediator, cast.court_clerk):
        text = page_text(client_for(user).get(f"/cases/{case.pk}/"))
        assert NUMBER_OK in text
        assert "简易程序" in text
    # Opened again: nothing to add
    assert "无需补录" in page_text(clerk.get(url))


def test_the_number_page_is_the_courts_only(cast: Any, world: Any, client_for: Any) -> None:
    _case, referral = platform_commission(cast, world)
    url = f"/court/referrals/{referral.pk}/number/"
    other = client_for(staff("county_clerk", "court_clerk", world.court))
    assert other.get(url).status_code == 404
    assert client_for(cast.room_mediator).get(url).status_code == 404
    assert (
        client_for(cast.dispatcher).post(url, {"court_case_number": NUMBER_OK}).status_code == 404
    )
    referral.refresh_from_db()
    assert referral.court_case_number == ""


def test_the_filing_number_is_held_to_the_same_check(cast: Any, world: Any) -> None:
    case, referral = accepted_case(cast, world)
    start_mediation(case, cast.room_mediator)
    case_fail(
        actor=cast.room_mediator,
        case_id=case.pk,
        version=None,
        undisputed_facts="双方确认借款5万元已交付",
        note="被申请人不同意还款期限",
    )
    with pytest.raises(CaseRuleError, match="法院案号格式不正确"):
        referral_file(actor=cast.court_clerk, referral_id=referral.pk, filed_number="456号")
    referral.refresh_from_db()
    assert referral.filed_at is None
    filed = referral_file(
        actor=cast.court_clerk, referral_id=referral.pk, filed_number="(2026)浙0199民初456号"
    )
    assert filed.filed_number == "（2026）浙0199民初456号"
