from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from fengqiao.accounts.models import User
from fengqiao.accounts.tests.factories import UserFactory
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditChainHead, AuditEvent
from fengqiao.audit.services import (
    AuditEntry,
    audit_record,
    audit_record_entries,
    audit_seal,
    audit_verify,
)
from fengqiao.core import context


@pytest.fixture
def actor(db: None) -> User:
    return UserFactory(username="auditor1", real_name="审计员甲")


def _write(actor: Any, n: int, start: int = 0) -> list[AuditEvent]:
    """n events with every payload field filled, each different from the others."""
    events = []
    for i in range(start, start + n):
        token = context.bind(context.RequestContext(request_id=f"req{i}", ip=f"10.0.0.{i + 1}"))
        try:
            events.append(
                audit_record(
                    actor=actor,
                    event_type=EventType.PERSON_UPDATED,
                    object_type="orgs.person",
                    object_id=str(100 + i),
                    object_repr=f"人员{i}",
                    before={"name": f"旧名{i}"},
                    after={"name": f"新名{i}"},
                )
            )
        finally:
            context.reset(token)
    return events


def _verify_fails() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    return str(excinfo.value)


def _verify_ok() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def chain(actor: User) -> list[AuditEvent]:
    """Five events written and sealed: rows 1…5 of the chain."""
    _write(actor, 5)
    assert audit_seal() == 5
    return list(AuditEvent.objects.order_by("seq"))


def test_written_events_are_unsealed_until_sealed(actor: User) -> None:
    # given events written through audit_record (on_commit does not fire in a db test)
    events = _write(actor, 3)

    # then they carry no chain position yet
    assert all(e.seq is None and e.hash == "" for e in events)

    # when they are sealed
    sealed = audit_seal()

    # then they are numbered 1…3 in write order and linked
    rows = list(AuditEvent.objects.order_by("seq"))
    assert sealed == 3
    assert [r.seq for r in rows] == [1, 2, 3]
    assert [r.pk for r in rows] == [e.pk for e in events]
    assert rows[0].prev_hash == "0" * 64
    assert rows[1].prev_hash == rows[0].hash
    assert rows[2].prev_hash == rows[1].hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, rows[2].hash)


def test_record_takes_request_context_and_actor(actor: User) -> None:
    event = _write(actor, 1, start=7)[0]
    event.refresh_from_db()
    assert (event.request_id, event.ip) == ("req7", "10.0.0.8")
    assert (event.actor_id, event.actor_name) == (actor.pk, "审计员甲")


def test_sealing_happens_after_commit(
    actor: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # given an event written in a transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = _write(actor, 1)[0]
        # then inside the transaction it is not sealed
        assert AuditEvent.objects.get(pk=event.pk).seq is None

    # and after commit the callback sealed it
    assert len(callbacks) == 1
    event.refresh_from_db()
    assert event.seq == 1
    assert event.hash


def test_failed_seal_after_commit_does_not_fail_the_caller(
    actor: User, django_capture_on_commit_callbacks: Callable[..., Any], monkeypatch: Any
) -> None:
    # given sealing that fails (the database is busy, say)
    def broken(*, wait: bool = True) -> int:
        raise RuntimeError("seal failed")

    monkeypatch.setattr("fengqiao.audit.services.audit_seal", broken)

    # when a change commits, then the caller does not see the sealing error
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = _write(actor, 1)[0]

    # and the row waits unsealed for the periodic task
    assert AuditEvent.objects.get(pk=event.pk).seq is None


def test_seal_is_idempotent(chain: list[AuditEvent]) -> None:
    assert audit_seal() == 0
    assert AuditChainHead.objects.get().last_seq == 5


def test_sealing_continues_the_chain(actor: User, chain: list[AuditEvent]) -> None:
    # given a sealed chain and two more events
    _write(actor, 2, start=5)

    # when sealed
    assert audit_seal() == 2

    # then they are rows 6 and 7 linked to row 5, and the chain verifies
    new = list(AuditEvent.objects.filter(seq__gt=5).order_by("seq"))
    assert [r.seq for r in new] == [6, 7]
    assert new[0].prev_hash == chain[-1].hash
    assert "审计链完好：7 条已校验，0 条待封存" in _verify_ok()


def test_intact_chain_verifies(chain: list[AuditEvent]) -> None:
    assert "审计链完好：5 条已校验" in _verify_ok()


def test_empty_log_verifies(db: None) -> None:
    assert "审计链完好：0 条已校验" in _verify_ok()


TAMPER: dict[str, Callable[[AuditEvent], Any]] = {
    "actor_name": lambda e: "别人",
    "event_type": lambda e: str(EventType.LOGIN),
    "object_type": lambda e: "orgs.organization",
    "object_id": lambda e: "999",
    "object_repr": lambda e: "伪造的对象",
    "before": lambda e: {"name": "伪造"},
    "after": lambda e: None,
    "request_id": lambda e: "forged",
    "ip": lambda e: "192.168.1.1",
    "created_at": lambda e: e.created_at - timedelta(microseconds=1),
    "prev_hash": lambda e: "f" * 64,
    "hash": lambda e: "e" * 64,
}


@pytest.mark.parametrize("field", list(TAMPER))
@pytest.mark.parametrize("position", [0, 2, 4], ids=["first", "middle", "last"])
def test_tampered_field_is_detected(chain: list[AuditEvent], field: str, position: int) -> None:
    # given a sealed chain with one field of one row rewritten in the database
    row = chain[position]
    new_value = TAMPER[field](row)
    assert new_value != getattr(row, field)
    AuditEvent.objects.filter(pk=row.pk).update(**{field: new_value})

    # when the chain is verified, then it fails naming that row
    message = _verify_fails()
    assert f"id={row.pk}，" in message


def test_tampered_actor_is_detected(chain: list[AuditEvent]) -> None:
    row = chain[1]
    AuditEvent.objects.filter(pk=row.pk).update(actor=UserFactory())
    assert f"id={row.pk}，" in _verify_fails()


def test_deleted_middle_row_is_detected(chain: list[AuditEvent]) -> None:
    # given row 3 deleted
    AuditEvent.objects.filter(pk=chain[2].pk).delete()

    # then verification fails at the row after the gap
    message = _verify_fails()
    assert f"id={chain[3].pk}，链序号 3" in message
    assert "缺少链序号 3" in message


def test_deleted_last_row_is_detected(chain: list[AuditEvent]) -> None:
    # given the newest row deleted (the remaining chain is internally consistent)
    AuditEvent.objects.filter(pk=chain[-1].pk).delete()

    # then the head, which still records row 5, gives it away
    message = _verify_fails()
    assert "末尾的行被删除" in message
    assert f"id={chain[-2].pk}，" in message


def test_deleted_all_rows_is_detected(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.all().delete()
    assert "末尾的行被删除" in _verify_fails()


def test_deleted_head_is_detected(chain: list[AuditEvent]) -> None:
    AuditChainHead.objects.all().delete()
    assert "链头记录缺失" in _verify_fails()


def test_swapped_seq_is_detected(chain: list[AuditEvent]) -> None:
    # given rows 2 and 3 exchanging their places in the chain
    a, b = chain[1], chain[2]
    with transaction.atomic():
        AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
        AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
        AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)

    # then verification fails at the first of them in the new order
    assert f"id={b.pk}，" in _verify_fails()


PAYLOAD = [
    "created_at",
    "actor",
    "actor_name",
    "event_type",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "ip",
]


def test_swapped_payload_is_detected(chain: list[AuditEvent]) -> None:
    # given rows 2 and 4 exchanging their whole content, keeping ids and chain columns
    a, b = chain[1], chain[3]
    AuditEvent.objects.filter(pk=a.pk).update(**{f: getattr(b, f) for f in PAYLOAD})
    AuditEvent.objects.filter(pk=b.pk).update(**{f: getattr(a, f) for f in PAYLOAD})

    # then the first of them fails
    assert f"id={a.pk}，" in _verify_fails()


def test_rewritten_chain_behind_the_head_is_detected(chain: list[AuditEvent]) -> None:
    # given an attacker who edits row 4 and re-seals rows 4 and 5 with valid hashes, but
    # cannot (or forgets to) rewrite the head
    AuditEvent.objects.filter(pk=chain[3].pk).update(object_repr="伪造", seq=None, hash="")
    AuditEvent.objects.filter(pk=chain[4].pk).update(seq=None, hash="")
    AuditChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=chain[2].hash)
    audit_seal()
    AuditChainHead.objects.filter(pk=1).update(last_seq=5, last_hash=chain[4].hash)

    # then the chain still verifies row by row, but does not reach the recorded head
    message = _verify_fails()
    assert "链头哈希与链上记录不符" in message
    assert f"id={chain[4].pk}，" in message


def test_rows_sealed_after_the_head_was_read_are_not_an_alarm(
    actor: User, chain: list[AuditEvent]
) -> None:
    # given a verifier that read the head at row 5 while a sealer added rows 6 and 7
    # (simulated by putting the head back where the verifier saw it)
    _write(actor, 2, start=5)
    audit_seal()
    AuditChainHead.objects.filter(pk=1).update(last_seq=5, last_hash=chain[4].hash)

    # then the chain verifies: it passes through the head and goes on
    assert "审计链完好：7 条已校验" in _verify_ok()


def test_unsealed_rows_are_reported(actor: User, chain: list[AuditEvent]) -> None:
    # given two events not yet sealed
    _write(actor, 2, start=5)

    # when verified, then the sealed part is fine and the unsealed rows are reported
    output = _verify_ok()
    assert "5 条已校验，2 条待封存" in output
    assert "有 2 条记录尚未入链" in output
    result = audit_verify()
    assert (result.ok, result.checked, result.unsealed) == (True, 5, 2)


def test_verify_with_seal_option_seals_first(actor: User, chain: list[AuditEvent]) -> None:
    _write(actor, 2, start=5)
    out = StringIO()
    call_command("audit_verify", "--seal", stdout=out)
    assert "7 条已校验，0 条待封存" in out.getvalue()


def test_periodic_task_seals(actor: User) -> None:
    from fengqiao.audit.tasks import seal_audit_log

    # given unsealed events, when the periodic task runs (immediate mode in tests)
    _write(actor, 2)
    seal_audit_log.call_local()

    # then they are sealed
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seal_without_wait_skips_when_head_is_locked() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given a chain head that another connection holds locked (a sealer mid-way)
    audit_seal()
    locked, release = threading.Event(), threading.Event()

    def hold_head() -> None:
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=1)
                locked.set()
                release.wait(timeout=10)
        finally:
            thread_connection.close()

    holder = threading.Thread(target=hold_head)
    holder.start()
    try:
        assert locked.wait(timeout=10)

        # when two events commit (autocommit: their after-commit seal runs at once) and a
        # sealer that must not wait runs as well
        started = time.monotonic()
        _write(None, 2)
        sealed = audit_seal(wait=False)
        elapsed = time.monotonic() - started

        # then nothing waited for the lock and nothing was sealed
        assert sealed == 0
        assert elapsed < 2
        assert AuditEvent.objects.filter(seq__isnull=True).count() == 2
    finally:
        release.set()
        holder.join(timeout=10)

    # and once the head is free the rows are sealed
    assert audit_seal(wait=False) == 2
    assert audit_verify().ok


def test_entries_written_in_bulk_seal_into_the_chain(actor: User, chain: list[AuditEvent]) -> None:
    # given a sealed chain, and three events of the system written as plain rows in a request
    cases = [UserFactory(username=f"obj{i}") for i in range(3)]  # any model will do
    token = context.bind(context.RequestContext(request_id="sweep1", ip="127.0.0.1"))
    try:
        written = audit_record_entries(
            [
                AuditEntry(EventType.CASE_REMINDED, obj, {"due_item": i})
                for i, obj in enumerate(cases)
            ]
        )
    finally:
        context.reset(token)

    # when they are sealed
    assert written == 3
    assert audit_seal() == 3

    # then they continue the chain as rows 6…8, with their object, payload and request
    rows = list(AuditEvent.objects.filter(seq__gt=5).order_by("seq"))
    assert [r.seq for r in rows] == [6, 7, 8]
    assert [(r.object_type, r.object_id, r.after) for r in rows] == [
        ("accounts.user", str(obj.pk), {"due_item": i}) for i, obj in enumerate(cases)
    ]
    assert all((r.actor_id, r.actor_name, r.before) == (None, "", None) for r in rows)
    assert {(r.request_id, r.ip) for r in rows} == {("sweep1", "127.0.0.1")}
    # and the whole chain verifies
    assert "审计链完好：8 条已校验，0 条待封存" in _verify_ok()


def test_bulk_entries_carry_their_actor(actor: User) -> None:
    audit_record_entries([AuditEntry(EventType.PERSON_UPDATED, actor)], actor=actor)
    row = AuditEvent.objects.get()
    assert (row.actor_id, row.actor_name, row.object_repr) == (actor.pk, "审计员甲", str(actor))
