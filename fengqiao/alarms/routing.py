"""Which police station an alarm goes to, and whom it escalates to (docs/alarms.md).

The station (接警单位) of a place (the caller's org), first that applies:

1. the place's route set in the admin (``AlarmRoute``);
2. the 派出所 (an active org of the police family) of the place's own region or, failing
   one, of the nearest region above it: a village committee's alarm goes to its township's
   派出所, a 人民法庭's to the 派出所 of the township it sits in;
3. the county's public security org (公安分局): the parent org of the county's 派出所 —
   for a county-level court or committee, whose region has no 派出所 of its own;
4. the 综治中心 of the county, so that an alarm never goes nowhere.

Escalation (超时上报) goes to the station's parent org (the 公安分局 above a 派出所) and to the
county's 综治中心 — each active org once, never the station itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Length

from fengqiao.alarms.models import AlarmRoute
from fengqiao.core.paths import PATH_SEGMENT
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel

ROUTE = "route"
REGION = "region"
COUNTY_POLICE = "county_police"
PLATFORM = "platform"


@dataclass(frozen=True)
class Destination:
    station: Organization
    rule: str  # one of ROUTE, REGION, COUNTY_POLICE, PLATFORM


def county_path(org: Organization) -> str:
    """The path of the county ``org`` sits in (its own region at county level or above)."""
    return org.region.path[: PATH_SEGMENT * RegionLevel.COUNTY]


def _chain(org: Organization) -> list[str]:
    """The paths of the place's region and every region above it."""
    return [*org.region.ancestor_paths(), org.region.path]


def station_for(org: Organization) -> Destination | None:
    """Where an alarm raised at ``org`` goes (rules in the module's docstring)."""
    route = (
        AlarmRoute.objects.filter(place=org, station__is_active=True)
        .select_related("station__region", "station__kind")
        .first()
    )
    if route is not None:
        return Destination(route.station, ROUTE)
    police = Organization.objects.filter(kind__family=OrgFamily.POLICE, is_active=True)
    nearest = (
        police.filter(region__path__in=_chain(org))
        .select_related("region", "kind")
        .order_by(Length("region__path").desc(), "pk")
        .first()
    )
    if nearest is not None:
        return Destination(nearest, REGION)
    county = county_path(org)
    in_county = (
        police.filter(region__path__startswith=county)
        .select_related("parent__region", "parent__kind")
        .order_by("pk")
        .first()
    )
    if in_county is not None and in_county.parent is not None and in_county.parent.is_active:
        return Destination(in_county.parent, COUNTY_POLICE)
    platform = county_platform(org)
    if platform is not None:
        return Destination(platform, PLATFORM)
    return None


def county_platform(org: Organization) -> Organization | None:
    """The 综治中心 of ``org``'s county (or the nearest platform above, for a higher org)."""
    return (
        Organization.objects.filter(
            kind__family=OrgFamily.PLATFORM,
            is_active=True,
            region__path__in=[p for p in _chain(org) if len(p) <= len(county_path(org))],
        )
        .select_related("region", "kind")
        .order_by(Length("region__path").desc(), "pk")
        .first()
    )


def escalation_orgs(org: Organization, station: Organization) -> list[Organization]:
    """Whom an unacknowledged alarm of ``org`` sent to ``station`` escalates to."""
    found: dict[int, Organization] = {}
    parent_id = station.parent_id
    if parent_id is not None:
        parent = Organization.objects.filter(Q(pk=parent_id), is_active=True).first()
        if parent is not None:
            found[parent.pk] = parent
    platform = county_platform(org)
    if platform is not None:
        found[platform.pk] = platform
    found.pop(station.pk, None)
    return list(found.values())
