"""Category and court clocks (clocks.py), each across a holiday: 医疗纠纷 30 working days then
视为调解不成, 劳动争议 15 days then the parties may go to arbitration, the courts' 委派/委托 periods
and people's mediation's month."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes import clocks, deadlines
from fengqiao.disputes.choices import CourtProcedure, DueKind, IntakeChannel
from fengqiao.disputes.models import Case, DueItem, SupervisionOrder, TimelineEvent
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_accept
from fengqiao.disputes.services.handling import case_resume, case_suspend
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, start_mediation
from fengqiao.disputes.tests.test_holidays import at, clock, ends
from fengqiao.notify.models import Notification


def _accepted(cast: Any, world: Any, accepted_at: datetime, category: str) -> Case:
    with clock(accepted_at - timedelta(days=1)):
        case = assessed_case(cast=cast, world=world, category=category)
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted_at):
        case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
        return start_mediation(case, cast.mediator_east)


def test_every_clock_names_its_source() -> None:
    for item in clocks.CLOCKS.values():
        assert item.source.strip(), item.key
        assert item.period.amount > 0
    assert "第三十八条" in clocks.MEDICAL.source
    assert "第十四条" in clocks.LABOUR_ARBITRATION.source
    assert "法释〔2016〕14号" in clocks.COURT_PRE.source
    assert "法释〔2016〕14号" in clocks.COURT_POST.source


@pytest.mark.parametrize(
    ("channel", "procedure", "category", "key"),
    [
        (IntakeChannel.COURT_PRE, "", DisputeCategory.MEDICAL, "court_pre"),
        (IntakeChannel.COURT_POST, CourtProcedure.SIMPLIFIED, "", "court_post_simplified"),
        (IntakeChannel.COURT_POST, "", "", "court_post"),
        (IntakeChannel.GRID, "", DisputeCategory.MEDICAL, "medical"),
        (IntakeChannel.GRID, "", DisputeCategory.LABOUR, "peoples_mediation"),
        (IntakeChannel.GRID, "", DisputeCategory.NEIGHBOUR, "peoples_mediation"),
    ],
)
def test_the_court_sets_the_period_first_then_the_category(
    channel: str, procedure: str, category: str, key: str
) -> None:
    assert clocks.mediation_clock(channel, procedure, category).key == key


# National Day 2026: 1–7 Oct off, Sun 20 Sep and Sat 10 Oct work; 中秋 Fri 25 Sep off.
@pytest.mark.parametrize(
    ("clock_key", "start", "expected"),
    [
        # one month from 2 Sep is Fri 2 Oct, a holiday → Thu 8 Oct
        ("peoples_mediation", date(2026, 9, 2), date(2026, 10, 8)),
        # 30 days from 3 Sep is Sat 3 Oct → Thu 8 Oct
        ("court_pre", date(2026, 9, 3), date(2026, 10, 8)),
        # 15 days from 18 Sep is Sat 3 Oct → Thu 8 Oct
        ("court_post", date(2026, 9, 18), date(2026, 10, 8)),
        # 7 days from 26 Sep is Sat 3 Oct → Thu 8 Oct
        ("court_post_simplified", date(2026, 9, 26), date(2026, 10, 8)),
        # 30 working days from Mon 21 Sep: 25 Sep and 1–7 Oct not counted, Sat 10 Oct counted
        ("medical", date(2026, 9, 21), date(2026, 11, 9)),
        # 15 days from Thu 17 Sep is Fri 2 Oct, a holiday → Thu 8 Oct
        ("labour_arbitration", date(2026, 9, 17), date(2026, 10, 8)),
    ],
)
def test_each_clock_across_national_day_2026(
    db: None, clock_key: str, start: date, expected: date
) -> None:
    period = clocks.CLOCKS[clock_key].period
    assert ends(deadlines.period_end(at(start), period)) == expected


def test_a_medical_dispute_has_30_working_days_and_is_deemed_failed_at_expiry(
    cast: Any, world: Any
) -> None:
    # Given a medical dispute accepted Mon 21 Sep 2026
    case = _accepted(cast, world, at(date(2026, 9, 21)), DisputeCategory.MEDICAL)
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert item.clock == "medical"
    assert ends(item.due_at) == date(2026, 11, 9)

    # When the sweep runs after the 30th working day
    sweep_due_items(now=at(date(2026, 11, 6)))  # the reminder
    result = sweep_due_items(now=at(date(2026, 11, 10)))

    # Then no 督办: the mediation is deemed failed, on the timeline and in a message
    assert result.supervised == 0
    assert not SupervisionOrder.objects.filter(due_item=item).exists()
    (event,) = TimelineEvent.objects.filter(case=case, action="deemed_failed")
    assert "视为调解不成" in event.note
    assert "医疗纠纷预防和处理条例第三十八条" in event.note
    assert Notification.objects.filter(
        recipient=cast.mediator_east, title=f"视为调解不成：{case.number}"
    ).exists()
    # once
    sweep_due_items(now=at(date(2026, 11, 12)))
    assert TimelineEvent.objects.filter(case=case, action="deemed_failed").count() == 1


def test_appraisal_time_is_not_counted_in_a_medical_dispute(cast: Any, world: Any) -> None:
    case = _accepted(cast, world, at(date(2026, 9, 21)), DisputeCategory.MEDICAL)
    # The appraisal (医疗损害鉴定) runs Tue 29 Sep 10:00 – Fri 9 Oct 10:00: recorded as 中止.
    with clock(at(date(2026, 9, 29))):
        case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="医疗损害鉴定")
    with clock(at(date(2026, 10, 9))):
        case_resume(actor=cast.mediator_east, case_id=case.pk, version=None, note="鉴定意见已出具")
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    # 5 working days had run (22–24, 28, 29 Sep); the 25 left run from 9 Oct: Sat 10 Oct (调休),
    # 12–16, 19–23, 26–30 Oct, 2–6 and 9–12 Nov — the holiday inside the appraisal costs nothing
    assert ends(item.due_at) == date(2026, 11, 12)
    assert deadlines.due_at_of(item) == item.due_at


def test_a_labour_dispute_tells_the_mediator_on_the_day_arbitration_opens(
    cast: Any, world: Any
) -> None:
    # Given a labour dispute accepted Thu 17 Sep 2026: 15 days end Fri 2 Oct, a holiday, so the
    # period ends Thu 8 Oct
    case = _accepted(cast, world, at(date(2026, 9, 17)), DisputeCategory.LABOUR)
    item = DueItem.objects.get(case=case, kind=DueKind.ARBITRATION)
    assert item.clock == "labour_arbitration"
    assert ends(item.due_at) == date(2026, 10, 8)
    # its mediation period is people's mediation's month (17 Oct is a Saturday → Mon 19 Oct)
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(mediation.due_at) == date(2026, 10, 19)

    # no reminder before: it is not a limit the mediator can miss
    assert sweep_due_items(now=at(date(2026, 10, 6))).reminded == 0
    assert not TimelineEvent.objects.filter(case=case, action="arbitration_open").exists()

    # When the sweep runs the next morning
    result = sweep_due_items(now=at(date(2026, 10, 9), 0) + timedelta(minutes=5))

    # Then the mediator is told that the parties may now apply for arbitration; no 督办
    assert result.supervised == 0
    (event,) = TimelineEvent.objects.filter(case=case, action="arbitration_open")
    assert "可以依法申请劳动争议仲裁" in event.note
    assert "请当日告知各方当事人" in event.note
    assert Notification.objects.filter(
        recipient=cast.mediator_east, title=f"可申请仲裁：{case.number}"
    ).exists()
    sweep_due_items(now=at(date(2026, 10, 10)))
    assert TimelineEvent.objects.filter(case=case, action="arbitration_open").count() == 1
