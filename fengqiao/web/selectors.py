from __future__ import annotations

from datetime import datetime
from typing import Any

from fengqiao.accounts.access import has_perm, restrict, role_codes
from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.selectors import grants_for_user
from fengqiao.disputes import queues
from fengqiao.disputes.choices import OPEN_STATUSES
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import ASSESS_CASE, HANDLE_CASE, REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.selectors import with_waiting_orders
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.models import Membership, Organization
from fengqiao.orgs.permissions import VIEW_ORGANIZATION, VIEW_PERSON


def home_summary_for_user(user: Any) -> dict[str, Any]:
    """The workbench: the user's grants and the size of what their scope covers."""
    summary: dict[str, Any] = {"grants": grants_for_user(user)}
    if has_perm(user, VIEW_ORGANIZATION):
        summary["org_count"] = restrict(Organization.objects.all(), user, VIEW_ORGANIZATION).count()
    if has_perm(user, VIEW_PERSON):
        summary["mediator_count"] = (
            restrict(
                Membership.objects.filter(ended_on__isnull=True, role=PersonRole.MEDIATOR),
                user,
                VIEW_PERSON,
            )
            .values("person_id")
            .distinct()
            .count()
        )
    return summary


# --- Landing per role ---------------------------------------------------------------------------

GRID, MEDIATOR, DISPATCHER, LEADER, WORKBENCH = "grid", "mediator", "dispatcher", "leader", ""
LIAISON = "liaison"
RECENT_REPORTS = 10
UNIT_CASES = 20
MEDIATING_ROLES = frozenset({BuiltinRole.MEDIATOR.value, BuiltinRole.JUSTICE_OFFICER.value})
# The court and the police station: they send cases to mediation and follow them (诉调/警调对接).
LIAISON_ROLES = frozenset(
    {BuiltinRole.COURT_CLERK.value, BuiltinRole.JUDGE.value, BuiltinRole.POLICE.value}
)


def landing_for(user: Any) -> str:
    """Which page a user lands on at ``/``: the dispatcher's queues first (a platform officer
    may also hold other roles), then the leader's figures, the mediator's 我的工作, the grid
    worker's 快速上报 and the court's or police station's open cases; everyone else gets the
    workbench of grants and counts."""
    if has_perm(user, ASSESS_CASE):
        return DISPATCHER
    roles = role_codes(user)
    if BuiltinRole.LEADER in roles and has_perm(user, VIEW_CASE):
        return LEADER
    if has_perm(user, HANDLE_CASE) and roles & MEDIATING_ROLES:
        return MEDIATOR
    if BuiltinRole.GRID_WORKER in roles and has_perm(user, REGISTER_CASE):
        return GRID
    if roles & LIAISON_ROLES and has_perm(user, VIEW_CASE):
        return LIAISON
    return WORKBENCH


def unit_open_cases(user: Any) -> tuple[list[Case], int]:
    """A court's or police station's open cases — those it sent and those its 驻庭/驻所调解室
    handles (the data scope decides which) — the latest first, and how many there are."""
    open_cases = restrict(Case.objects.filter(status__in=OPEN_STATUSES), user, VIEW_CASE)
    latest = with_waiting_orders(open_cases.select_related("region", "handling_org"))
    return list(latest.order_by("-registered_at", "-id")[:UNIT_CASES]), open_cases.count()


def recent_reports_for_user(user: Any) -> list[Case]:
    """The grid worker's own latest reports that they can still see."""
    return list(
        restrict(Case.objects.filter(registered_by=user), user, VIEW_CASE)
        .select_related("region", "handling_org")
        .order_by("-registered_at", "-id")[:RECENT_REPORTS]
    )


def area_month_figures(user: Any, now: datetime | None = None) -> list[queues.QueueCount]:
    """A leader's month in their area (queues.py defines each figure and the list behind it)."""
    return queues.month_counts(user, now)
