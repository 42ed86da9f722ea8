"""办结反馈 — a dispatched case reports its outcome to every platform that sent it down, and
when its feedback limit (反馈时限) passes unfinished the sweep tells those platforms why not
(DESIGN §3 "Supervision and feedback"; seed 004 §26)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DueKind, DueStatus, RiskGrade
from fengqiao.disputes.models import (
    Case,
    DueItem,
    SupervisionOrder,
)
from fengqiao.disputes.services.dispatch import case_dispatch, case_escalate, dispatch_accept
from fengqiao.disputes.services.handling import case_extend
from fengqiao.disputes.services.outcomes import (
    case_refer,
    case_withdraw,
)
from fengqiao.disputes.sweep import dispatching_platforms, sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, staff, start_mediation
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import (
    case_agree,
    case_fail,
)
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.orgs.tests.factories import OrganizationFactory, kind


def _mediating(cast: Any, world: Any) -> Case:
    """The township's case, dispatched to 东村's committee, accepted, being mediated."""
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
    return start_mediation(case, cast.mediator_east)


def _results(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.RESULT))


CLOSINGS: dict[str, tuple[Callable[[Any, Case], Case], str]] = {
    CaseStatus.RESOLVED: (
        lambda m, c: case_agree(
            actor=m, case_id=c.pk, version=None, kind=AgreementKind.ORAL, terms="李四当场赔付三百元"
        ),
        "李四当场赔付三百元",
    ),
    CaseStatus.FAILED: (
        lambda m, c: case_fail(
            actor=m, case_id=c.pk, version=None, undisputed_facts="排水沟位于两家之间"
        ),
        "排水沟位于两家之间",
    ),
    CaseStatus.REFERRED_OUT: (
        lambda m, c: case_refer(
            actor=m, case_id=c.pk, version=None, target="litigation", receiver="甲镇人民法庭"
        ),
        "甲镇人民法庭",
    ),
    CaseStatus.WITHDRAWN: (
        lambda m, c: case_withdraw(actor=m, case_id=c.pk, version=None, reason="双方已自行和解"),
        "双方已自行和解",
    ),
}


@pytest.mark.parametrize("outcome", list(CLOSINGS))
def test_each_closed_outcome_is_reported_to_the_dispatching_platform(
    outcome: str, cast: Any, world: Any
) -> None:
    # Given the township's case being mediated by 东村's committee
    case = _mediating(cast, world)
    assert DueItem.objects.get(case=case, kind=DueKind.FEEDBACK).status == DueStatus.OPEN
    close, detail = CLOSINGS[outcome]

    # When the committee closes it
    case = close(cast.mediator_east, case)

    # Then the township dispatcher has the result, with what came of it
    assert case.status == outcome
    (result,) = _results(cast.dispatcher)
    assert result.case == case
    assert case.number in result.title
    assert str(CaseStatus(outcome).label) in result.title
    assert "东村人民调解委员会" in result.title
    assert detail in result.body
    # the timeline records the report-back right after the outcome
    last_two = list(case.timeline.order_by("-at", "-id").values_list("action", "data")[:2])
    assert last_two[1][0] == CLOSINGS_ACTION[outcome]
    assert last_two[0] == (
        "report_back",
        {"platforms": [world.town_a_platform.pk], "outcome": outcome},
    )
    assert AuditEvent.objects.filter(event_type="case.reported").count() == 1
    # the feedback clock stops; the mediator, who closed it, is not told their own result
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    assert feedback.status != DueStatus.OPEN
    assert _results(cast.mediator_east) == []


CLOSINGS_ACTION = {
    CaseStatus.RESOLVED: "agree",
    CaseStatus.FAILED: "fail",
    CaseStatus.REFERRED_OUT: "refer",
    CaseStatus.WITHDRAWN: "withdraw",
}


def test_failed_then_referred_reports_each_outcome(cast: Any, world: Any) -> None:
    case = _mediating(cast, world)
    case_fail(actor=cast.mediator_east, case_id=case.pk, version=None, undisputed_facts="借款属实")
    case_refer(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        target="litigation",
        receiver="甲镇人民法庭",
    )
    bodies = [n.body for n in _results(cast.dispatcher)]
    assert len(bodies) == 2
    assert any("借款属实" in b for b in bodies)
    assert any("甲镇人民法庭" in b for b in bodies)


def test_a_case_the_platform_closes_itself_reports_to_nobody(cast: Any, world: Any) -> None:
    # The township withdraws its own dispatched case: it knows; nobody above sent it down.
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=None, reason="撤回")

    assert not Notification.objects.filter(kind=NotificationKind.RESULT).exists()
    assert not case.timeline.filter(action="report_back").exists()


def test_an_escalated_case_reports_to_every_platform_that_sent_it_on(cast: Any, world: Any) -> None:
    # Given the township's case handed back by 东村's committee and escalated to the county,
    # which dispatches it to a county committee
    county_dispatcher = cast.county_dispatcher
    county_committee = OrganizationFactory(
        name="测试区物业纠纷人民调解委员会", kind=kind("committee_industry"), region=world.county
    )
    county_mediator = staff("county_mediator", BuiltinRole.MEDIATOR, county_committee)
    case = _mediating(cast, world)
    case = case_escalate(
        actor=cast.mediator_east, case_id=case.pk, version=None, reason="涉及全区物业"
    )
    case = case_escalate(actor=cast.dispatcher, case_id=case.pk, version=None, reason="需区级统筹")
    case = case_dispatch(
        actor=county_dispatcher, case_id=case.pk, version=None, orgs=[county_committee]
    )
    case = dispatch_accept(actor=county_mediator, dispatch_id=case.dispatches.first().pk)
    assert dispatching_platforms(case) == [world.town_a_platform, world.county_platform]
    case = start_mediation(case, county_mediator)

    # When the county committee resolves it
    case_agree(
        actor=county_mediator,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="物业公司十日内修复电梯",
    )

    # Then both the county and the township (which escalated it) hear the result
    for platform_user in (county_dispatcher, cast.dispatcher):
        (result,) = _results(platform_user)
        assert "物业公司十日内修复电梯" in result.body
        assert "测试区物业纠纷人民调解委员会" in result.title
    report = case.timeline.get(action="report_back")
    assert report.data["platforms"] == [world.town_a_platform.pk, world.county_platform.pk]
    assert "甲镇平安办" in report.note
    assert "测试区综治中心" in report.note


# --- The feedback limit -------------------------------------------------------------------------


def test_the_feedback_limit_runs_from_acceptance_in_working_days(cast: Any, world: Any) -> None:
    case = _mediating(cast, world)
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    accepted = case.timeline.get(action="accept").at
    assert feedback.org == world.committee_east
    assert feedback.dispatch == case.dispatches.get()
    assert feedback.due_at == deadlines.feedback_deadline(RiskGrade.LOW, accepted)
    assert feedback.due_at == deadlines.add_working_days(accepted, 20)


def test_a_passed_feedback_limit_tells_the_platform_why_not_once(cast: Any, world: Any) -> None:
    # Given the township's case being mediated by 东村's committee, one session held
    from fengqiao.mediation.services import session_record

    case = _mediating(cast, world)
    session_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        held_at=case.registered_at,
        mode="phone",
        record="电话了解情况。",
    )
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    # the mediation limit was extended with both parties' consent; the feedback limit, which
    # fell before the new end of mediation, moved with it
    case_extend(
        actor=cast.mediator_east,
        case_id=case.pk,
        days=30,
        applicant_consents=True,
        respondent_consents=True,
    )
    mediation.refresh_from_db()
    feedback.refresh_from_db()
    assert feedback.due_at == mediation.due_at

    # When the sweep runs before the limit, the committee is reminded
    before = sweep_due_items(now=feedback.due_at - timedelta(hours=1))
    assert before.reminded >= 1
    assert not _results(cast.dispatcher)
    # and when it runs after the limit, twice
    first = sweep_due_items(now=feedback.due_at + timedelta(minutes=1))
    again = sweep_due_items(now=feedback.due_at + timedelta(hours=2))

    # Then the township is told once, why the case is not done
    assert (first.reported, again.reported) == (1, 0)
    assert not _results(cast.dispatcher)  # not a 办理结果: the case is not done
    (report,) = Notification.objects.filter(
        recipient=cast.dispatcher, kind=NotificationKind.OVERDUE
    )
    assert report.get_kind_display() == "逾期未办结"
    assert report.title == f"逾期未办结报告：{case.number}（东村人民调解委员会）"
    assert "案件尚未办结" in report.body
    assert "当前状态“调解中”" in report.body
    assert "已调解1次" in report.body
    extended_to = timezone.localtime(mediation.due_at)
    assert f"调解期限经双方同意延长至{extended_to:%Y-%m-%d}" in report.body
    event = case.timeline.get(action="report_overdue")
    assert event.data["platforms"] == [world.town_a_platform.pk]
    # no 督办 for the feedback item itself; it stays open, the result is still owed
    assert not SupervisionOrder.objects.filter(due_item=feedback).exists()
    feedback.refresh_from_db()
    assert (feedback.status, feedback.next_check_at) == (DueStatus.OPEN, None)
    assert feedback.reported_at is not None

    # When the case is later resolved, the result follows and the item is done
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="当场赔付",
    )
    feedback.refresh_from_db()
    assert feedback.status == DueStatus.DONE
    (result,) = _results(cast.dispatcher)
    assert result.get_kind_display() == "办理结果"


def _report_queries(cast: Any, world: Any, n: int) -> tuple[int, int]:
    """Let the feedback limits of ``n`` new mediating cases pass; the sweep's queries, reports."""
    items = [
        DueItem.objects.get(case=_mediating(cast, world), kind=DueKind.FEEDBACK) for _ in range(n)
    ]
    DueItem.objects.exclude(pk__in=[i.pk for i in items]).update(next_check_at=None)
    after = max(item.due_at for item in items) + timedelta(minutes=1)
    DueItem.objects.filter(pk__in=[i.pk for i in items]).update(next_check_at=after)
    with CaptureQueriesContext(connection) as ctx:
        result = sweep_due_items(now=after)
    return len(ctx.captured_queries), result.reported


def test_reports_of_a_batch_are_read_together(cast: Any, world: Any) -> None:
    # Given the feedback limits of 2 cases passing, then of 8 more
    small, first = _report_queries(cast, world, 2)
    large, second = _report_queries(cast, world, 8)

    # Then each case is reported once, with why it is not done
    assert (first, second) == (2, 8)
    reports = Notification.objects.filter(recipient=cast.dispatcher, kind=NotificationKind.OVERDUE)
    assert reports.count() == 10
    assert all("尚未开展调解" in r.body for r in reports)
    # And the sweep reads where the cases stand in a few queries per batch, not per case
    assert large == small


def test_the_case_page_shows_the_report_back(cast: Any, world: Any, client_for: Any) -> None:
    from fengqiao.web.tests.html import page_text

    case = _mediating(cast, world)
    case_agree(
        actor=cast.mediator_east, case_id=case.pk, version=None, kind="oral", terms="当场赔付"
    )

    text = page_text(client_for(cast.dispatcher).get(f"/cases/{case.pk}/"))

    assert "办结反馈" in text
    assert "已向甲镇平安办反馈办理结果：调解成功，达成口头协议：当场赔付" in text
