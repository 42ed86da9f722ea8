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
  own a task.

排查 (screening): ``screening_filing_org`` says who files a unit's report, for which org:
the county's and a township's by a platform user of that platform (综治中心/平安办); a
village's by whoever registers cases (``disputes.register_case``) at that village's mediation
committee (村调委会: its mediators, and the 网格员 who hold their role there, as the demo's
``gridworker`` does); a grid's by the same people of the grid's village (seed 001 §(一)1:
网格员摸排查报). ``screening_filer_orgs`` is the same rule read the other way, for the
lateness reminders. Deploying a 专项排查 is ``CONVENE``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, F, When

from fengqiao.accounts.access import grant_org_ids, orgs_with
from fengqiao.disputes.permissions import ASSESS_CASE, REGISTER_CASE
from fengqiao.governance.choices import TaskStatus
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel

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


# --- 排查 ----------------------------------------------------------------------------------------

PLATFORM_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


def _filing_region_id(unit: Any) -> int:
    """The region of the org that files for ``unit``: a grid's village, else the unit itself."""
    return int(unit.parent_id if unit.level == RegionLevel.GRID else unit.pk)


def screening_filing_org(actor: Any, unit: Any) -> Any:
    """The org ``actor`` files ``unit``'s 排查 report for, or None when they may not (from the
    request's grants: no query)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or unit is None:
        return None
    if unit.level in PLATFORM_LEVELS:
        return next((o for o in platforms_for(actor) if o.region_id == unit.pk), None)
    if unit.level not in (RegionLevel.VILLAGE, RegionLevel.GRID):
        return None
    region_id = _filing_region_id(unit)
    return next(
        (
            o
            for o in orgs_with(actor, REGISTER_CASE)
            if o.is_active and o.kind.family == OrgFamily.COMMITTEE and o.region_id == region_id
        ),
        None,
    )


def screening_filing_regions(actor: Any) -> tuple[set[int], set[int]]:
    """The units ``actor`` files for: (region ids filed as themselves — a platform's county or
    township, a committee's village — and village ids whose grids they file for)."""
    own = {o.region_id for o in platforms_for(actor) if o.region.level in PLATFORM_LEVELS}
    villages = {
        o.region_id
        for o in orgs_with(actor, REGISTER_CASE)
        if o.is_active
        and o.kind.family == OrgFamily.COMMITTEE
        and o.region.level == RegionLevel.VILLAGE
    }
    return own | villages, villages


def filing_region_expr() -> Case:
    """``_filing_region_id`` as SQL on a ``Region`` query (to group units by who files)."""
    return Case(When(level=RegionLevel.GRID, then=F("parent_id")), default=F("pk"))


def filer_orgs_of_regions(region_ids: Iterable[int]) -> dict[int, list[int]]:
    """The filing orgs whose region is each of ``region_ids`` (region id → org ids, lowest id
    first): a county's or township's platform, a village's committee. One query."""
    by_region: dict[int, list[int]] = {pk: [] for pk in region_ids}
    orgs = Organization.objects.filter(region_id__in=list(by_region), is_active=True).filter(
        kind__family__in=(OrgFamily.PLATFORM, OrgFamily.COMMITTEE)
    )
    for org_id, region_id, family, level in orgs.order_by("pk").values_list(
        "pk", "region_id", "kind__family", "region__level"
    ):
        wanted = OrgFamily.PLATFORM if level in PLATFORM_LEVELS else OrgFamily.COMMITTEE
        if family == wanted:
            by_region[region_id].append(org_id)
    return by_region


def screening_filer_orgs(units: list[Any]) -> dict[int, list[int]]:
    """Each unit's filing orgs (unit id → org ids): the same rule as
    ``screening_filing_org``, for the reminders (one query)."""
    by_region = filer_orgs_of_regions({_filing_region_id(unit) for unit in units})
    return {unit.pk: by_region[_filing_region_id(unit)] for unit in units}
