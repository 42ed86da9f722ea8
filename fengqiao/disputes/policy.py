"""Which platform stands over a place or an org — one rule for intake, dispatch, escalation,
report-back, the sweep and the API.

The 属地 platform (DESIGN §2) of a place is the active 综治中心/平安办 of the lowest region, from
the place's own region up, that has one: a village committee's cases belong to its township's
平安办, whatever the committee's parents are (村调委会 → 乡镇调委会 → 司法所 → 司法局 lead to the
county 综治中心, which is not where a village's dispute is registered). A platform is its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region


def is_platform(org: Organization) -> bool:
    return org.is_active and org.kind.family == OrgFamily.PLATFORM


def _platforms_at(paths: Iterable[str]) -> dict[str, Organization]:
    """The active platform of each region path that has one (the oldest, if several)."""
    wanted = set(paths)
    if not wanted:
        return {}
    found: dict[str, Organization] = {}
    rows = (
        Organization.objects.filter(
            kind__family=OrgFamily.PLATFORM, is_active=True, region__path__in=wanted
        )
        .select_related("region", "kind")
        .order_by("-pk")
    )
    for platform in rows:
        found[platform.region.path] = platform  # the lowest pk wins
    return found


def _lowest(paths: list[str], platforms: dict[str, Organization]) -> Organization | None:
    # Ancestor paths are prefixes of one another: the longest is the lowest region.
    for path in sorted(paths, key=len, reverse=True):
        if path in platforms:
            return platforms[path]
    return None


def platform_above(place: Organization | Region) -> Organization | None:
    """The 属地 platform of an org or a region: a platform org itself, else the platform of the
    lowest region, from the place's region up, that has one (None if no region has one)."""
    if isinstance(place, Organization):
        if is_platform(place):
            return place
        region = place.region
    else:
        region = place
    paths = [*region.ancestor_paths(), region.path]
    return _lowest(paths, _platforms_at(paths))


def upper_platforms(orgs: Iterable[Organization]) -> dict[int, Organization | None]:
    """For each org, the platform one level above it: the platform of the lowest region that
    strictly contains the org's region (a village committee → its township's 平安办; a township
    org or the township's 平安办 → the county 综治中心). Levels without a platform are skipped.
    One query for all of them (org id → platform or None)."""
    orgs = list(orgs)
    ancestors = {org.pk: org.region.ancestor_paths() for org in orgs}
    platforms = _platforms_at(path for paths in ancestors.values() for path in paths)
    return {org.pk: _lowest(ancestors[org.pk], platforms) for org in orgs}


def upper_platform(org: Organization) -> Organization | None:
    """The platform one level above ``org`` (``upper_platforms`` of one)."""
    return upper_platforms([org])[org.pk]


def platform_chain(platform: Organization) -> list[int]:
    """The platform and every platform above it, lowest first: a county dispatcher may act on a
    township's case; the township no longer acts on a case it has escalated to the county."""
    region = platform.region
    paths = region.ancestor_paths()
    platforms = _platforms_at(paths)
    above = [platforms[p].pk for p in sorted(paths, key=len, reverse=True) if p in platforms]
    return [platform.pk, *(pk for pk in above if pk != platform.pk)]
