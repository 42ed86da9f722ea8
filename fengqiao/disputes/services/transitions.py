"""The machinery of every write to a case. Each write runs in one transaction, locks the case
row, applies the workflow table, and writes a timeline event and an audit event in that transaction.

Who may act is decided on the locked row, by the side the actor stands on: the platform that
holds the case (研判, 交办, 不予受理, 上报), the org that handles it (调解 and its outcomes), or
the receiving org of a 交办单 (受理, 退回). A user who can see the case but is on no side gets
``PermissionDenied``; an action the workflow table does not allow in the current state gets
``TransitionNotAllowed`` first, whoever asks.

Locks are always taken case row first, then its orders and due items, so two services never
wait on each other in opposite order.

A form carries the case ``version`` it was rendered at. A request that arrives after the case
moved on is refused with ``StaleCase``, which names every change since and who made it; the
same request arriving twice (a double click, the same form from two tabs) finds its own event
and is answered ``AlreadyDone``. Either way nothing is saved, and a page never says "saved".

This module holds that machinery (the sides and ``case_may``, ``lock_case``, ``record_event``,
``transition``), the report back to dispatching platforms and the due items; the actions
themselves live in ``intake``, ``dispatch``, ``handling`` and ``outcomes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.bulk import quoted_column, quoted_table
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    OUTLIVES_CASE,
    CaseAction,
    CaseStatus,
    DispatchStatus,
    DueStatus,
    RiskGrade,
    TimelineAction,
)
from fengqiao.disputes.clocks import Clock
from fengqiao.disputes.hooks import after_transition, case_recorded
from fengqiao.disputes.models import (
    ArchiveCounter,
    Case,
    CaseCounter,
    DispatchOrder,
    DueItem,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.policy import (
    ACTION_SIDES,
    HANDLER,
    PLATFORM,
    on_side,
)
from fengqiao.disputes.services.errors import AlreadyDone, StaleCase
from fengqiao.disputes.services.parties import tell_after_transition
from fengqiao.disputes.sweep import dispatching_platforms
from fengqiao.disputes.timeline import action_label, is_action
from fengqiao.disputes.workflow import next_status
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, org_users
from fengqiao.orgs.models import Organization

# --- Helpers ------------------------------------------------------------------------------------


def case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def lock_case(actor: Any, case_id: int) -> Case:
    """The case row, locked, if ``actor`` can see it at all (else ``PermissionDenied``, which
    says nothing about whether it exists)."""
    return _case_for(actor, case_id, lock=True)


def read_case(actor: Any, case_id: int) -> Case:
    """The case as ``lock_case`` gives it, without the lock: for work done before the lock is
    taken (rendering a document), checked again under it."""
    return _case_for(actor, case_id, lock=False)


def _case_for(actor: Any, case_id: int, *, lock: bool) -> Case:
    # With the orgs the side checks, the agreement's level and the report back read (only the
    # case row is locked).
    rows = Case.objects.select_for_update(of=("self",)) if lock else Case.objects.all()
    case = rows.select_related("platform", "handling_org__region").filter(pk=case_id).first()
    # The sides first, the handling org's before the platforms' (which walk up the platform
    # tree): they are read from the actor's grants already loaded, while the view scope asks
    # the database about the org's dispatch orders (Case.scope_member_q).
    if case is None or not (
        any(on_side(actor, case, side) for side in (HANDLER, PLATFORM))
        or restrict(Case.objects.filter(pk=case_id), actor, VIEW_CASE).exists()
    ):
        raise PermissionDenied(_("您无权办理该案件。"))
    return case


def authorize(actor: Any, case: Case, sides: Iterable[str]) -> None:
    if not any(on_side(actor, case, side) for side in sides):
        raise PermissionDenied(_("您无权办理该案件。"))


def acting_org_id(actor: Any, case: Case) -> int | None:
    """The org ``actor`` acts for on ``case``, which its timeline names beside them: the
    handling org, the platform or the sending court or station, if they hold a grant there,
    else their only org (a grid worker's committee, the county 综治中心 over a township's
    case). From the loaded grants: no query."""
    orgs = grant_org_ids(actor)
    for org_id in (case.handling_org_id, case.platform_id, case.source_org_id):
        if org_id in orgs:
            return org_id
    return next(iter(orgs)) if len(orgs) == 1 else None


def record_event(
    case: Case,
    *,
    actor: Any,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
) -> TimelineEvent:
    if not is_action(action):
        # A misspelt action would show as a bare code on every timeline; fail where it is written.
        raise ValueError(f"Unknown timeline action {action!r}")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    case_recorded([case.pk])
    return TimelineEvent.objects.create(
        case=case,
        actor=actor if is_user else None,
        actor_name=getattr(actor, "display_name", "") if is_user else _("系统"),
        org_id=org.pk if org is not None else (acting_org_id(actor, case) if is_user else None),
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _as_stored(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _stale(
    case: Case, actor: Any, action: str, version: int, note: str | None, data: dict[str, Any]
) -> StaleCase:
    """What to answer a request made from ``version`` of a case that has moved on.

    The transition that left ``version`` (each version is left by exactly one, ``from_version``,
    whatever else was written after it) was this actor's same request: ``AlreadyDone`` (a
    double click, or the same form sent from two tabs). Anything else: ``StaleCase`` naming
    every transition since, who made it and when — nothing is saved either way.
    """
    events = list(
        case.timeline.filter(data__from_version__gte=version)
        .exclude(from_status="")
        .order_by("at", "id")
    )
    first = next((e for e in events if e.data.get("from_version") == version), None)
    same_actor = first is not None and first.actor_id == getattr(actor, "pk", None)
    when = timezone.localtime(first.at).strftime("%m-%d %H:%M") if first is not None else ""
    if (
        first is not None
        and same_actor
        and first.action == action
        and (note is None or first.note == note)
        and all(first.data.get(k) == _as_stored(v) for k, v in data.items())
    ):
        return AlreadyDone(case, action_label(first.action), when)
    return StaleCase(case, _changes(events), by_self=same_actor and len(events) == 1)


def _at(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _changes(events: Iterable[TimelineEvent]) -> list[str]:
    """Each event as who, when and what (for a stale request's message)."""
    return [
        " ".join((e.actor_name or _("系统"), _at(e.at), action_label(e.action) + _change_detail(e)))
        for e in events
    ]


def order_answered(
    case: Case, order: DispatchOrder, actor: Any, action: str, *, reason: str | None = None
) -> StaleCase:
    """What to answer a 受理 or 退回 (``action``) on a 交办单 that no longer waits for one: the
    actor's same answer again (a double click, a second tab) is ``AlreadyDone``; anything else
    is ``StaleCase`` naming who answered it and when, or what closed it. Nothing is saved."""
    answers: dict[str, str] = {
        CaseAction.ACCEPT: DispatchStatus.ACCEPTED,
        CaseAction.RETURN: DispatchStatus.RETURNED,
    }
    by_self = order.responded_by_id is not None and order.responded_by_id == getattr(
        actor, "pk", None
    )
    same_reason = reason is None or order.return_reason == reason.strip()
    if by_self and order.status == answers[action] and same_reason and order.responded_at:
        return AlreadyDone(case, action_label(action), _at(order.responded_at))
    if order.status in answers.values() and order.responded_at is not None:
        answered = (
            CaseAction.ACCEPT if order.status == DispatchStatus.ACCEPTED else CaseAction.RETURN
        )
        reason_shown = f"（{order.return_reason}）" if order.return_reason else ""
        what = action_label(answered) + reason_shown
        who = getattr(order.responded_by, "display_name", "") or _("系统")
        changes = [f"{who} {_at(order.responded_at)} {order.to_org.name}{what}"]
    else:
        # Cancelled or settled with the case: by the last move of the case (撤回, 上报, 办结…).
        closed = _("%(org)s的交办单%(status)s") % {
            "org": order.to_org.name,
            "status": order.get_status_display(),
        }
        last = case.timeline.exclude(from_status=F("to_status")).order_by("-at", "-id")[:1]
        changes = [closed, *_changes(last)]
    return StaleCase(case, changes, by_self=by_self)


def check_version(
    case: Case,
    actor: Any,
    action: str,
    version: int | None,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Refuse a request made from an older ``version`` of the locked case: ``AlreadyDone`` for
    the same request again, ``StaleCase`` (what changed, by whom) for anything else. ``note``
    and ``data`` are what the request would write on its timeline event (``note=None``: the
    note is not compared)."""
    if version is not None and case.version != version:
        raise _stale(case, actor, action, version, note, data or {})


def bump_version(case: Case) -> int:
    """A write to a case that is no transition (延期, 回访, 更正回访) moves its version too, so a
    form rendered before it is stale and the same form sent twice is recognised. Returns the
    version it left, for the event's ``from_version``."""
    case.version += 1
    case.save(update_fields=["version"])
    return case.version - 1


def _change_detail(event: TimelineEvent) -> str:
    parts = []
    if event.data.get("grade"):
        parts.append(_("风险等级：%(g)s") % {"g": RiskGrade(event.data["grade"]).label})
    if event.to_status and event.to_status != event.from_status:
        parts.append(_("状态：%(s)s") % {"s": CaseStatus(event.to_status).label})
    if event.note:
        parts.append(event.note[:60])
    return "（" + "，".join(str(p) for p in parts) + "）" if parts else ""


def apply_transition(
    case: Case,
    *,
    actor: Any,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
    apply: Callable[[Case], None] | None = None,
) -> Case:
    """Apply one workflow action to a case the caller has locked and authorized."""
    before = case.status
    after = next_status(before, action)
    if apply is not None:
        apply(case)
    case.status = after
    # The row is locked (``lock_case``) and its version was read with the lock: no one else
    # can have moved it on, so the new version is known without reading it back.
    case.version += 1
    if after not in OPEN_STATUSES and after != CaseStatus.ARCHIVED and case.closed_at is None:
        case.closed_at = timezone.now()
    case.save()
    record_event(
        case,
        actor=actor,
        action=action,
        from_status=before,
        to_status=after,
        note=note,
        data={"from_version": case.version - 1, **(data or {})},
        org=org,
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_TRANSITION,
        obj=case,
        before={"status": before},
        after={"status": after, "action": action, **(data or {})},
    )
    if after not in OPEN_STATUSES:
        # A closed case leaves no order waiting in an org's inbox and no clock running; the
        # orders its orgs accepted are settled (已办结), not left 已受理.
        end_orders(case, statuses=[DispatchStatus.PENDING])
        DispatchOrder.objects.filter(case=case, status=DispatchStatus.ACCEPTED).update(
            status=DispatchStatus.DONE
        )
        close_due_items(
            case, status=DueStatus.CANCELLED if after == CaseStatus.WITHDRAWN else DueStatus.DONE
        )
    if after in CLOSED_OUTCOMES:
        report_back(case, actor=actor, outcome=after, note=note)
    # The apps above that follow a case (a court's referral) update in the same transaction.
    after_transition(case, action, actor)
    # The parties hear of it by SMS: the outbox row commits with the step (告知当事人).
    tell_after_transition(case, action, data or {})
    return case


# The outcomes a dispatched case reports back to its dispatching platforms (archiving is not one).
CLOSED_OUTCOMES = (
    CaseStatus.RESOLVED,
    CaseStatus.FAILED,
    CaseStatus.REFERRED_OUT,
    CaseStatus.WITHDRAWN,
)


def _outcome_record(case: Case, name: str) -> Any:
    """The case's 协议 / 调解不成 / 转出 record (a reverse one-to-one): the one this transition
    wrote is already cached on the case, so it is not read again."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _outcome_summary(case: Case, outcome: str, note: str) -> str:
    """The result as the dispatching platform reads it."""
    if outcome == CaseStatus.RESOLVED:
        agreement = _outcome_record(case, "agreement")
        if agreement is not None:
            return _("调解成功，达成%(kind)s：%(terms)s") % {
                "kind": agreement.get_kind_display(),
                "terms": agreement.terms,
            }
    if outcome == CaseStatus.FAILED:
        failure = _outcome_record(case, "failure")
        if failure is not None:
            return _("调解不成。无争议事实记载：%(f)s") % {"f": failure.undisputed_facts}
    if outcome == CaseStatus.REFERRED_OUT:
        referral = _outcome_record(case, "referral")
        if referral is not None and referral.action == CaseAction.REJECT:
            return _("不予受理（%(why)s），告知/移送：%(r)s") % {
                "why": referral.note,
                "r": referral.receiver or "—",
            }
        if referral is not None:
            return _("已转出（%(t)s），接收单位：%(r)s") % {
                "t": referral.get_target_display(),
                "r": referral.receiver,
            }
    if outcome == CaseStatus.WITHDRAWN:
        return _("已撤回：%(why)s") % {"why": note}
    return str(CaseStatus(outcome).label)


def report_back(case: Case, *, actor: Any, outcome: str, note: str) -> None:
    """办结反馈 — every platform that sent the case down hears its outcome (DESIGN §3; seed 004
    §26: 对上级平台交办的矛盾纠纷……办结的，及时反馈), and the timeline records that it did. A
    platform the actor acts for closed the case itself and is not told."""
    own = grant_org_ids(actor) if isinstance(actor, User) else frozenset()
    platforms = [p for p in dispatching_platforms(case) if p.pk not in own]
    if not platforms:
        return
    summary = _outcome_summary(case, outcome, note)
    names = "、".join(p.name for p in platforms)
    record_event(
        case,
        actor=actor,
        action=TimelineAction.REPORT_BACK,
        from_status=outcome,
        to_status=outcome,
        org=case.handling_org,
        note=_("已向%(p)s反馈办理结果：%(s)s") % {"p": names, "s": summary},
        data={"platforms": [p.pk for p in platforms], "outcome": outcome},
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_REPORTED,
        obj=case,
        after={"platforms": [p.pk for p in platforms], "outcome": outcome, "done": True},
    )
    by = case.handling_org.name if case.handling_org is not None else case.platform.name
    notify(
        recipients=[u for p in platforms for u in org_users(p)],
        kind=NotificationKind.RESULT,
        title=_("办理结果：%(n)s %(o)s（%(by)s）")
        % {"n": case.number, "o": CaseStatus(outcome).label, "by": by},
        body=summary[:2000],
        url=case_url(case),
        case=case,
    )


def transition(
    *,
    actor: Any,
    case_id: int,
    action: str,
    perm: str = "",
    version: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
    apply: Callable[[Case], None] | None = None,
) -> Case:
    """Lock, check the version, the table and the actor's side, then apply one action.

    ``perm`` is kept for callers of the old signature; the side table decides.
    """
    with transaction.atomic():
        case = lock_case(actor, case_id)
        check_version(case, actor, action, version, note=note, data=data)
        next_status(case.status, action)  # the table first: a clear message for everyone
        authorize(actor, case, ACTION_SIDES[action])
        return apply_transition(
            case, actor=actor, action=action, note=note, data=data, org=org, apply=apply
        )


def finish_due(items: QuerySet[DueItem], status: str) -> None:
    """Stop the clocks of open ``items`` (done or cancelled); a 督办 issued on one of them is
    closed with it, so the upper platform sees it settled."""
    ids = list(items.filter(status=DueStatus.OPEN).values_list("pk", flat=True))
    if not ids:
        return
    DueItem.objects.filter(pk__in=ids).update(status=status, next_check_at=None)
    SupervisionOrder.objects.filter(due_item_id__in=ids, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def close_due_items(
    case: Case, kinds: Iterable[str] | None = None, *, status: str = DueStatus.DONE
) -> None:
    """Stop the case's clocks (of ``kinds``; by default every clock of the case itself, not the
    deadlines that outlive it — a court's review of its agreement runs on after it closes)."""
    qs = DueItem.objects.filter(case=case)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    else:
        qs = qs.exclude(kind__in=list(OUTLIVES_CASE))
    finish_due(qs, status)


LIVE_ORDER = [DispatchStatus.PENDING, DispatchStatus.ACCEPTED]


def end_orders(
    case: Case, *, statuses: Sequence[str] = tuple(LIVE_ORDER), exclude: int | None = None
) -> None:
    """Cancel the case's orders in ``statuses`` and stop their acceptance clocks. Used when the
    case goes back to a platform (return, escalation: the old team is released, so it can
    neither lead nor join the next dispatch) and when the case closes (pending orders only)."""
    orders = DispatchOrder.objects.filter(case=case, status__in=list(statuses))
    if exclude is not None:
        orders = orders.exclude(pk=exclude)
    ids = list(orders.values_list("pk", flat=True))
    if not ids:
        return
    DispatchOrder.objects.filter(pk__in=ids).update(status=DispatchStatus.CANCELLED)
    finish_due(DueItem.objects.filter(dispatch_id__in=ids), DueStatus.CANCELLED)


def add_due(
    case: Case,
    *,
    kind: str,
    org: Organization,
    start: datetime,
    period: deadlines.Period,
    due_at: datetime | None = None,
    dispatch: DispatchOrder | None = None,
    clock: Clock | None = None,
) -> DueItem:
    """A deadline of ``period`` from ``start`` (``due_at`` when the caller has just counted it),
    recording the period so a new holiday schedule can count it again; ``clock`` names the
    category or court clock it runs as (``clocks.py``: no reminder for some, and what happens
    when it runs out)."""
    now = timezone.now()
    due_at = due_at or deadlines.period_end(start, period)
    remind = clock is None or clock.remind
    return DueItem.objects.create(
        case=case,
        kind=kind,
        org=org,
        dispatch=dispatch,
        due_at=due_at,
        started_at=start,
        period_unit=period.unit,
        period_amount=period.amount,
        clock=clock.key if clock is not None else "",
        next_check_at=deadlines.first_check(due_at, now) if remind else due_at,
    )


def add_clock(case: Case, clock: Clock, *, org: Organization, start: datetime) -> DueItem:
    """Start ``clock`` (a row of the table in ``clocks.py``) on ``case`` for ``org``."""
    return add_due(case, kind=clock.kind, org=org, start=start, period=clock.period, clock=clock)


# --- Intake -------------------------------------------------------------------------------------


def take_next(counter_model: type[CaseCounter] | type[ArchiveCounter], **key: Any) -> int:
    """The next number of a counter row. The row lock makes numbers gap-free and unique under
    concurrent transactions; it is held only by those that number under the same key. One
    statement when the row exists (``UPDATE … RETURNING`` takes the lock and the number)."""
    seq = quoted_column(counter_model, "last_seq")
    where = " AND ".join(f"{quoted_column(counter_model, name)} = %s" for name in key)
    table = quoted_table(counter_model)
    # Table and column names come from the model, the values are parameters.
    sql = f"UPDATE {table} SET {seq} = {seq} + 1 WHERE {where} RETURNING {seq}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [getattr(value, "pk", value) for value in key.values()])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    # The first number under this key: create the row (a concurrent twin waits on the lock).
    counter, _created = counter_model.objects.select_for_update().get_or_create(**key)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq
