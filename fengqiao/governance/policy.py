"""Who may do what with meetings, tasks and 法治宣传: one function, ``governance_may``, that the
pages ask (what they offer) and the services ask (what they accept).

A *platform user* holds the platform's 研判交办 right (``disputes.assess_case``) at a 综治中心
or 平安办: the township 平安办 convenes the 联席会议 (seed 000 §三(一)), the county's centre
its own. No new permission: whoever dispatches cases for a platform runs its meetings.

- ``CONVENE`` (schedule or record a meeting, log a 法治宣传 activity): a platform user, at the
  platform given (``obj``: the org) or at any of theirs (no ``obj``);
- ``RECORD`` (attendance, minutes, attachments, resolutions of a meeting): a platform user of
  the meeting's convening org;
- ``COMPLETE`` (办结 a task with its evidence): while the task is open, someone acting for its
  owner org (a grant there), its owner person, or a platform user of the convening org;
- reading is the data scope (``selectors``): the meeting's region, the orgs that take part or
  own a task."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import grant_org_ids, orgs_with
from fengqiao.disputes.permissions import ASSESS_CASE
from fengqiao.governance.choices import TaskStatus
from fengqiao.orgs.choices import OrgFamily

CONVENE = "convene"
RECORD = "record"
COMPLETE = "complete"


def platforms_for(actor: Any) -> list[Any]:
    """The platforms (综治中心/平安办) ``actor`` acts for (no query: the request's grants)."""
    return [
        org
        for org in orgs_with(actor, ASSESS_CASE)
        if org.kind.family == OrgFamily.PLATFORM and org.is_active
    ]


def is_platform_user(actor: Any) -> bool:
    return bool(platforms_for(actor))


def governance_may(actor: Any, action: str, obj: Any = None) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj`` (an org or nothing for CONVENE, a
    meeting for RECORD, a task for COMPLETE)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    platform_ids = {org.pk for org in platforms_for(actor)}
    if action == CONVENE:
        return obj.pk in platform_ids if obj is not None else bool(platform_ids)
    if action == RECORD:
        return obj.convening_org_id in platform_ids
    if action == COMPLETE:
        if obj.status != TaskStatus.OPEN:
            return False
        return (
            obj.owner_org_id in grant_org_ids(actor)
            or (obj.owner_user_id is not None and obj.owner_user_id == actor.pk)
            or obj.resolution.meeting.convening_org_id in platform_ids
        )
    return False
