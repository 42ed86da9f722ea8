"""The demo county as the case generator sees it: its orgs, members and accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.demo.accounts import DEMO_ACCOUNTS, MEDIATOR_ROLES
from fengqiao.demo.data import (
    COUNTY_CODE,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    DueItem,
    Party,
    Referral,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.mediation.models import Agreement, Failure, FollowUp, PartyConsent, RightsNotice
from fengqiao.orgs.models import Membership, Organization
from fengqiao.regions.models import Region


@dataclass(frozen=True)
class DemoCaseSummary:
    cases: int
    parties: int
    events: int
    orders: int
    due_items: int
    supervisions: int


@dataclass
class CaseVillage:
    region: Region
    grids: list[Region]
    committee: Organization
    township: CaseTownship | None = None


@dataclass
class CaseTownship:
    region: Region
    platform: Organization
    committee: Organization
    police_room: Organization | None
    court_room: Organization | None
    petition_room: Organization | None
    villages: list[CaseVillage] = field(default_factory=list)


@dataclass
class World:
    county_platform: Organization
    county_court_room: Organization | None
    county_petition_room: Organization | None
    industry: dict[str, Organization]
    admin_rooms: dict[str, Organization]
    townships: list[CaseTownship]
    villages: list[CaseVillage]
    members: dict[int, list[tuple[str, int | None]]]  # org pk → (name, user pk)
    handlers: dict[int, list[int]]  # org pk → its mediators' user pks (the roster's accounts)
    users: dict[str, User]
    # Mediator accounts: username → (the org they mediate in, a village their cases come from).
    mediator_orgs: dict[str, tuple[Organization, CaseVillage]]
    dispatcher_township: CaseTownship | None


def load_world() -> World:
    orgs = list(
        Organization.objects.filter(region__path__startswith=county_region().path)
        .select_related("kind", "region")
        .prefetch_related("categories")
        .order_by("pk")
    )
    by_kind: dict[str, list[Organization]] = defaultdict(list)
    for org in orgs:
        by_kind[org.kind.code].append(org)

    def in_region(kind: str, region: Region) -> Organization | None:
        return next((o for o in by_kind[kind] if o.region_id == region.pk), None)

    county = county_region()
    county_platform = in_region("platform", county)
    if county_platform is None:
        raise ValueError("the demo county has no platform")
    # Per category the most specialised industry committee (the fewest declared categories).
    industry: dict[str, Organization] = {}
    for org in sorted(by_kind["committee_industry"], key=lambda o: len(o.categories.all())):
        for c in org.categories.all():
            industry.setdefault(c.category, org)
    admin_rooms: dict[str, Organization] = {}
    for org in by_kind["admin_mediation"]:
        for c in org.categories.all():
            admin_rooms.setdefault(c.category, org)
    regions = list(Region.objects.filter(path__startswith=county.path).order_by("code"))
    children: dict[int | None, list[Region]] = defaultdict(list)
    for r in regions:
        children[r.parent_id].append(r)
    townships: list[CaseTownship] = []
    villages: list[CaseVillage] = []
    by_committee: dict[int, CaseVillage] = {}
    for town_region in children[county.pk]:
        platform = in_region("platform", town_region)
        committee = in_region("committee_township", town_region)
        if platform is None or committee is None:
            continue
        town = CaseTownship(
            region=town_region,
            platform=platform,
            committee=committee,
            police_room=in_region("room_police", town_region),
            court_room=in_region("room_court", town_region),
            petition_room=in_region("room_petition", town_region),
        )
        for village_region in children[town_region.pk]:
            village_committee = in_region("committee_village", village_region)
            if village_committee is None:
                continue
            village = CaseVillage(
                village_region, children[village_region.pk], village_committee, town
            )
            town.villages.append(village)
            villages.append(village)
            by_committee[village_committee.pk] = village
        if town.villages:
            townships.append(town)
    # A township without a tribunal room sends court cases to its neighbour's (法庭 pairs).
    for i, town in enumerate(townships):
        if town.court_room is None:
            for other in townships[i - 1 :: -1] + townships[i + 1 :]:
                if other.court_room is not None:
                    town.court_room = other.court_room
                    break
    members: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    handlers: dict[int, list[int]] = defaultdict(list)
    for m in (
        Membership.objects.filter(org__in=orgs).select_related("person").order_by("org_id", "pk")
    ):
        members[m.org_id].append((m.person.name, m.person.user_id))
    users = {
        u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    # The roster's other mediators (the demo logins keep the cases their stories give them).
    logins = {u.pk for u in users.values()}
    for org_id, user_id in (
        Membership.objects.filter(
            org__in=orgs,
            role__in=MEDIATOR_ROLES,
            ended_on__isnull=True,
            person__user__isnull=False,
        )
        .exclude(person__user__in=logins)
        .order_by("org_id", "person_id")
        .values_list("org_id", "person__user_id")
    ):
        handlers[org_id].append(user_id)
    grants: dict[str, int] = {
        g.user.username: g.org_id
        for g in RoleGrant.objects.filter(user__in=list(users.values()))
        .exclude(org=None)
        .select_related("user")
        .order_by("pk")
        if g.org_id is not None
    }
    dispatcher_township = next(
        (t for t in townships if t.platform.pk == grants.get("dispatcher")), None
    )
    orgs_by_pk = {o.pk: o for o in orgs}
    mediator_orgs: dict[str, tuple[Organization, CaseVillage]] = {}
    for account in DEMO_ACCOUNTS:
        home = orgs_by_pk.get(grants.get(account.username, 0))
        if account.role != BuiltinRole.MEDIATOR or home is None:
            continue
        # A village committee's own village; for a room or a county committee a village of its
        # region, in the dispatcher's township when it is there.
        within = [v for v in villages if v.region.path.startswith(home.region.path)]
        source = by_committee.get(home.pk) or next(
            (v for v in within if v.township is dispatcher_township), within[0] if within else None
        )
        if source is not None:
            mediator_orgs[account.username] = (home, source)
    return World(
        county_platform=county_platform,
        county_court_room=next(
            (o for o in by_kind["room_court"] if o.region_id == county.pk), None
        ),
        county_petition_room=next(
            (o for o in by_kind["room_petition"] if o.region_id == county.pk), None
        ),
        industry=industry,
        admin_rooms=admin_rooms,
        townships=townships,
        villages=villages,
        members=members,
        handlers=handlers,
        users=users,
        mediator_orgs=mediator_orgs,
        dispatcher_township=dispatcher_township,
    )


def county_region() -> Region:
    return Region.objects.get(code=COUNTY_CODE)


# ---------------------------------------------------------------------------------------------


@dataclass
class Spec:
    """What to draw for one case; ``None`` fields are drawn freely."""

    status: str | None = None
    channel: str | None = None
    village: CaseVillage | None = None
    target_org: Organization | None = None  # dispatch to this org (no escalation, no joint)
    handler: User | None = None
    age: float | None = None  # days before today
    refusal: bool = False  # a party refuses mediation, the case is referred out
    category: str | None = None
    grade: str | None = None
    # Dispatched to its village, handed back and escalated to the county: it waits there.
    escalated: bool = False


@dataclass
class Built:
    case: Case
    parties: list[Party]
    events: list[TimelineEvent]
    orders: list[DispatchOrder]
    dues: list[DueItem]
    supervisions: list[SupervisionOrder]
    agreement: Agreement | None
    follow_ups: list[FollowUp]
    archive_org: Organization | None
    archived_at: datetime | None
    consents: list[PartyConsent]
    notices: list[tuple[RightsNotice, list[Party]]]
    failure: Failure | None
    referral: Referral | None
