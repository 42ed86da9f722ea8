"""The work queues: one definition of each, used by the counts a dispatcher lands on, by the
panels of 我的工作 and by the case list's ``?queue=`` filter, so a count and the list behind it
never disagree.

- 待研判, 待交办, 被退回 are the cases waiting at a platform the user assesses for (研判与交办);
- 将到期 and 已超期 are the cases with a running deadline (受理时限, 调解期限, 反馈时限: open, not
  paused) due within three days, or already passed, among the deadlines the user answers for
  (``answered_by``): a mediator's are those of the orgs they handle cases for; a dispatcher,
  a leader or a 司法所 officer oversees every deadline of the cases they can see.

Built for 10 million cases: the platform queues start from ``case_platform_status``; the
deadline queues from ``due_running_at``, a partial index over running deadlines by due time, so
only what is due soon or overdue is read, never every open case of the area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.access import grant_org_ids, has_perm, restrict, scope_for
from fengqiao.disputes.choices import OUTLIVES_CASE, CaseStatus, DispatchStatus, DueStatus
from fengqiao.disputes.models import Case, DispatchOrder, DueItem, SupervisionOrder
from fengqiao.disputes.permissions import ASSESS_CASE, HANDLE_CASE, VIEW_CASE

# A deadline this close is "将到期" (shown in amber on the lists).
DUE_SOON = timedelta(days=3)

TO_ASSESS = "to_assess"
TO_DISPATCH = "to_dispatch"
RETURNED = "returned"
DUE_SOON_QUEUE = "due_soon"
OVERDUE = "overdue"

QUEUE_LABELS: dict[str, Any] = {
    TO_ASSESS: _("待研判"),
    TO_DISPATCH: _("待交办"),
    RETURNED: _("被退回"),
    DUE_SOON_QUEUE: _("将到期"),
    OVERDUE: _("已超期"),
}
PLATFORM_QUEUES = (TO_ASSESS, TO_DISPATCH, RETURNED)

# A leader's month in the area (the landing's figures and the lists they link to).
MONTH_INTAKE = "month_intake"
MONTH_RESOLVED = "month_resolved"
MONTH_SUPERVISED = "month_supervised"
MONTH_LABELS: dict[str, Any] = {
    MONTH_INTAKE: _("本月受理"),
    MONTH_RESOLVED: _("本月调解成功"),
    MONTH_SUPERVISED: _("本月督办"),
}
LIST_LABELS: dict[str, Any] = {**QUEUE_LABELS, **MONTH_LABELS}


def running_deadlines() -> QuerySet[DueItem]:
    """Deadlines whose clock runs: open and not paused (a suspended case's are paused)."""
    return DueItem.objects.filter(status=DueStatus.OPEN, paused_at__isnull=True)


def overdue_deadlines(now: datetime) -> QuerySet[DueItem]:
    return running_deadlines().filter(due_at__lt=now)


def due_soon_deadlines(now: datetime) -> QuerySet[DueItem]:
    return running_deadlines().filter(due_at__gte=now, due_at__lte=now + DUE_SOON)


def overdue_q(now: datetime) -> Q:
    """Cases with a running deadline already passed."""
    return Q(pk__in=overdue_deadlines(now).values("case_id"))


def due_soon_q(now: datetime) -> Q:
    """Cases with a running deadline due within three days."""
    return Q(pk__in=due_soon_deadlines(now).values("case_id"))


def answered_by(user: Any, deadlines: QuerySet[DueItem]) -> QuerySet[DueItem]:
    """The deadlines among ``deadlines`` that ``user`` answers for. A mediator answers for the
    deadlines of the orgs they handle cases for, and of the cases they handle: a village
    committee's 我的工作 does not list the 医调委's clock on a case of the village. Whoever
    assesses for a platform, and whoever handles no case (a leader, a 司法所 officer), oversees
    every deadline of the cases they can see."""
    # A deadline that outlives its case (a court's limits on a judicial confirmation) is
    # answered for only by whoever acts for its org (the court's people): not the mediator who
    # handled the case, nor the platforms and leaders whose 已超期 measure the mediation work.
    deadlines = deadlines.exclude(
        Q(kind__in=OUTLIVES_CASE) & ~Q(org_id__in=list(grant_org_ids(user)))
    )
    if has_perm(user, ASSESS_CASE):
        return deadlines
    handling = scope_for(user, HANDLE_CASE).member_org_ids
    if not handling:
        return deadlines
    return deadlines.filter(Q(org_id__in=handling) | Q(case__handler_id=user.pk))


def assessing_platform_ids(user: Any) -> frozenset[int]:
    """The platforms the user assesses and dispatches for (from the loaded grants)."""
    return scope_for(user, ASSESS_CASE).member_org_ids


def _returned_here() -> Exists:
    """The platform's own order on the case was returned (退回) by the org it went to."""
    return Exists(
        DispatchOrder.objects.filter(
            case_id=OuterRef("pk"),
            from_org_id=OuterRef("platform_id"),
            status=DispatchStatus.RETURNED,
        )
    )


def month_start(now: datetime) -> datetime:
    """The first moment of ``now``'s month, local time."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def queue_q(user: Any, name: str, now: datetime) -> Q:
    """The cases of queue ``name`` for ``user`` (before the data scope, which the caller
    applies through ``restrict``)."""
    if name == MONTH_INTAKE:  # index case_registered_area
        return Q(registered_at__gte=month_start(now))
    if name == MONTH_RESOLVED:  # 调解成功 this month: index case_resolved_area
        return Q(closed_at__gte=month_start(now), resolved_level__isnull=False)
    if name == MONTH_SUPERVISED:  # a 督办 issued this month: index supervision_issued
        issued = SupervisionOrder.objects.filter(issued_at__gte=month_start(now))
        return Q(pk__in=issued.values("case_id"))
    if name == OVERDUE:
        return Q(pk__in=answered_by(user, overdue_deadlines(now)).values("case_id"))
    if name == DUE_SOON_QUEUE:
        return Q(pk__in=answered_by(user, due_soon_deadlines(now)).values("case_id"))
    platforms = Q(platform_id__in=assessing_platform_ids(user))
    if name == TO_ASSESS:
        return platforms & Q(status=CaseStatus.REGISTERED)
    if name == TO_DISPATCH:
        return platforms & Q(status=CaseStatus.ASSESSED) & Q(~_returned_here())
    if name == RETURNED:
        return platforms & Q(status=CaseStatus.ASSESSED) & Q(_returned_here())
    raise ValueError(name)


def queue_cases(user: Any, name: str, now: datetime | None = None) -> QuerySet[Case]:
    """The cases of a queue the user can see."""
    return restrict(Case.objects.all(), user, VIEW_CASE).filter(
        queue_q(user, name, now or timezone.now())
    )


@dataclass(frozen=True)
class QueueCount:
    name: str
    label: Any
    count: int

    @property
    def url(self) -> str:
        return f"{reverse('disputes:case_list')}?queue={self.name}"


def counts_of(user: Any, names: list[str], now: datetime | None = None) -> list[QueueCount]:
    """Each named list's size for ``user``, one bounded count each."""
    now = now or timezone.now()
    visible = restrict(Case.objects.all(), user, VIEW_CASE)  # the scope is read once, here
    return [
        QueueCount(name, LIST_LABELS[name], visible.filter(queue_q(user, name, now)).count())
        for name in names
    ]


def queue_counts(user: Any, now: datetime | None = None) -> list[QueueCount]:
    """A dispatcher's landing: each queue's size."""
    names = [*PLATFORM_QUEUES, DUE_SOON_QUEUE, OVERDUE]
    if not assessing_platform_ids(user):
        names = [DUE_SOON_QUEUE, OVERDUE]
    return counts_of(user, names, now)


def month_counts(user: Any, now: datetime | None = None) -> list[QueueCount]:
    """A leader's landing: the month's intake, 调解成功, the cases overdue now, 督办 issued."""
    return counts_of(user, [MONTH_INTAKE, MONTH_RESOLVED, OVERDUE, MONTH_SUPERVISED], now)
