"""The deadline sweep: it reads only what is due, reminds once before a deadline, issues one
督办 after it (seen by the platform one level up), repeats nothing, survives being killed, and
leaves suspended cases alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes import sweep
from fengqiao.disputes.choices import DueKind, DueStatus
from fengqiao.disputes.models import Case, DueItem, SupervisionOrder, TimelineEvent
from fengqiao.disputes.policy import upper_platform
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_accept
from fengqiao.disputes.services.handling import case_suspend
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, register_case, staff, start_mediation
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.orgs.tests.factories import OrganizationFactory, kind


def _item(case: Case, org: Any, due_at: datetime, **extra: Any) -> DueItem:
    return DueItem.objects.create(
        case=case,
        kind=DueKind.ACCEPT,
        org=org,
        due_at=due_at,
        next_check_at=extra.pop("next_check_at", due_at),
        **extra,
    )


def _dispatched(cast: Any, world: Any, org: Any) -> tuple[Case, DueItem]:
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[org])
    return case, DueItem.objects.get(case=case, kind=DueKind.ACCEPT)


def _counts() -> tuple[int, int, int]:
    return (
        SupervisionOrder.objects.count(),
        Notification.objects.filter(
            kind__in=[NotificationKind.REMINDER, NotificationKind.SUPERVISION]
        ).count(),
        TimelineEvent.objects.filter(action__in=["remind", "supervise"]).count(),
    )


def test_sweep_reads_only_what_is_due(cast: Any, world: Any) -> None:
    # Given 200 open items due next year and 3 that have come due
    now = timezone.now()
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    far = now + timedelta(days=365)
    DueItem.objects.bulk_create(
        [
            DueItem(
                case=case,
                kind=DueKind.MEDIATION,
                org=world.committee_east,
                due_at=far,
                next_check_at=far - timedelta(days=3),
            )
            for _ in range(200)
        ]
    )
    due = [_item(case, world.committee_east, now - timedelta(hours=h)) for h in (1, 2, 3)]

    # When the sweep runs
    with CaptureQueriesContext(connection) as queries:
        result = sweep_due_items(now=now)

    # Then it examined exactly the three due items, and read them by next_check_at
    assert (result.examined, result.reminded, result.supervised) == (3, 0, 3)
    due_reads = [q["sql"] for q in queries if 'FROM "disputes_dueitem"' in q["sql"]]
    assert due_reads
    assert all('"next_check_at" <=' in sql for sql in due_reads if "SELECT" in sql[:10])
    untouched = DueItem.objects.exclude(pk__in=[i.pk for i in due])
    assert untouched.count() == 200
    assert not untouched.filter(reminded_at__isnull=False).exists()
    assert not untouched.filter(supervised_at__isnull=False).exists()
    assert set(untouched.values_list("next_check_at", flat=True)) == {far - timedelta(days=3)}


def test_reminder_once_before_and_supervision_once_after_seen_one_level_up(
    cast: Any, world: Any
) -> None:
    # Given a case dispatched to the east village committee, with its acceptance limit
    case, item = _dispatched(cast, world, world.committee_east)
    assert item.next_check_at < item.due_at

    # When the sweep reaches the reminder time (twice)
    first = sweep_due_items(now=item.next_check_at)
    again = sweep_due_items(now=item.next_check_at + timedelta(minutes=5))

    # Then one reminder went to the committee, and nothing more
    assert (first.reminded, first.supervised) == (1, 0)
    assert (again.examined, again.reminded, again.supervised) == (0, 0, 0)
    # (everyone who acts for the committee: its mediator, and the grid worker granted there)
    reminded = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert {n.recipient for n in reminded} == {cast.mediator_east, cast.grid_worker}
    item.refresh_from_db()
    assert item.reminded_at is not None
    assert item.next_check_at == item.due_at

    # When the deadline passes (and the sweep runs twice more)
    late = item.due_at + timedelta(minutes=1)
    overdue = sweep_due_items(now=late)
    repeat = sweep_due_items(now=late + timedelta(hours=1))

    # Then exactly one 督办 order, to the committee, held by the township platform above it
    assert (overdue.reminded, overdue.supervised) == (0, 1)
    assert (repeat.examined, repeat.supervised) == (0, 0)
    order = SupervisionOrder.objects.get()
    assert (order.case, order.org, order.upper_org) == (
        case,
        world.committee_east,
        world.town_a_platform,
    )
    assert "受理时限" in order.reason
    told = set(
        Notification.objects.filter(kind=NotificationKind.SUPERVISION).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"mediator_east", "grid_east", "dispatcher"}
    assert case.timeline.filter(action="supervise").count() == 1
    assert case.timeline.filter(action="remind").count() == 1
    item.refresh_from_db()
    assert item.next_check_at is None
    assert item.status == DueStatus.OPEN  # still owed: the 督办 does not close it


def test_a_township_org_overdue_is_supervised_by_the_county(cast: Any, world: Any) -> None:
    # Given a case the township platform dispatched to the township's tribunal
    staff("tribunal_mediator", BuiltinRole.MEDIATOR, world.tribunal_a)
    case, item = _dispatched(cast, world, world.tribunal_a)

    sweep_due_items(now=item.due_at + timedelta(minutes=1))

    # Then the 督办 is held one level above the tribunal — the county platform, not the
    # township platform at the tribunal's own level — and the county's users hear of it;
    # the township platform that dispatched it is told as well (and everyone at the tribunal).
    order = SupervisionOrder.objects.get(case=case)
    assert (order.org, order.upper_org) == (world.tribunal_a, world.county_platform)
    told = set(
        Notification.objects.filter(kind=NotificationKind.SUPERVISION).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {
        "tribunal_mediator",
        "court_clerk",
        "judge",
        "leader",
        "county_dispatcher",
        "dispatcher",
    }


def test_upper_platform_by_level(world: Any) -> None:
    village_platform = OrganizationFactory(
        name="东村综治中心", kind=kind("platform"), region=world.village_east
    )
    # A village committee answers to the level above the village, even where the village has
    # a platform of its own (that one dispatched the case and is told as such).
    assert upper_platform(world.committee_east) == world.town_a_platform
    assert upper_platform(village_platform) == world.town_a_platform
    assert upper_platform(world.town_a_platform) == world.county_platform
    assert upper_platform(world.tribunal_a) == world.county_platform
    assert upper_platform(world.committee_south) == world.town_b_platform
    # Without 乙镇's platform, its village committee goes straight to the county.
    world.town_b_platform.is_active = False
    world.town_b_platform.save(update_fields=["is_active"])
    assert upper_platform(world.committee_south) == world.county_platform
    assert upper_platform(world.county_platform) is None


def test_suspended_cases_are_skipped(cast: Any, world: Any) -> None:
    # Given an accepted case in mediation, suspended
    case, _accept = _dispatched(cast, world, world.committee_east)
    dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
    start_mediation(case, cast.mediator_east)
    case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="鉴定")
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert mediation.paused_at is not None

    # When the sweep runs long after its deadline
    result = sweep_due_items(now=mediation.due_at + timedelta(days=10))

    # Then it did not touch it
    assert (result.examined, result.reminded, result.supervised) == (0, 0, 0)
    mediation.refresh_from_db()
    assert (mediation.reminded_at, mediation.supervised_at) == (None, None)

    # Even an item that (by some other path) kept a check time is left alone while paused.
    DueItem.objects.filter(pk=mediation.pk).update(next_check_at=mediation.due_at)
    assert sweep_due_items(now=mediation.due_at + timedelta(days=10)).examined == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_halfway_leaves_nothing_half_done(
    cast: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three overdue items
    now = timezone.now()
    items = []
    for n in range(3):
        case = register_case(
            actor=cast.dispatcher,
            platform=world.town_a_platform,
            region=world.village_east,
            title=f"纠纷{n}",
        )
        items.append(_item(case, world.committee_east, now - timedelta(hours=n + 1)))
    before = _counts()

    # When the sweep dies while supervising the second one
    real = sweep._supervise
    calls = {"n": 0}

    def dying(item: DueItem, at: datetime, batch: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        real(item, at, batch)

    monkeypatch.setattr(sweep, "_supervise", dying)
    with pytest.raises(RuntimeError, match="worker killed"):
        sweep_due_items(now=now)

    # Then nothing of it stayed: no order, no message, no timeline entry, no marks
    assert calls["n"] == 2
    assert _counts() == before
    assert not DueItem.objects.filter(supervised_at__isnull=False).exists()
    assert set(DueItem.objects.values_list("next_check_at", flat=True)) == {
        i.next_check_at for i in items
    }

    # When the worker comes back, each item is supervised exactly once
    monkeypatch.setattr(sweep, "_supervise", real)
    result = sweep_due_items(now=now)
    assert (result.examined, result.supervised) == (3, 3)
    assert sweep_due_items(now=now + timedelta(hours=1)).examined == 0
    assert SupervisionOrder.objects.count() == 3
    assert set(SupervisionOrder.objects.values_list("due_item", flat=True)) == {i.pk for i in items}
    assert TimelineEvent.objects.filter(action="supervise").count() == 3


def test_the_periodic_task_reports_what_it_did(cast: Any, world: Any) -> None:
    from fengqiao.disputes.tasks import sweep_deadlines

    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    _item(case, world.committee_east, timezone.now() - timedelta(hours=1))
    result = sweep_deadlines.call_local()
    assert result == {"examined": 1, "reminded": 0, "supervised": 1}


def test_late_acceptance_closes_the_supervision_order(cast: Any, world: Any) -> None:
    # Given an acceptance limit missed and supervised
    case, item = _dispatched(cast, world, world.committee_east)
    sweep_due_items(now=item.due_at + timedelta(minutes=1))
    order = SupervisionOrder.objects.get(due_item=item)
    assert order.closed_at is None

    # When the committee finally accepts
    dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)

    # Then the 督办 is settled and the item done
    order.refresh_from_db()
    item.refresh_from_db()
    assert order.closed_at is not None
    assert item.status == DueStatus.DONE


def _sweep_queries(cast: Any, world: Any, n: int) -> tuple[int, Any]:
    """Sweep ``n`` overdue and ``n`` upcoming items of different committees; the query count."""
    now = timezone.now()
    committees = [world.committee_east, world.committee_west]
    for i in range(n):
        case = register_case(
            actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
        )
        org = committees[i % 2]
        _item(case, org, now - timedelta(hours=1))
        _item(case, org, now + timedelta(days=1), next_check_at=now - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as ctx:
        result = sweep_due_items(now=now)
    return len(ctx.captured_queries), result


def test_sweep_writes_a_batch_together(cast: Any, world: Any) -> None:
    # Given 3 overdue and 3 upcoming items, then (on top) 12 and 12 more
    small, first = _sweep_queries(cast, world, 3)
    large, second = _sweep_queries(cast, world, 12)

    # Then each was reminded or supervised once
    assert (first.reminded, first.supervised) == (3, 3)
    assert (second.reminded, second.supervised) == (12, 12)
    assert SupervisionOrder.objects.count() == 15
    assert TimelineEvent.objects.filter(action="remind").count() == 15

    # And the sweep's queries do not grow with the items in a batch: its writes go in one
    # statement per table, the users and upper platforms of every org in one read each
    assert large == small


def test_a_sweep_in_small_batches_takes_every_due_item_once(cast: Any, world: Any) -> None:
    # Given 7 due items, 4 of them checked at the same moment, and one not yet due
    now = timezone.now()
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    same = now - timedelta(hours=3)
    checks = [same, same, same, same, now - timedelta(hours=2), now - timedelta(hours=1), now]
    items = [
        _item(case, world.committee_east, now + timedelta(days=1), next_check_at=at)
        for at in checks
    ]
    later = _item(case, world.committee_east, now + timedelta(days=2))

    # When the sweep goes through them two at a time
    result = sweep_due_items(now=now, batch=2)

    # Then each due item was reminded once, and the item not yet due was left alone
    assert (result.examined, result.reminded) == (7, 7)
    assert TimelineEvent.objects.filter(action="remind").count() == 7
    assert all(i.reminded_at for i in DueItem.objects.filter(pk__in=[i.pk for i in items]))
    later.refresh_from_db()
    assert later.reminded_at is None
