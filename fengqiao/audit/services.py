"""Writing and sealing the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from fengqiao.audit.choices import EventType
from fengqiao.audit.labels import object_label
from fengqiao.audit.models import AuditChainHead, AuditEvent
from fengqiao.core import context
from fengqiao.core.bulk import insert_rows
from fengqiao.core.crypto import sm3_hex
from fengqiao.core.services import (
    ROTATE_BATCH,
    FieldRotation,
    KeyRotationResult,
    encrypted_fields_rotate,
)

GENESIS = "0" * 64
SEAL_BATCH = 2000
SEAL_REQUESTED = "audit-seal-requested"


def audit_record(
    *,
    actor: Any,
    event_type: EventType,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction; it is sealed into the chain after commit."""
    event = audit_event(
        actor=actor,
        event_type=event_type,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
    )
    event.save()
    _request_seal_after_commit()
    return event


class AuditEntry(NamedTuple):
    """One event for ``audit_record_entries``: what happened to which object."""

    event_type: str
    obj: models.Model
    after: dict[str, Any] | None = None


def audit_record_entries(entries: Iterable[AuditEntry], *, actor: Any = None) -> int:
    """Append many events of one actor (None: the system) in the caller's transaction, as
    rows without an ``AuditEvent`` instance each (a sweep's batch); returns how many. ``after``
    holds JSON values only (numbers, strings, lists, dicts): anything else is refused."""
    ctx = context.current()
    user, actor_name = _actor(actor)
    actor_id = getattr(user, "pk", None)
    now = timezone.now()
    written = insert_rows(
        AuditEvent,
        AUDIT_COLUMNS,
        (
            (
                now,
                actor_id,
                actor_name,
                str(entry.event_type),
                entry.obj._meta.label_lower,
                str(entry.obj.pk),
                (object_label(entry.obj) or str(entry.obj))[:200],
                None,
                entry.after,
                ctx.request_id,
                ctx.ip,
            )
            for entry in entries
        ),
    )
    if written:
        _request_seal_after_commit()
    return written


AUDIT_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_name",
    "event_type",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "ip",
)


def audit_event(
    *,
    actor: Any,
    event_type: EventType,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit row, not yet written, with the request's id and IP."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or object_label(obj) or str(obj)[:200]
    user, actor_name = _actor(actor)
    return AuditEvent(
        actor=user,
        actor_name=actor_name,
        event_type=str(event_type),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


def _actor(actor: Any) -> tuple[Any, str]:
    """The user an event is recorded against and the name kept with it (None and "" for the
    system or an anonymous caller)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor, (getattr(actor, "display_name", "") or str(actor))[:150]


def _request_seal_after_commit() -> None:
    # Robust: the change itself has committed; a seal that cannot be requested is done by the
    # periodic task and must not turn the caller's success into an error.
    if not _seal_requested():
        transaction.on_commit(audit_seal_soon, robust=True)


def _seal_requested() -> bool:
    """Whether this transaction already asks for a seal after commit: one request per
    transaction, however many events it writes."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(callback is audit_seal_soon for _sids, callback, *_rest in connection.run_on_commit)


def audit_seal_soon() -> None:
    """After commit: have the task worker seal the new rows, without the request waiting.

    A flag in the queue's own storage (shared by every web process and the worker) keeps one
    seal task queued however many transactions commit meanwhile: a busy intake pays one
    ``put_if_empty`` per case, not a sealing transaction. The task clears the flag before it
    reads the rows to seal, so a row that commits after that read raises the flag again.
    """
    from fengqiao.audit import tasks  # the tasks module imports this one

    if HUEY.put_if_empty(SEAL_REQUESTED, "1"):
        tasks.seal_audit_log_now()


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return result


def row_digest(event: AuditEvent, *, seq: int, prev_hash: str) -> str:
    created: datetime = event.created_at
    payload = {
        "seq": seq,
        "prev": prev_hash,
        "id": event.pk,
        "at": created.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "type": event.event_type,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "ip": event.ip,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sm3_hex(canonical.encode())


def audit_seal(*, wait: bool = True, using: str = DEFAULT_DB_ALIAS) -> int:
    """Chain every committed unsealed row; returns how many were sealed.

    Only the sealer locks the chain head. With ``wait=False`` a sealer that finds another one
    running leaves the rows to it (or to the next periodic run) instead of queueing. ``using``:
    the database (a restore seals its own event in the database it has just filled).
    """
    sealed = 0
    events = AuditEvent.objects.using(using)
    while True:
        with transaction.atomic(using=using):
            AuditChainHead.objects.using(using).get_or_create(pk=1)
            heads = (
                AuditChainHead.objects.using(using)
                .select_for_update(skip_locked=not wait)
                .filter(pk=1)
            )
            head = heads.first()
            if head is None:
                return sealed
            batch = list(events.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            if not batch:
                return sealed
            seq, prev = head.last_seq, head.last_hash
            for event in batch:
                seq += 1
                event.seq, event.prev_hash = seq, prev
                event.hash = row_digest(event, seq=seq, prev_hash=prev)
                prev = event.hash
            events.bulk_update(batch, ["seq", "prev_hash", "hash"])
            head.last_seq, head.last_hash, head.sealed_at = seq, prev, timezone.now()
            head.save(using=using)
            sealed += len(batch)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    unsealed: int
    bad_id: int | None = None
    bad_seq: int | None = None
    reason: str = ""


def audit_verify(*, using: str = DEFAULT_DB_ALIAS) -> VerifyResult:
    """Recompute the chain from the first row; report the first row that does not fit.

    The head is read first and the rows after it, so rows sealed meanwhile are simply further
    links: the chain must pass through the head as read (``seq``/``hash``), not end there. A
    chain shorter than the head means rows were deleted from its end.
    """
    from django.utils.translation import gettext as _

    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    unsealed = AuditEvent.objects.using(using).filter(seq__isnull=True).count()
    head_seq = head.last_seq if head is not None else 0
    expected_seq, prev = 1, GENESIS
    checked = 0
    last_id: int | None = None
    hash_at_head, id_at_head = GENESIS, None
    rows = AuditEvent.objects.using(using).filter(seq__isnull=False).order_by("seq")
    for event in rows.iterator(2000):
        if event.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                unsealed,
                event.pk,
                expected_seq,
                _("缺少链序号 %(seq)d（被删除或重排）") % {"seq": expected_seq},
            )
        if event.prev_hash != prev:
            return VerifyResult(
                False,
                checked,
                unsealed,
                event.pk,
                event.seq,
                _("前一条哈希不符（行被删除、插入或交换）"),
            )
        if row_digest(event, seq=expected_seq, prev_hash=prev) != event.hash:
            return VerifyResult(False, checked, unsealed, event.pk, event.seq, _("内容被篡改"))
        prev = event.hash
        if expected_seq == head_seq:
            hash_at_head, id_at_head = prev, event.pk
        expected_seq += 1
        checked += 1
        last_id = event.pk
    if head is None:
        if checked:
            return VerifyResult(
                False, checked, unsealed, last_id, checked, _("链头记录缺失（链头被删除）")
            )
        return VerifyResult(True, checked, unsealed)
    if checked < head.last_seq:
        return VerifyResult(
            False,
            checked,
            unsealed,
            last_id,
            head.last_seq,
            _("链尾与链头记录不符（末尾的行被删除）"),
        )
    if hash_at_head != head.last_hash:
        return VerifyResult(
            False,
            checked,
            unsealed,
            id_at_head,
            head.last_seq,
            _("链头哈希与链上记录不符（链被整体改写）"),
        )
    return VerifyResult(True, checked, unsealed)


# --- Operations the audit log records for the layers below it --------------------------------


def data_key_rotate(
    *,
    actor: Any,
    batch_size: int = ROTATE_BATCH,
    progress: Callable[[FieldRotation], None] | None = None,
) -> KeyRotationResult:
    """Re-encrypt every field under the current data key (``encrypted_fields_rotate``) and
    record the rotation, with its counts per field, in the audit log."""
    result = encrypted_fields_rotate(batch_size=batch_size, progress=progress)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.DATA_KEY_ROTATED,
            object_type="core.data_key",
            object_id=result.key_id,
            object_repr=f"数据密钥 {result.key_id}",
            after={
                "key_id": result.key_id,
                "reencrypted": result.reencrypted,
                "rehashed": result.rehashed,
                "failed": len(result.failed),
                "fields": {
                    f.label: {
                        "checked": f.checked,
                        "reencrypted": f.reencrypted,
                        "rehashed": f.rehashed,
                        "failed": len(f.failed),
                    }
                    for f in result.fields
                },
            },
        )
    return result


def reference_values(obj: models.Model) -> dict[str, Any]:
    """The row's stored values by field name (a foreign key by its id), for before/after."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    return {f.name: f.value_from_object(obj) for f in fields}


def reference_save(*, actor: Any, obj: models.Model, adding: bool) -> models.Model:
    """Save a reference-data row edited in the admin, with an audit event holding the values
    before and after (only the fields that changed, for a change). A change that changes
    nothing writes nothing."""
    model = type(obj)
    with transaction.atomic():
        if adding:
            obj.save()
            audit_record(
                actor=actor,
                event_type=EventType.REFERENCE_ADDED,
                obj=obj,
                after=reference_values(obj),
            )
            return obj
        # Locked so that the "before" is the row this save replaces, not a concurrent one's.
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        before, after = reference_values(current), reference_values(obj)
        changed = [name for name in after if after[name] != before[name]]
        if not changed:
            return obj
        obj.save()
        audit_record(
            actor=actor,
            event_type=EventType.REFERENCE_CHANGED,
            obj=obj,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return obj


def reference_delete(*, actor: Any, obj: models.Model) -> None:
    """Delete a reference-data row from the admin, with an audit event holding its values. Rows
    the database deletes with it (``on_delete=CASCADE``) are counted in the event."""
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
        if current is None:
            return
        label, pk, name = current._meta.label_lower, str(current.pk), str(current)[:200]
        before = reference_values(current)
        _total, per_model = current.delete()
        also = {k.lower(): n for k, n in per_model.items() if k.lower() != label and n}
        audit_record(
            actor=actor,
            event_type=EventType.REFERENCE_DELETED,
            object_type=label,
            object_id=pk,
            object_repr=name,
            before=before,
            after={"cascade_deleted": also} if also else None,
        )
