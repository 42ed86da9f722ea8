"""Who may see and ask for reports: ``report_may``, asked by the pages (what they offer) and
the services (what they accept).

- ``VIEW``: whoever holds ``reports.view_report`` (the leader and the platforms' dispatchers);
  which reports, the selectors narrow to the regions of their grants (a township's platform
  sees its township's reports, the county's every report in the county).
- ``GENERATE`` (``obj``: a region): whoever holds ``reports.generate_report`` with a scope
  that covers that region."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import has_perm, scope_for
from fengqiao.reports.permissions import GENERATE_REPORT, VIEW_REPORT

VIEW = "view"
GENERATE = "generate"


def covers(actor: Any, perm: str, region_path: str) -> bool:
    scope = scope_for(actor, perm)
    return scope.everything or any(region_path.startswith(p) for p in scope.region_paths)


def report_may(actor: Any, action: str, obj: Any = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if action == VIEW:
        return has_perm(actor, VIEW_REPORT)
    if action == GENERATE:
        if obj is None:
            return has_perm(actor, GENERATE_REPORT)
        return covers(actor, GENERATE_REPORT, obj.path)
    return False
