"""期限重算 — when the holiday calendar changes (a year's schedule imported, a day set in
节假日调整), every open deadline that runs over a changed day is counted again from its start
(``deadlines.due_at_of``). A deadline that moves gets a timeline note on its case and an audit
event; reminders and 督办 already issued stay issued and are never issued again
(``deadlines.next_check_of``). Runs in the task queue (``tasks.recompute_deadlines``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import AuditEntry, audit_record_entries
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueStatus, TimelineAction
from fengqiao.disputes.hooks import due_moved
from fengqiao.disputes.models import DueItem
from fengqiao.disputes.services.transitions import record_event

BATCH = 500


@dataclass
class RecomputeResult:
    examined: int = 0
    moved: int = 0


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def deadlines_recompute(*, first: date, last: date, reason: str) -> RecomputeResult:
    """Count again the open deadlines that started before the end of ``last`` and end on or
    after ``first`` (those that can run over a changed day), a batch per transaction."""
    result = RecomputeResult()
    touching = DueItem.objects.filter(
        status=DueStatus.OPEN,
        started_at__isnull=False,
        started_at__lt=_local_start(last + timedelta(days=1)),
        due_at__gte=_local_start(first),
    )
    after = 0
    while True:
        with transaction.atomic():
            # Row locks: a sweep or a resumption running meanwhile waits for this batch.
            items = list(
                touching.filter(pk__gt=after)
                .select_for_update(of=("self",))
                .select_related("case")
                .order_by("pk")[:BATCH]
            )
            if not items:
                return result
            after = items[-1].pk
            _recompute_batch(items, reason, result)


def _recompute_batch(items: list[DueItem], reason: str, result: RecomputeResult) -> None:
    now = timezone.now()
    audited: list[AuditEntry] = []
    moved: list[DueItem] = []
    for item in items:
        result.examined += 1
        due_at = deadlines.due_at_of(item)
        if due_at is None or due_at == item.due_at:
            continue
        before = item.due_at
        item.due_at = due_at
        item.next_check_at = deadlines.next_check_of(item, now)
        item.save(update_fields=["due_at", "next_check_at"])
        result.moved += 1
        moved.append(item)
        data = {
            "due_item": item.pk,
            "kind": item.kind,
            "from": before.isoformat(),
            "to": due_at.isoformat(),
            "reason": reason,
        }
        record_event(
            item.case,
            actor=None,
            action=TimelineAction.DEADLINE_RECOMPUTED,
            from_status=item.case.status,
            to_status=item.case.status,
            note=_("%(reason)s：%(kind)s由 %(before)s 调整为 %(after)s。")
            % {
                "reason": reason,
                "kind": item.get_kind_display(),
                "before": _when(before),
                "after": _when(due_at),
            },
            data=data,
            org=item.org,
        )
        audited.append(AuditEntry(EventType.DEADLINE_RECOMPUTED, item, data))
    audit_record_entries(audited)
    # A deadline an app above owns (a court's confirmation limits) is shown from its own
    # record too: the owner follows in the same transaction.
    due_moved(moved)
