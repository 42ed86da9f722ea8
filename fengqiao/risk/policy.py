"""Who may do what with risk warnings and emergency responses: ``warning_may`` and
``emergency_may``, which the pages ask (what they offer) and the services ask (what they accept).

A *platform user* holds the 研判交办 right (``disputes.assess_case``) at an active 综治中心 or
平安办; a platform *stands over* a place when the place's region lies in the platform's region.

Warnings (``obj`` as given):

- ``ACKNOWLEDGE`` (a notice): someone acting for the org it was pushed to (a grant there), while
  the warning is open and the notice not yet acknowledged;
- ``RECORD`` (a warning: a measure taken, 稳控/疏导/报告): while open, someone acting for an org
  it was pushed to, or a platform user standing over the case;
- ``CLOSE`` (a warning): while open, a platform user standing over the case;
- ``OPEN_EMERGENCY`` (a case): a platform user standing over it.

Emergency responses:

- ``LOG`` (a response): while open, its lead, a platform user of its platform, or someone acting
  for an org on its team;
- ``ADD_TASK`` / ``CLOSE`` (a response): while open, its lead or a platform user of its platform;
- ``TASK_DONE`` (a task): while it and its response are open, its owner person, someone acting
  for its owner org, the lead, or a platform user of the response's platform.

Reading is the data scope (``selectors``)."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import grant_org_ids, orgs_with
from fengqiao.disputes.permissions import ASSESS_CASE
from fengqiao.orgs.choices import OrgFamily
from fengqiao.risk.choices import EmergencyStatus, EmergencyTaskStatus, WarningStatus

ACKNOWLEDGE = "acknowledge"
RECORD = "record"
CLOSE = "close"
OPEN_EMERGENCY = "open_emergency"
LOG = "log"
ADD_TASK = "add_task"
TASK_DONE = "task_done"


def platforms_for(actor: Any) -> list[Any]:
    """The platforms ``actor`` acts for (no query: the request's grants)."""
    return [
        org
        for org in orgs_with(actor, ASSESS_CASE)
        if org.kind.family == OrgFamily.PLATFORM and org.is_active
    ]


def stands_over(actor: Any, region_path: str) -> bool:
    """Whether a platform ``actor`` acts for covers the region ``region_path``."""
    return any(region_path.startswith(org.region.path) for org in platforms_for(actor))


def _signed_in(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def warning_may(actor: Any, action: str, obj: Any, *, notice_org_ids: Any = ()) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj``. For ``RECORD`` pass the orgs the
    warning was pushed to (``notice_org_ids``; the page has them already)."""
    if not _signed_in(actor):
        return False
    if action == ACKNOWLEDGE:
        return (
            obj.warning.status == WarningStatus.OPEN
            and obj.acknowledged_at is None
            and obj.org_id in grant_org_ids(actor)
        )
    if action == OPEN_EMERGENCY:
        return stands_over(actor, obj.region_path)
    if obj.status != WarningStatus.OPEN:
        return False
    if action == RECORD:
        return bool(grant_org_ids(actor) & set(notice_org_ids)) or stands_over(
            actor, obj.region_path
        )
    if action == CLOSE:
        return stands_over(actor, obj.region_path)
    return False


def _runs(actor: Any, response: Any) -> bool:
    return response.lead_id == actor.pk or response.platform_id in {
        org.pk for org in platforms_for(actor)
    }


def emergency_may(actor: Any, action: str, obj: Any, *, team_org_ids: Any = ()) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj`` (a response, or a task for
    ``TASK_DONE``). For ``LOG`` pass the team's orgs (``team_org_ids``)."""
    if not _signed_in(actor):
        return False
    if action == TASK_DONE:
        response = obj.response
        if obj.status != EmergencyTaskStatus.OPEN or response.status != EmergencyStatus.OPEN:
            return False
        return (
            obj.owner_user_id == actor.pk
            or obj.owner_org_id in grant_org_ids(actor)
            or _runs(actor, response)
        )
    if obj.status != EmergencyStatus.OPEN:
        return False
    if action == LOG:
        return _runs(actor, obj) or bool(grant_org_ids(actor) & set(team_org_ids))
    if action in (ADD_TASK, CLOSE):
        return _runs(actor, obj)
    return False
