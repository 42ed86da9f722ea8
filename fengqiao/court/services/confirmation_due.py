"""The court's limits on a judicial confirmation (司法确认) on the platform's deadline sweep
(disputes/sweep.py): one open ``DueItem`` per standing application, for the court —

- filed: 受理期限 (``DueKind.CONFIRM_ACCEPT``, 3 days from filing);
- 受理: that one is done, the 审查期限 (``DueKind.CONFIRM_RULE``, 15 days from acceptance) opens;
- 延长审查期限: the 审查期限 moves by 10 days, recorded as a move (``{"extended": 10}``), so a
  recount on a new holiday calendar counts it again with the extension;
- 不予受理 / 裁定: the open one is done.

The sweep reminds (催办) before each and supervises (督办) once it has passed; who is told is
this module's answer (``addressees``: the judges of the court — ``court.rule_confirmation``
granted there — and the link to the application), registered with ``disputes.hooks`` in
``CourtConfig.ready`` (disputes may not import the court). A recount that moves a deadline
moves the application's own date with it (``moved``), which the judge's queue shows.

The item is found by its case: a case has at most one standing application
(``confirmation_live_case``), and a decided one leaves none open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueKind, DueStatus
from fengqiao.disputes.deadlines import Period
from fengqiao.disputes.hooks import Addressee
from fengqiao.disputes.models import DueItem
from fengqiao.disputes.services.transitions import add_due, finish_due

# The court's deadlines (they outlive their case: disputes.choices.OUTLIVES_CASE).
CONFIRMATION_KINDS = (DueKind.CONFIRM_ACCEPT, DueKind.CONFIRM_RULE)


def _open(confirmation: Confirmation) -> QuerySet[DueItem]:
    return DueItem.objects.filter(
        case_id=confirmation.case_id, kind__in=CONFIRMATION_KINDS, status=DueStatus.OPEN
    )


def due_start(
    confirmation: Confirmation, *, kind: str, start: datetime, period: Period, due_at: datetime
) -> DueItem:
    """Open the application's ``kind`` limit (counted as ``due_at`` from ``start``), the one
    open before it done."""
    finish_due(_open(confirmation), DueStatus.DONE)
    return add_due(
        confirmation.case,
        kind=kind,
        org=confirmation.court,
        start=start,
        period=period,
        due_at=due_at,
    )


def due_extend(confirmation: Confirmation, *, days: int) -> datetime | None:
    """Move the open 审查期限 by ``days`` (a day off at the end moves it to the next working
        day, 民法典 art. 203); a reminder is due again before the new date (a 督办 already issued
    stays issued, as for a mediation period). The new deadline, or
        ``None`` when none is open (an application accepted before its limits were recorded)."""
    item = _open(confirmation).filter(kind=DueKind.CONFIRM_RULE).select_for_update().first()
    if item is None:
        return None
    item.moves = [*item.moves, {"extended": days}]
    item.due_at = deadlines.due_at_of(item) or deadlines.next_working_day_if_off(
        item.due_at + timedelta(days=days)
    )
    item.reminded_at = None
    item.next_check_at = deadlines.next_check_of(item, timezone.now())
    item.save(update_fields=["due_at", "moves", "reminded_at", "next_check_at"])
    return item.due_at


def due_finish(confirmation: Confirmation) -> None:
    """不予受理 or 裁定: the open limit is done."""
    finish_due(_open(confirmation), DueStatus.DONE)


# --- What the sweep and the recount ask (registered in CourtConfig.ready) ----------------------


def _standing(items: Iterable[DueItem]) -> dict[int, Confirmation]:
    """Case id → its standing (待受理 / 待裁定) application, one query."""
    return {
        c.case_id: c
        for c in Confirmation.objects.filter(
            case_id__in={item.case_id for item in items},
            status__in=[ConfirmationStatus.PENDING, ConfirmationStatus.ACCEPTED],
        ).only("pk", "case_id", "court_id", "status", "accept_due_at", "rule_due_at")
    }


def judges_of(court_ids: Iterable[int]) -> dict[int, list[User]]:
    """Court id → the active users who rule on its confirmations there (the permission
    ``court.rule_confirmation`` in a role granted at that court: its judges), one query."""
    found: dict[int, dict[int, User]] = {pk: {} for pk in court_ids}
    grants = (
        RoleGrant.objects.filter(
            org_id__in=list(found),
            user__is_active=True,
            role__permissions__content_type__app_label="court",
            role__permissions__codename="rule_confirmation",
        )
        .select_related("user")
        .order_by("user_id")
    )
    for grant in grants:
        if grant.org_id is not None:
            found[grant.org_id][grant.user_id] = grant.user
    return {pk: list(users.values()) for pk, users in found.items()}


def addressees(items: list[DueItem]) -> dict[int, Addressee]:
    """The sweep's question: each item's judges and the page of its application (two queries
    for a whole batch)."""
    standing = _standing(items)
    judges = judges_of({item.org_id for item in items})
    found = {}
    for item in items:
        confirmation = standing.get(item.case_id)
        url = (
            f"/court/confirmations/{confirmation.pk}/"
            if confirmation is not None
            else "/court/confirmations/"
        )
        found[item.pk] = Addressee(judges.get(item.org_id, []), url)
    return found


def moved(items: list[DueItem]) -> None:
    """A recount moved these deadlines: the application's own date follows (the judge's queue
    reads it)."""
    standing = _standing(items)
    for item in items:
        confirmation = standing.get(item.case_id)
        if confirmation is None:
            continue
        if (
            item.kind == DueKind.CONFIRM_ACCEPT
            and confirmation.status == ConfirmationStatus.PENDING
        ):
            Confirmation.objects.filter(pk=confirmation.pk).update(accept_due_at=item.due_at)
        elif (
            item.kind == DueKind.CONFIRM_RULE and confirmation.status == ConfirmationStatus.ACCEPTED
        ):
            Confirmation.objects.filter(pk=confirmation.pk).update(rule_due_at=item.due_at)
