"""Reads of cases, always through the data-scope helper. List queries are built for 10 million
cases: every filter combination starts from an indexed column and pages are sliced in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fengqiao.accounts.access import has_perm, restrict
from fengqiao.core.choices import category_with_subkinds
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseStatus,
    DispatchStatus,
    DueStatus,
)
from fengqiao.disputes.models import Case, DispatchOrder, DueItem, TimelineEvent
from fengqiao.disputes.permissions import ASSESS_CASE, VIEW_CASE
from fengqiao.disputes.workflow import allowed_actions
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import subtree_q


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    category: str = ""
    grade: str = ""
    channel: str = ""
    region: Region | None = None
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    query: str = ""


def normalize_query(text: str) -> str:
    """Full-width letters, digits and the ideographic space behave as their ASCII forms."""
    out = []
    for ch in text.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out).strip()


def case_list_for_user(user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    qs = restrict(Case.objects.all(), user, VIEW_CASE)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        # A statistics category includes its sub-kinds (合同 lists 金融借贷 and 建筑施工 too).
        qs = qs.filter(category__in=category_with_subkinds(f.category))
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.region is not None:
        qs = qs.filter(subtree_q([f.region.path], field="region_path"))
    if f.since:
        qs = qs.filter(registered_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(registered_at__date__lte=f.until)
    if f.overdue:
        overdue = DueItem.objects.filter(
            case_id=OuterRef("pk"),
            status=DueStatus.OPEN,
            due_at__lt=timezone.now(),
            paused_at__isnull=True,
        )
        qs = qs.filter(Exists(overdue))
    query = normalize_query(f.query)
    if query:
        from fengqiao.disputes.models import Party

        parties = Party.objects.filter(case_id=OuterRef("pk"), name__contains=query)
        qs = qs.filter(Q(number__icontains=query) | Q(title__contains=query) | Exists(parties))
    return qs.select_related("region", "handling_org", "platform").order_by("-registered_at", "-id")


def case_get_for_user(user: Any, pk: int, *, also: tuple[str, ...] = ()) -> Case:
    """The case if ``user`` may see it (404 otherwise), with what its page shows beside it;
    ``also`` names more relations to read in the same query."""
    qs = restrict(Case.objects.all(), user, VIEW_CASE).select_related(
        "region", "platform", "handling_org", "handler", "lead_leader", "registered_by", *also
    )
    return get_object_or_404(qs, pk=pk)


def case_timeline(case: Case) -> QuerySet[TimelineEvent]:
    return case.timeline.select_related("org").order_by("at", "id")


def case_actions_for_user(user: Any, case: Case) -> list[str]:
    """The workflow actions this user may take on this case now: exactly those the services
    accept (``services.case_may``). Accept and return are answered on the dispatch order."""
    from fengqiao.disputes.services import case_may

    return [
        action
        for action in allowed_actions(case.status)
        if action not in ("accept", "return") and case_may(user, case, action)
    ]


def pending_orders_for_user(user: Any) -> QuerySet[DispatchOrder]:
    """交办单 waiting for an org the user acts for."""
    org_ids = user.role_grants.exclude(org=None).values("org_id")
    return (
        DispatchOrder.objects.filter(to_org_id__in=org_ids, status=DispatchStatus.PENDING)
        .select_related("case", "to_org")
        .order_by("accept_by")
    )


@dataclass
class Worklist:
    to_assess: list[Case]
    to_accept: list[DispatchOrder]
    to_mediate: list[Case]
    due_soon: list[DueItem]
    overdue: list[DueItem]


def worklist_for_user(user: Any, *, limit: int = 50) -> Worklist:
    """我的工作: what waits for this user, each list bounded."""
    now = timezone.now()
    org_ids = list(user.role_grants.exclude(org=None).values_list("org_id", flat=True))
    to_assess: list[Case] = []
    if has_perm(user, ASSESS_CASE):
        to_assess = list(
            restrict(
                Case.objects.filter(
                    platform_id__in=org_ids, status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSED]
                ),
                user,
                ASSESS_CASE,
            )
            .select_related("region")
            .order_by("registered_at")[:limit]
        )
    mine = Q(handler=user) | Q(handling_org_id__in=org_ids)
    to_mediate = list(
        restrict(
            Case.objects.filter(
                mine, status__in=[CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED]
            ),
            user,
            VIEW_CASE,
        )
        .select_related("region")
        .order_by("registered_at")[:limit]
    )
    due = DueItem.objects.filter(
        org_id__in=org_ids, status=DueStatus.OPEN, paused_at__isnull=True
    ).select_related("case", "org")
    return Worklist(
        to_assess=to_assess,
        to_accept=list(pending_orders_for_user(user)[:limit]),
        to_mediate=to_mediate,
        due_soon=list(
            due.filter(due_at__gte=now, due_at__lte=now + timedelta(days=3)).order_by("due_at")[
                :limit
            ]
        ),
        overdue=list(due.filter(due_at__lt=now).order_by("due_at")[:limit]),
    )


def open_case_statuses() -> list[str]:
    return [str(s) for s in OPEN_STATUSES]
