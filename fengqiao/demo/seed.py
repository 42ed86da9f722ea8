"""演示数据 — a deterministic fictional county, 示范省示范市枫溪区, for trying the platform.

Two phases. :func:`fengqiao.demo.plan.demo_plan` draws every name, code, number and date from one
``random.Random(seed)`` into plain dataclasses: no database, no iteration over sets, and ``today``
only ever scales a date offset (never how many numbers are drawn), so the same seed gives the
same county, people, ID numbers and accounts on every machine and every day. :func:`demo_seed`
then writes the plan through the services in one transaction.

Every place and person is invented from syllable lists; region codes start with 99, which no real
province uses, and ID numbers carry the fictional prefix 990102. Some organizations are
deliberately left short of the staffing and composition rules so that the 队伍建设 reports
(``fengqiao/orgs/reports.py``) have something to show — see ``docs/demo.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from fengqiao.demo.accounts import write_accounts
from fengqiao.demo.data import (
    COUNTY_CODE,
    COUNTY_NAME,
    DEFAULT_SEED,
    FULL_COUNTY,
    PROVINCE_CODE,
    DemoSize,
    demo_county_exists,
)
from fengqiao.demo.plan import demo_plan
from fengqiao.demo.planning import DemoPlan
from fengqiao.demo.signing import write_signing
from fengqiao.orgs.choices import (
    PersonRole,
)
from fengqiao.orgs.models import Organization, OrgKind, Person
from fengqiao.orgs.services import (
    mediator_profile_set,
    mediator_set_grids,
    membership_add,
    org_create,
    org_set_officer_count,
    org_set_pairs,
    org_update,
    person_create,
    recusal_declare,
    training_record,
)
from fengqiao.regions.models import Region
from fengqiao.regions.services import (
    RegionRow,
    implied_parent_code,
    level_of_code,
    regions_import,
)


class DemoAlreadyLoaded(Exception):
    """The demo county is already in the database."""


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    orgs: int
    people: int
    mediators: int
    grid_workers: int
    accounts: int
    signing_credentials: int


def demo_seed(
    *, seed: int = DEFAULT_SEED, today: date, size: DemoSize = FULL_COUNTY
) -> DemoSummary:
    """Build the demo county in one transaction; raise ``DemoAlreadyLoaded`` if it exists."""
    plan = demo_plan(seed=seed, today=today, size=size)
    with transaction.atomic():
        # The region code is unique, so a concurrent second run fails on insert at the latest.
        if demo_county_exists():
            raise DemoAlreadyLoaded(COUNTY_CODE)
        regions = _write_regions(plan)
        orgs = _write_orgs(plan, regions)
        people = _write_people(plan, regions, orgs)
        _write_links(plan, orgs, people)
        write_accounts(plan, orgs, people)
        signing = write_signing(orgs.values())
    roles = [m.role for p in plan.people for m in p.memberships]
    return DemoSummary(
        regions=len(plan.regions),
        orgs=len(plan.orgs),
        people=len(plan.people),
        mediators=len(
            {
                p.key
                for p in plan.people
                for m in p.memberships
                if m.role in (PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR)
            }
        ),
        grid_workers=roles.count(PersonRole.GRID_WORKER),
        accounts=len(plan.accounts),
        signing_credentials=signing,
    )


def _write_regions(plan: DemoPlan) -> dict[str, Region]:
    rows = []
    for line, region in enumerate(plan.regions, start=1):
        level = level_of_code(region.code)
        if level is None:  # the planner only makes valid codes
            raise ValueError(region.code)
        rows.append(
            RegionRow(
                line=line,
                code=region.code,
                name=region.name,
                parent_code=implied_parent_code(region.code, level),
                level=level,
                population=region.population,
            )
        )
    regions_import(actor=None, rows=rows, source=f"演示数据 {COUNTY_NAME}（seed {plan.seed}）")
    return {r.code: r for r in Region.objects.filter(code__startswith=PROVINCE_CODE[:2])}


def _write_orgs(plan: DemoPlan, regions: dict[str, Region]) -> dict[str, Organization]:
    kinds = {k.code: k for k in OrgKind.objects.all()}
    orgs: dict[str, Organization] = {}
    for spec in plan.orgs:  # parents are planned before their children
        orgs[spec.key] = org_create(
            actor=None,
            name=spec.name,
            kind=kinds[spec.kind],
            region=regions[spec.region],
            parent=orgs[spec.parent] if spec.parent else None,
            categories=spec.categories,
            address=spec.address,
        )
        if spec.officer_count is not None:
            org_set_officer_count(actor=None, org=orgs[spec.key], officer_count=spec.officer_count)
    return orgs


def _write_people(
    plan: DemoPlan, regions: dict[str, Region], orgs: dict[str, Organization]
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for spec in plan.people:
        person = person_create(
            actor=None,
            name=spec.name,
            gender=spec.gender,
            region=regions[spec.region],
            id_number=spec.id_number,
            phone=spec.phone,
            birth_year=spec.birth_year,
            background=spec.background,
            is_party_member=spec.is_party_member,
            volunteer_kind=spec.volunteer_kind,
        )
        people[spec.key] = person
        for m in spec.memberships:
            membership_add(
                actor=None,
                person=person,
                org=orgs[m.org],
                role=m.role,
                position=m.position,
                is_full_time=m.full_time,
                started_on=m.started_on,
            )
        if spec.profile is not None:
            mediator_profile_set(
                actor=None,
                person=person,
                specialties=spec.profile.specialties,
                grade=spec.profile.grade,
                stars=spec.profile.stars,
                studio_name=spec.profile.studio,
                expert_fields=spec.profile.expert_fields,
                certified_on=spec.profile.certified_on,
            )
            if spec.profile.grids:
                mediator_set_grids(
                    actor=None, person=person, grids=[regions[code] for code in spec.profile.grids]
                )
        for t in spec.trainings:
            training_record(
                actor=None,
                person=person,
                held_on=t.held_on,
                kind=t.kind,
                title=t.title,
                hours=t.hours,
                organizer=orgs[t.organizer] if t.organizer else None,
            )
        for subject, relation in spec.recusals:
            recusal_declare(actor=None, person=person, subject_name=subject, relation=relation)
    return people


def _write_links(plan: DemoPlan, orgs: dict[str, Organization], people: dict[str, Person]) -> None:
    for spec in plan.orgs:
        org = orgs[spec.key]
        if spec.liaison:  # once the people exist: the liaison is one of the org's staff
            org = org_update(
                actor=None,
                org=org,
                name=org.name,
                kind=org.kind,
                region=org.region,
                parent=org.parent,
                categories=spec.categories,
                address=org.address,
                code=org.code,
                liaison=people[spec.liaison],
            )
        if spec.paired:
            org_set_pairs(actor=None, org=org, paired=[orgs[key] for key in spec.paired])
