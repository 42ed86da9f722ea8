"""Who may see the 督办 board and issue or answer a 督办令: ``supervision_may``, asked by the
pages (what they offer) and the services (what they accept).

- ``VIEW`` (the board): whoever holds ``supervision.oversee`` (the leader and the platform's
  dispatcher roles) somewhere; the board covers the regions of the orgs they hold it at.
- ``ISSUE`` (``obj``: the org an item belongs to): an overseer whose region holds that org.
- ``ANSWER`` (``obj``: a directive): while open, someone acting for the org it was issued to."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import grant_org_ids, orgs_with
from fengqiao.supervision.choices import DirectiveStatus
from fengqiao.supervision.permissions import OVERSEE

VIEW = "view"
ISSUE = "issue"
ANSWER = "answer"


def overseen_paths(actor: Any) -> list[str]:
    """The region paths ``actor`` oversees (no query: the request's grants)."""
    return sorted({org.region.path for org in orgs_with(actor, OVERSEE)})


def oversees(actor: Any, region_path: str) -> bool:
    return any(region_path.startswith(path) for path in overseen_paths(actor))


def supervision_may(actor: Any, action: str, obj: Any = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if action == VIEW:
        return bool(overseen_paths(actor))
    if action == ISSUE:
        return oversees(actor, obj.region.path)
    if action == ANSWER:
        return obj.status == DirectiveStatus.OPEN and obj.org_id in grant_org_ids(actor)
    return False
