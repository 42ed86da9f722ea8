"""Real concurrency on PostgreSQL: threads released together by a barrier, each with its own
connection (closed at the end). SQLite serializes writers, so these run on PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes.choices import CaseStatus, DispatchStatus, DueKind
from fengqiao.disputes.models import Case, DispatchOrder, DueItem, SupervisionOrder
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import StaleCase
from fengqiao.disputes.services.outcomes import case_withdraw
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.factories import assessed_case, register_case, staff
from fengqiao.disputes.workflow import TransitionNotAllowed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released at the same moment; each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def _split(results: list[Any]) -> tuple[list[Any], list[Exception]]:
    ok = [r for r in results if not isinstance(r, Exception)]
    failed = [r for r in results if isinstance(r, Exception)]
    return ok, failed


def test_two_dispatchers_dispatching_the_same_case_at_once(cast: Any, world: Any) -> None:
    # Given an assessed case and two dispatchers with the same form open
    second = staff("dispatcher_2", BuiltinRole.DISPATCHER, world.town_a_platform)
    case = assessed_case(cast=cast, world=world)
    version = case.version

    # When both dispatch at the same moment, to different committees
    results = together(
        lambda: case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=version, orgs=[world.committee_east]
        ),
        lambda: case_dispatch(
            actor=second, case_id=case.pk, version=version, orgs=[world.committee_west]
        ),
    )

    # Then exactly one succeeds; the other is told, in Chinese, that the case moved on
    ok, failed = _split(results)
    assert len(ok) == 1
    assert len(failed) == 1
    assert isinstance(failed[0], StaleCase | TransitionNotAllowed)
    assert "已被他人处理" in str(failed[0]) or "不能执行" in str(failed[0])
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version) == (CaseStatus.DISPATCHED, version + 1)
    assert fresh.timeline.filter(action="dispatch").count() == 1
    assert DispatchOrder.objects.filter(case=case).count() == 1
    assert DueItem.objects.filter(case=case, kind=DueKind.ACCEPT).count() == 1


def test_two_dispatchers_without_a_version_get_transition_not_allowed(
    cast: Any, world: Any
) -> None:
    second = staff("dispatcher_2", BuiltinRole.DISPATCHER, world.town_a_platform)
    case = assessed_case(cast=cast, world=world)
    results = together(
        lambda: case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        ),
        lambda: case_dispatch(
            actor=second, case_id=case.pk, version=None, orgs=[world.committee_east]
        ),
    )
    ok, failed = _split(results)
    assert len(ok) == 1
    assert len(failed) == 1
    assert isinstance(failed[0], TransitionNotAllowed)
    assert "已交办" in str(failed[0])
    assert Case.objects.get(pk=case.pk).timeline.filter(action="dispatch").count() == 1


def test_two_mediators_accepting_the_same_order_at_once(cast: Any, world: Any) -> None:
    # Given an order to the east committee, where two mediators work
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    order = case.dispatches.get()

    # When both accept at the same moment
    results = together(
        lambda: dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk),
        lambda: dispatch_accept(actor=colleague, dispatch_id=order.pk),
    )

    # Then there is one acceptance: one accept event, one mediation clock, one handler
    ok, failed = _split(results)
    assert len(ok) == 1
    assert len(failed) == 1
    # the other is told who accepted it and that nothing was saved
    assert isinstance(failed[0], StaleCase)
    assert "受理" in str(failed[0])
    assert "未保存" in str(failed[0])
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.ACCEPTED
    assert fresh.timeline.filter(action="accept").count() == 1
    assert DueItem.objects.filter(case=case, kind=DueKind.MEDIATION).count() == 1
    order.refresh_from_db()
    assert order.status == DispatchStatus.ACCEPTED
    assert fresh.handler_id == order.responded_by_id


def test_accept_and_withdraw_at_once_do_not_deadlock(cast: Any, world: Any) -> None:
    # Accept locks the case, then the order; withdraw locks the case, then cancels orders.
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    order = case.dispatches.get()
    results = together(
        lambda: dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk),
        lambda: case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=None, reason="撤回"),
    )
    accept_result, withdraw_result = results
    assert not isinstance(withdraw_result, Exception)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.WITHDRAWN
    order.refresh_from_db()
    if isinstance(accept_result, Exception):
        # Withdrawn first: the order was cancelled and the acceptance refused, naming why.
        assert isinstance(accept_result, StaleCase)
        assert "撤回" in str(accept_result)
        assert order.status == DispatchStatus.CANCELLED
    else:
        # Accepted first: the withdrawal then settles the accepted order (已办结).
        assert order.status == DispatchStatus.DONE
        assert order.responded_at is not None
        assert fresh.timeline.filter(action="accept").count() == 1


def test_concurrent_intake_numbers_are_unique_and_gap_free(cast: Any, world: Any) -> None:
    # Given no case yet this year on the township platform
    def register_ten() -> list[str]:
        return [
            register_case(
                actor=cast.dispatcher,
                platform=world.town_a_platform,
                region=world.village_east,
                title=f"并发登记{n}",
            ).number
            for n in range(10)
        ]

    # When eight intake desks register ten cases each at the same time
    results = together(*[register_ten for _ in range(8)])

    # Then the 80 numbers are exactly 000001…000080
    assert not [r for r in results if isinstance(r, Exception)]
    numbers = [n for batch in results for n in batch]
    year = timezone.localtime().year
    expected = {f"{world.town_a.code}-{year}-{seq:06d}" for seq in range(1, 81)}
    assert len(numbers) == 80
    assert set(numbers) == expected
    assert Case.objects.count() == 80


def test_two_sweeps_at_once_supervise_each_item_once(cast: Any, world: Any) -> None:
    now = timezone.now()
    for n in range(6):
        case = register_case(
            actor=cast.dispatcher,
            platform=world.town_a_platform,
            region=world.village_east,
            title=f"逾期{n}",
        )
        DueItem.objects.create(
            case=case,
            kind=DueKind.ACCEPT,
            org=world.committee_east,
            due_at=now - timedelta(hours=1),
            next_check_at=now - timedelta(hours=1),
        )
    results = together(
        lambda: sweep_due_items(now=now, batch=2), lambda: sweep_due_items(now=now, batch=2)
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(r.supervised for r in results) == 6
    assert SupervisionOrder.objects.count() == 6
