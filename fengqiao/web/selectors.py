from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import has_perm, restrict
from fengqiao.accounts.selectors import grants_for_user
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
