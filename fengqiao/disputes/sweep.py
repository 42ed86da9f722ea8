"""The deadline sweep: reminders (催办) before a deadline, 督办 orders once it has passed, and
for a feedback limit (反馈时限) a report to the dispatching platform of why the case is not done.
A category clock (clocks.py) ends its own way: a medical mediation period that passes is deemed
failed (视为调解不成) instead of supervised, and a labour dispute's 15 days tell the mediator that
the parties may now apply for arbitration.

It reads only open items whose ``next_check_at`` has come, through a partial index, so its cost
grows with what is due, not with what is open. Each batch runs in one transaction with the
items row-locked (``skip_locked``: two sweeps never take the same item), and every step is
guarded by the item's own ``reminded_at``/``supervised_at``: a sweep that runs twice, or is
killed halfway (its transaction rolls back), issues each reminder and 督办 exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import AuditEntry, audit_record_entries
from fengqiao.core.bulk import insert_rows
from fengqiao.disputes import clocks
from fengqiao.disputes.choices import CaseStatus, DueKind, DueStatus, TimelineAction
from fengqiao.disputes.hooks import (
    Addressee,
    case_recorded,
    due_addressees,
    return_to_court,
    sessions_held,
)
from fengqiao.disputes.models import Case, DispatchOrder, DueItem, SupervisionOrder, TimelineEvent
from fengqiao.disputes.policy import upper_platforms
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import Message, notify_rows, users_by_org
from fengqiao.orgs.models import Organization

# A 委派 period that ran out is handed to the court after its batch commits (the return locks
# the case row, which a transition takes before its due items: doing it under the items' locks
# could deadlock). Until the return closes the item it is looked at again after this long, so
# a worker killed between the two still returns the case.
RETURN_RETRY = timedelta(minutes=15)
# Items per transaction. At 10 million cases a batch of 2,000 takes ~0.7 s, the longest a
# transition of one of its cases waits on the items' row locks; 100,000 due items took 34 s in
# batches of 2,000 against 39–43 s in batches of 500 (bench/profile_sweep.py).
BATCH = 2000
SWEPT_FIELDS = (
    *(f.name for f in DueItem._meta.concrete_fields),
    "case__number",
    "case__title",
    "case__status",
    "case__platform_id",
    "org__name",
    "org__region__path",
)


def _(message: str) -> str:
    """``gettext``, remembered per language: a sweep of 100,000 items would otherwise translate
    the same dozen strings for each of them (a fifth of its time, in the profile)."""
    return _translated(get_language(), message)


@lru_cache(maxsize=256)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


@lru_cache(maxsize=64)
def _label(language: str | None, choices: type[models.TextChoices], value: str) -> str:
    """The display name of a choice (``get_FOO_display`` re-hashes every choice per call)."""
    return str(choices(value).label)


def _kind(item: DueItem) -> str:
    return _label(get_language(), DueKind, item.kind)


@dataclass
class SweepResult:
    examined: int = 0
    reminded: int = 0
    supervised: int = 0
    reported: int = 0
    returned: int = 0


@dataclass
class _Batch:
    """The writes of one batch of due items, made together when the batch ends: one INSERT per
    table (timeline, 督办 orders, notifications, audit) and one UPDATE of the items, instead
    of a round of queries per item. The rows are tuples, not model instances (``insert_rows``:
    building and preparing instances was most of a large sweep's CPU). The users of every org
    involved are read in one query."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    supervisions: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    users: dict[int, list[User]] = field(default_factory=dict)
    uppers: dict[int, Organization | None] = field(default_factory=dict)
    # Items an app above owns (a court's confirmation limits): who is told, and the link.
    owned: dict[int, Addressee] = field(default_factory=dict)

    def prepare(self, items: list[DueItem], known: _Batch | None = None) -> None:
        """Read the upper platforms and users of the batch's orgs, taking what ``known`` (the
        sweep's earlier batches) already read."""
        if known is not None:
            self.uppers, self.users = known.uppers, known.users
        self.owned = due_addressees(items)
        # The owner answers for its items: their orgs' platforms and users are not needed.
        items = [item for item in items if item.pk not in self.owned]
        orgs = {item.org_id: item.org for item in items if item.org_id not in self.uppers}
        self.uppers.update(upper_platforms(orgs.values()))
        org_ids = {item.org_id for item in items} | {item.case.platform_id for item in items}
        org_ids |= {u.pk for pk in org_ids & set(self.uppers) if (u := self.uppers[pk])}
        self.read_users(org_ids)

    def read_users(self, org_ids: Iterable[int]) -> None:
        """Read, in one query, the users of those of ``org_ids`` not read yet."""
        missing = set(org_ids) - set(self.users)
        if missing:
            self.users.update(users_by_org(missing))

    def org_users(self, org: Organization | None) -> list[User]:
        if org is None:
            return []
        if org.pk not in self.users:
            self.users.update(users_by_org([org.pk]))
        return self.users[org.pk]

    def event(self, item: DueItem, action: str, note: str, data: dict[str, Any]) -> None:
        """A system event on the timeline of the item's case, in the case's status."""
        status = item.case.status
        self.events.append(
            (item.case_id, _("系统"), action, item.org_id, status, status, note, data)
        )

    def write(self) -> None:
        insert_rows(TimelineEvent, TIMELINE_COLUMNS, self.events)
        case_recorded({row[0] for row in self.events})
        insert_rows(SupervisionOrder, SUPERVISION_COLUMNS, self.supervisions)
        notify_rows(self.messages)
        audit_record_entries(self.audits)


TIMELINE_COLUMNS = (
    "case_id",
    "actor_name",
    "action",
    "org_id",
    "from_status",
    "to_status",
    "note",
    "data",
)
SUPERVISION_COLUMNS = ("case_id", "due_item_id", "org_id", "upper_org_id", "issued_at", "reason")


def _remind(item: DueItem, now: datetime, batch: _Batch) -> None:
    case = item.case
    item.reminded_at = now
    note = _("%(kind)s将于%(due)s到期") % {
        "kind": _kind(item),
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    batch.event(item, TimelineAction.REMIND, note, {"due_item": item.pk})
    owned = batch.owned.get(item.pk)
    batch.messages.append(
        Message(
            recipients=owned.recipients if owned else batch.org_users(item.org),
            kind=NotificationKind.REMINDER,
            title=_("催办：%(n)s %(k)s将于%(d)s到期")
            % {
                "n": case.number,
                "k": _kind(item),
                "d": timezone.localtime(item.due_at).strftime("%m-%d %H:%M"),
            },
            url=owned.url if owned else f"/cases/{case.pk}/",
            case=case,
        )
    )
    batch.audits.append(
        AuditEntry(EventType.CASE_REMINDED, case, {"due_item": item.pk, "kind": item.kind})
    )


def dispatching_platforms(case: Case) -> list[Organization]:
    """The platforms that sent ``case`` down, in the order they did: those that issued its 交办单
    and those that escalated it to the platform above (a township whose case the county took).
    A case handed back by a village committee to its own platform adds none."""
    return dispatching_platforms_of([case.pk])[case.pk]


def dispatching_platforms_of(case_ids: Iterable[int]) -> dict[int, list[Organization]]:
    """``dispatching_platforms`` of many cases in three queries (case id → its platforms)."""
    case_ids = list(case_ids)
    sent: dict[int, list[int]] = {pk: [] for pk in case_ids}
    orders = (
        DispatchOrder.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "dispatched_at", "pk")
        .values_list("case_id", "from_org_id")
    )
    for case_id, org_id in orders:
        sent[case_id].append(org_id)
    escalations = (
        TimelineEvent.objects.filter(case_id__in=case_ids, action=TimelineAction.ESCALATE)
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "data__from_platform")
    )
    for case_id, org_id in escalations:
        if org_id:
            sent[case_id].append(org_id)
    orgs = Organization.objects.in_bulk({pk for ids in sent.values() for pk in ids})
    return {
        case_id: [orgs[pk] for pk in dict.fromkeys(ids) if pk in orgs]
        for case_id, ids in sent.items()
    }


@dataclass
class _Progress:
    """Where the cases of a batch's passed feedback limits stand, read together: the platforms
    that sent each down, the sessions held, the open mediation deadline and whether the
    parties agreed to extend it — six queries per batch, whatever its size."""

    platforms: dict[int, list[Organization]]
    sessions: dict[int, int]
    mediation_due: dict[int, datetime]
    extended: set[int]

    @classmethod
    def of(cls, items: list[DueItem]) -> _Progress:
        ids = list({item.case_id for item in items})
        if not ids:
            return cls({}, {}, {}, set())
        sessions = sessions_held(ids)
        mediation_due: dict[int, datetime] = {}
        open_mediation = (
            DueItem.objects.filter(case_id__in=ids, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
            .order_by("case_id", "due_at")
            .values_list("case_id", "due_at")
        )
        for case_id, due_at in open_mediation:
            mediation_due.setdefault(case_id, due_at)
        extended = set(
            TimelineEvent.objects.filter(case_id__in=ids, action=TimelineAction.EXTEND)
            .values_list("case_id", flat=True)
            .distinct()
        )
        return cls(dispatching_platforms_of(ids), sessions, mediation_due, extended)

    def why_not_done(self, item: DueItem) -> str:
        """What the dispatching platform is told when the feedback limit passes: where the case
        stands (state, handling org, sessions held, the mediation deadline)."""
        case = item.case
        parts = [
            _("当前状态“%(s)s”") % {"s": _label(get_language(), CaseStatus, case.status)},
            _("承办单位%(o)s") % {"o": item.org.name},
        ]
        held = self.sessions.get(case.pk, 0)
        parts.append(_("已调解%(n)d次") % {"n": held} if held else _("尚未开展调解"))
        due = self.mediation_due.get(case.pk)
        if due is not None:
            parts.append(
                (
                    _("调解期限经双方同意延长至%(d)s")
                    if case.pk in self.extended
                    else _("调解期限至%(d)s")
                )
                % {"d": timezone.localtime(due).strftime("%Y-%m-%d")}
            )
        return "，".join(str(p) for p in parts)


def _report_not_done(item: DueItem, now: datetime, batch: _Batch, progress: _Progress) -> None:
    """反馈时限届满未办结 — the dispatching platforms are told why not (seed 004 §26: 在规定时限内
    未办结的，及时报告); the item stays open: the result is still owed."""
    case = item.case
    item.reported_at = now
    platforms = progress.platforms[case.pk]
    reason = _("反馈时限已于%(due)s届满，案件尚未办结：%(why)s。") % {
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
        "why": progress.why_not_done(item),
    }
    platform_ids = [p.pk for p in platforms]
    batch.event(
        item,
        TimelineAction.REPORT_OVERDUE,
        reason,
        {"due_item": item.pk, "platforms": platform_ids},
    )
    batch.messages.append(
        Message(
            recipients=[u for p in platforms for u in batch.org_users(p)],
            kind=NotificationKind.OVERDUE,
            title=_("逾期未办结报告：%(n)s（%(o)s）") % {"n": case.number, "o": item.org.name},
            body=reason,
            url=f"/cases/{case.pk}/",
            case=case,
        )
    )
    batch.audits.append(
        AuditEntry(
            EventType.CASE_REPORTED,
            case,
            {"due_item": item.pk, "platforms": platform_ids, "done": False},
        )
    )


def _supervise(item: DueItem, now: datetime, batch: _Batch) -> None:
    if item.pk in batch.owned:
        _supervise_owned(item, now, batch, batch.owned[item.pk])
        return
    case = item.case
    item.supervised_at = now
    # 督办 goes to the org that missed the deadline and is visible to the platform one level
    # above it (DESIGN §2); the platform that dispatched the case is told as well.
    upper = batch.uppers.get(item.org_id)
    reason = _("%(kind)s已于%(due)s届满未办结") % {
        "kind": _kind(item),
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    batch.supervisions.append(
        (item.case_id, item.pk, item.org_id, getattr(upper, "pk", None), now, reason)
    )
    batch.event(item, TimelineAction.SUPERVISE, reason, {"due_item": item.pk})
    recipients = batch.org_users(item.org) + batch.org_users(upper)
    if case.platform_id not in (item.org_id, getattr(upper, "pk", None)):
        recipients += batch.users.get(case.platform_id, [])
    batch.messages.append(
        Message(
            recipients=recipients,
            kind=NotificationKind.SUPERVISION,
            title=_("督办：%(n)s %(r)s") % {"n": case.number, "r": reason},
            url=f"/cases/{case.pk}/",
            case=case,
        )
    )
    batch.audits.append(
        AuditEntry(
            EventType.CASE_SUPERVISED,
            case,
            {"due_item": item.pk, "kind": item.kind, "org": item.org_id},
        )
    )


def _supervise_owned(item: DueItem, now: datetime, batch: _Batch, owned: Addressee) -> None:
    """督办 of a deadline an app above owns: its addressees are told (the judges of the court
    for a confirmation), on the timeline and in the audit log like any 督办, but no 督办单 is
    issued — no platform holds a court to its time limits."""
    case = item.case
    item.supervised_at = now
    reason = _("%(kind)s已于%(due)s届满未办结") % {
        "kind": _kind(item),
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    batch.event(item, TimelineAction.SUPERVISE, reason, {"due_item": item.pk})
    batch.messages.append(
        Message(
            recipients=owned.recipients,
            kind=NotificationKind.SUPERVISION,
            title=_("督办：%(n)s %(r)s") % {"n": case.number, "r": reason},
            url=owned.url,
            case=case,
        )
    )
    batch.audits.append(
        AuditEntry(
            EventType.CASE_SUPERVISED,
            case,
            {"due_item": item.pk, "kind": item.kind, "org": item.org_id},
        )
    )


def _expiry(item: DueItem) -> str:
    """What the item's clock does when it runs out (clocks.py); 督办 for all others."""
    clock = clocks.clock_of(item.clock) if item.clock else None
    return clock.on_expiry if clock is not None else clocks.SUPERVISE


def _tell_expiry(item: DueItem, now: datetime, batch: _Batch) -> None:
    """A category clock has run out: the handling org (its mediators) and the case's platform
    are told what follows by law, on the timeline and in a message; recorded once
    (``reported_at``)."""
    case = item.case
    item.reported_at = now
    expiry = _expiry(item)
    if expiry == clocks.DEEMED_FAILED:
        action = TimelineAction.DEEMED_FAILED
        note = _(
            "调解期限已于%(due)s届满，未达成调解协议，视为调解不成（医疗纠纷预防和处理条例"
            "第三十八条）。请记录无争议事实，以“调解不成”办结，并告知当事人可以通过其他途径解决。"
        )
        title = _("视为调解不成：%(n)s")
    else:
        action = TimelineAction.ARBITRATION_OPEN
        note = _(
            "自受理之日起已满15日（%(due)s）未达成调解协议，当事人可以依法申请劳动争议仲裁"
            "（劳动争议调解仲裁法第十四条）。请当日告知各方当事人；双方愿意的，可以继续调解。"
        )
        title = _("可申请仲裁：%(n)s")
    note = note % {"due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")}
    batch.event(item, action, note, {"due_item": item.pk, "clock": item.clock})
    recipients = batch.org_users(item.org)
    if case.platform_id != item.org_id:
        if case.platform_id not in batch.users:
            batch.users.update(users_by_org([case.platform_id]))
        recipients += batch.users.get(case.platform_id, [])
    batch.messages.append(
        Message(
            recipients=recipients,
            kind=NotificationKind.INFO,
            title=title % {"n": case.number},
            body=note,
            url=f"/cases/{case.pk}/",
            case=case,
        )
    )
    batch.audits.append(
        AuditEntry(
            EventType.CASE_REPORTED,
            case,
            {"due_item": item.pk, "clock": item.clock, "expiry": expiry},
        )
    )


def _mark(items: list[DueItem], now: datetime, returning: list[int]) -> None:
    """Save what the sweep did to the items: three UPDATEs, one per outcome (a bulk_update
    would send a CASE per row and column). COALESCE keeps a mark already set: each step
    happens once."""
    before, feedback, overdue = [], [], []
    for item in items:
        if item.pk in returning:
            continue
        if now < item.due_at:
            before.append(item.pk)
        elif item.kind == DueKind.FEEDBACK or _expiry(item) != clocks.SUPERVISE:
            feedback.append(item.pk)
        else:
            overdue.append(item.pk)
    at = Value(now, output_field=models.DateTimeField())
    if before:
        DueItem.objects.filter(pk__in=before).update(
            reminded_at=Coalesce("reminded_at", at), next_check_at=F("due_at")
        )
    if feedback:
        DueItem.objects.filter(pk__in=feedback).update(
            reported_at=Coalesce("reported_at", at), next_check_at=None
        )
    if overdue:
        DueItem.objects.filter(pk__in=overdue).update(
            supervised_at=Coalesce("supervised_at", at), next_check_at=None
        )
    if returning:
        DueItem.objects.filter(pk__in=returning).update(next_check_at=now + RETURN_RETRY)


def sweep_due_items(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    # Orgs' upper platforms and users, read once per sweep however many batches need them.
    known: _Batch | None = None
    # Each batch starts where the last one ended (keyset): the items already handled moved
    # their next check on, but until vacuum their old index entries are still there, and a
    # scan from the start would step over all of them again in every batch.
    since: datetime | None = None
    while True:
        with transaction.atomic():
            due = DueItem.objects.filter(
                status=DueStatus.OPEN,
                next_check_at__isnull=False,
                next_check_at__lte=now,
                # A suspended case's clock is stopped (its items also lose next_check_at).
                paused_at__isnull=True,
            )
            if since is not None:
                due = due.filter(next_check_at__gte=since)
            items = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "org__region")
                # Only what the messages need: a case row is wide (parties' summary, facts).
                .only(*SWEPT_FIELDS)
                .order_by("next_check_at", "pk")[:batch]
            )
            if not items:
                return result
            since = items[-1].next_check_at
            writes = _Batch()
            writes.prepare(items, known)
            known = writes
            progress = _Progress.of(
                [
                    item
                    for item in items
                    if item.kind == DueKind.FEEDBACK
                    and item.reported_at is None
                    and now >= item.due_at
                ]
            )
            writes.read_users(p.pk for ps in progress.platforms.values() for p in ps)
            returning: list[int] = []
            for item in items:
                result.examined += 1
                if now < item.due_at:
                    if item.reminded_at is None:
                        _remind(item, now, writes)
                        result.reminded += 1
                    item.next_check_at = item.due_at
                elif item.kind == DueKind.FEEDBACK:
                    if item.reported_at is None:
                        _report_not_done(item, now, writes, progress)
                        result.reported += 1
                    item.next_check_at = None
                elif _expiry(item) == clocks.RETURN_TO_COURT:
                    returning.append(item.pk)
                    item.next_check_at = now + RETURN_RETRY
                elif _expiry(item) != clocks.SUPERVISE:
                    if item.reported_at is None:
                        _tell_expiry(item, now, writes)
                        result.reported += 1
                    item.next_check_at = None
                else:
                    if item.supervised_at is None:
                        _supervise(item, now, writes)
                        result.supervised += 1
                    item.next_check_at = None
            writes.write()
            _mark(items, now, returning)
            to_court = [item.case_id for item in items if item.pk in returning]
        if to_court:
            result.returned += return_to_court(to_court, now)
