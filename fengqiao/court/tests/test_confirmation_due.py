"""司法确认's limits on the deadline sweep: filing opens the 受理期限, 受理 the 审查期限, 延长
moves it by 10 days as a recorded move, 不予受理 and 裁定 close it; the sweep sends 催办 before
and 督办 after to the court's judge and nobody else, once; a holiday recount moves the
application's own date; the judge sees it on 我的工作, the mediator does not."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from fengqiao.court.models.confirmation import Confirmation
from fengqiao.court.services.confirmation import (
    confirmation_accept,
    confirmation_extend,
    confirmation_refuse,
    confirmation_rule,
    flag_acknowledge,
)
from fengqiao.court.tests.confirmation_helpers import file, resolved_case
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueKind, DueStatus, PeriodUnit, TimelineAction
from fengqiao.disputes.deadlines import Period, period_end
from fengqiao.disputes.models import CalendarOverride, DueItem, SupervisionOrder, TimelineEvent
from fengqiao.disputes.queues import OVERDUE, counts_of
from fengqiao.disputes.selectors import due_states, worklist_for_user
from fengqiao.disputes.services.calendar import deadlines_recompute
from fengqiao.disputes.services.outcomes import case_archive
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("signing_credentials")

KINDS = (DueKind.CONFIRM_ACCEPT, DueKind.CONFIRM_RULE)


def _items(c: Confirmation) -> list[DueItem]:
    return list(DueItem.objects.filter(case_id=c.case_id, kind__in=KINDS).order_by("pk"))


def _open(c: Confirmation) -> DueItem:
    return DueItem.objects.get(case_id=c.case_id, kind__in=KINDS, status=DueStatus.OPEN)


def _told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "url"))


def _filed(cast: Any, world: Any) -> Confirmation:
    return file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)


# --- The items follow the application -----------------------------------------------------------


def test_filing_opens_the_acceptance_limit_for_the_court(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    [item] = _items(c)
    assert (item.kind, item.status, item.org) == (
        DueKind.CONFIRM_ACCEPT,
        DueStatus.OPEN,
        world.tribunal_a,
    )
    # Counted as the application's own date, with its period recorded for a recount.
    assert item.due_at == c.accept_due_at == period_end(c.filed_at, Period(PeriodUnit.DAYS, 3))
    assert (item.started_at, item.period_unit, item.period_amount) == (
        c.filed_at,
        PeriodUnit.DAYS,
        3,
    )
    assert item.next_check_at is not None


def test_acceptance_closes_it_and_opens_the_15_days_extension_moves_ruling_closes(
    cast: Any, world: Any
) -> None:
    c = _filed(cast, world)
    c = confirmation_accept(actor=cast.court_clerk, confirmation_id=c.pk)
    accept, rule = _items(c)
    assert (accept.kind, accept.status) == (DueKind.CONFIRM_ACCEPT, DueStatus.DONE)
    assert (rule.kind, rule.status, rule.org) == (
        DueKind.CONFIRM_RULE,
        DueStatus.OPEN,
        world.tribunal_a,
    )
    assert rule.due_at == c.rule_due_at == period_end(c.accepted_at, Period(PeriodUnit.DAYS, 15))
    c = confirmation_extend(
        actor=cast.judge, confirmation_id=c.pk, approver="王院长", reason="需要通知当事人补充陈述"
    )
    rule.refresh_from_db()
    # 10 days on from the end of the 15, off a day off; recorded as a move.
    assert rule.moves == [{"extended": 10}]
    assert rule.due_at == c.rule_due_at == deadlines.due_at_of(rule)
    assert rule.due_at == deadlines.next_working_day_if_off(
        period_end(c.accepted_at, Period(PeriodUnit.DAYS, 15)) + timedelta(days=10)
    )
    for flag in c.flags.all():
        flag_acknowledge(actor=cast.judge, flag_id=flag.pk)
    confirmation_rule(actor=cast.judge, confirmation_id=c.pk, confirmed=True, reasons="真实合法")
    assert [i.status for i in _items(c)] == [DueStatus.DONE, DueStatus.DONE]


def test_not_accepting_closes_the_acceptance_limit(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    confirmation_refuse(actor=cast.court_clerk, confirmation_id=c.pk, reasons="不属于受理范围")
    assert [i.status for i in _items(c)] == [DueStatus.DONE]
    # Nothing is left for the sweep: no reminder reaches anyone afterwards.
    sweep_due_items(now=c.accept_due_at + timedelta(hours=1))
    assert not Notification.objects.filter(kind=NotificationKind.SUPERVISION).exists()


def test_archiving_the_case_leaves_the_court_limit_running(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    case_archive(actor=cast.mediator_east, case_id=c.case_id, version=None)
    assert _open(c).kind == DueKind.CONFIRM_ACCEPT


# --- The sweep: 催办 before, 督办 after, to the court's judge only ------------------------------


def test_the_sweep_reminds_then_supervises_the_judge_and_nobody_else(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    due = c.accept_due_at
    page = f"/court/confirmations/{c.pk}/"
    result = sweep_due_items(now=due - timedelta(hours=1))
    assert result.reminded == 1
    assert _told(NotificationKind.REMINDER) == [("judge", page)]
    title = Notification.objects.get(kind=NotificationKind.REMINDER).title
    assert title.startswith("催办：")
    assert "司法确认受理期限" in title
    # A second sweep at the same moment, or later before the deadline, adds nothing.
    sweep_due_items(now=due - timedelta(hours=1))
    sweep_due_items(now=due - timedelta(minutes=5))
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 1

    result = sweep_due_items(now=due + timedelta(hours=1))
    assert result.supervised == 1
    assert _told(NotificationKind.SUPERVISION) == [("judge", page)]
    supervised = Notification.objects.get(kind=NotificationKind.SUPERVISION)
    assert "司法确认受理期限已于" in supervised.title
    # No platform holds a court to its limits: no 督办单; the timeline says it once.
    assert not SupervisionOrder.objects.exists()
    sweep_due_items(now=due + timedelta(hours=2))
    swept = [NotificationKind.REMINDER, NotificationKind.SUPERVISION]
    assert Notification.objects.filter(kind__in=swept).count() == 2
    events = TimelineEvent.objects.filter(
        case_id=c.case_id, action__in=[TimelineAction.REMIND, TimelineAction.SUPERVISE]
    )
    assert sorted(events.values_list("action", flat=True)) == ["remind", "supervise"]
    item = _open(c)
    assert item.reminded_at is not None
    assert item.supervised_at is not None
    assert item.next_check_at is None


def test_the_ruling_limit_after_an_extension_is_reminded_again(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    c = confirmation_accept(actor=cast.court_clerk, confirmation_id=c.pk)
    sweep_due_items(now=c.rule_due_at - timedelta(hours=1))
    assert _told(NotificationKind.REMINDER) == [("judge", f"/court/confirmations/{c.pk}/")]
    c = confirmation_extend(
        actor=cast.judge, confirmation_id=c.pk, approver="王院长", reason="复杂"
    )
    # The old date passes: nothing is overdue now.
    sweep_due_items(now=c.rule_due_at - timedelta(days=5))
    assert not Notification.objects.filter(kind=NotificationKind.SUPERVISION).exists()
    sweep_due_items(now=c.rule_due_at - timedelta(hours=1))
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 2
    sweep_due_items(now=c.rule_due_at + timedelta(hours=1))
    assert _told(NotificationKind.SUPERVISION) == [("judge", f"/court/confirmations/{c.pk}/")]


def test_the_sweep_reads_a_batch_of_court_limits_in_a_fixed_number_of_queries(
    cast: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    c = _filed(cast, world)
    # Ten more applications' limits at the same court (copies of the first).
    item = _open(c)
    for _n in range(10):
        item.pk = None
        item.save()
    with django_assert_max_num_queries(16):
        result = sweep_due_items(now=c.accept_due_at + timedelta(hours=1))
    assert result.supervised == 11
    assert Notification.objects.filter(recipient=cast.judge).count() == 11


# --- Holidays: the dates stay right --------------------------------------------------------------


def test_a_recount_on_a_new_holiday_moves_the_limit_and_the_application(
    cast: Any, world: Any
) -> None:
    c = _filed(cast, world)
    due_day = timezone.localtime(c.accept_due_at).date()
    CalendarOverride.objects.create(day=due_day, is_workday=False, note="地方节日")
    assert deadlines.is_workday(due_day) is False
    deadlines_recompute(first=due_day, last=due_day, reason="节假日调整")
    item = _open(c)
    c.refresh_from_db()
    # Off the new day off, to the end of the next working day; the queue's date follows.
    assert timezone.localtime(item.due_at).date() > due_day
    assert c.accept_due_at == item.due_at == deadlines.due_at_of(item)
    assert deadlines.is_workday(timezone.localtime(item.due_at).date())
    assert TimelineEvent.objects.filter(
        case_id=c.case_id, action=TimelineAction.DEADLINE_RECOMPUTED
    ).exists()


def test_an_extension_over_national_day_counts_from_the_end_of_the_15_days(
    cast: Any, world: Any
) -> None:
    c = _filed(cast, world)
    c = confirmation_accept(actor=cast.court_clerk, confirmation_id=c.pk)
    # Accepted Wed 16 Sep 2026: 15 days end Thu 1 Oct, in the holiday → Thu 8 Oct.
    accepted = datetime(2026, 9, 16, 10, 0, tzinfo=SHANGHAI)
    rule_due = period_end(accepted, Period(PeriodUnit.DAYS, 15))
    assert timezone.localtime(rule_due).date() == date(2026, 10, 8)
    DueItem.objects.filter(pk=_open(c).pk).update(started_at=accepted, due_at=rule_due)
    Confirmation.objects.filter(pk=c.pk).update(accepted_at=accepted, rule_due_at=rule_due)
    c = confirmation_extend(
        actor=cast.judge, confirmation_id=c.pk, approver="王院长", reason="复杂"
    )
    # 10 more days: Sun 18 Oct, a day off → Mon 19 Oct.
    assert timezone.localtime(c.rule_due_at).date() == date(2026, 10, 19)
    assert _open(c).due_at == c.rule_due_at


# --- Where the judge works -----------------------------------------------------------------------


def test_the_judge_sees_the_limit_on_my_work_the_mediator_does_not(cast: Any, world: Any) -> None:
    c = _filed(cast, world)
    Confirmation.objects.filter(pk=c.pk).update(accept_due_at=timezone.now() - timedelta(hours=1))
    DueItem.objects.filter(pk=_open(c).pk).update(due_at=timezone.now() - timedelta(hours=1))
    judge = worklist_for_user(cast.judge)
    assert [(i.case_id, i.kind) for i in judge.overdue] == [(c.case_id, DueKind.CONFIRM_ACCEPT)]
    # Neither the mediator who handled the case nor the platform's dispatcher or the leader
    # answers for the court's limit (their 已超期 measures the mediation work).
    for other in (cast.mediator_east, cast.dispatcher, cast.leader, cast.county_dispatcher):
        work = worklist_for_user(other)
        assert not [i for i in work.overdue + work.due_soon if i.kind in KINDS], other
    assert counts_of(cast.leader, [OVERDUE])[0].count == 0
    assert counts_of(cast.judge, [OVERDUE])[0].count == 1
    # The case list does not mark the resolved case red for the court's lateness.
    assert due_states([c.case]) == {}


# --- Existing applications (the data migration) ------------------------------------------------


def test_the_migration_gives_standing_applications_their_limits(cast: Any, world: Any) -> None:
    pending = _filed(cast, world)
    accepted = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a, note="第二件")
    accepted = confirmation_accept(actor=cast.court_clerk, confirmation_id=accepted.pk)
    accepted = confirmation_extend(
        actor=cast.judge, confirmation_id=accepted.pk, approver="王院长", reason="复杂"
    )
    expected = {
        pending.pk: (DueKind.CONFIRM_ACCEPT, pending.accept_due_at, []),
        accepted.pk: (DueKind.CONFIRM_RULE, accepted.rule_due_at, [{"extended": 10}]),
    }
    # As before the limits were recorded: no items at all.
    DueItem.objects.filter(kind__in=KINDS).delete()
    migration = importlib.import_module("fengqiao.court.migrations.0004_confirmation_due_items")
    migration.open_due_items(apps, None)
    migration.open_due_items(apps, None)  # twice: nothing doubled
    for c in (pending, accepted):
        kind, due_at, moves = expected[c.pk]
        item = _open(c)
        assert (item.kind, item.due_at, item.moves, item.org_id) == (
            kind,
            due_at,
            moves,
            c.court_id,
        )
        assert item.due_at == deadlines.due_at_of(item)
    assert DueItem.objects.filter(kind__in=KINDS).count() == 2
