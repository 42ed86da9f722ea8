"""Reads of organizations and people, always through the data-scope helper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from fengqiao.accounts.access import restrict, scope_for
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.orgs.choices import ROSTER_ROLES
from fengqiao.orgs.models import (
    MediatorProfile,
    MediatorSpecialty,
    Membership,
    Organization,
    OrgCategory,
    OrgKind,
    Person,
    RecusalDeclaration,
    TrainingRecord,
)
from fengqiao.orgs.permissions import (
    MANAGE_ORGS,
    VIEW_ORGANIZATION,
    VIEW_PERSON,
    VIEW_PERSONAL_DATA,
)
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import subtree_q

PERSON_TRAININGS_SHOWN = 50


def _active_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(ended_on__isnull=True)


def org_list_for_user(
    user: Any,
    *,
    kind: str = "",
    region: Region | None = None,
    query: str = "",
    with_member_count: bool = False,
) -> QuerySet[Organization]:
    qs = restrict(Organization.objects.all(), user, VIEW_ORGANIZATION).select_related(
        "kind", "region"
    )
    if kind:
        qs = qs.filter(kind__code=kind)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], field="region__path"))
    if query:
        qs = qs.filter(name__icontains=query.strip())
    if with_member_count:
        # A correlated count rather than a join, so the page query needs no GROUP BY.
        members = (
            _active_memberships()
            .filter(org=OuterRef("pk"))
            .order_by()
            .values("org")
            .annotate(n=Count("person", distinct=True))
            .values("n")
        )
        qs = qs.annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
    return qs.order_by("region__path", "kind__sort_order", "name")


def org_get_for_user(user: Any, pk: int) -> Organization:
    return get_object_or_404(org_list_for_user(user).select_related("parent", "liaison"), pk=pk)


@dataclass(frozen=True)
class OrgDetail:
    org: Organization
    members: list[Membership]
    categories: list[OrgCategory]
    paired: list[Organization]


def org_detail_for_user(user: Any, pk: int) -> OrgDetail:
    """An org in scope with its current members, categories (属事) and paired orgs."""
    org = org_get_for_user(user, pk)
    return OrgDetail(
        org=org,
        members=list(org_members(org)),
        categories=list(org.categories.all()),
        paired=list(org.paired_orgs.select_related("kind").order_by("name")),
    )


def org_members(org: Organization) -> QuerySet[Membership]:
    return (
        org.memberships.filter(ended_on__isnull=True)
        .select_related("person")
        .order_by("position", "person__name")
    )


def org_kinds() -> QuerySet[OrgKind]:
    return OrgKind.objects.all()


def org_choices_for_grants() -> QuerySet[Organization]:
    """Orgs a role can be granted within (used by the security admin, scope ALL)."""
    return Organization.objects.filter(is_active=True).select_related("region")


def people_visible_to(user: Any, perm: str = VIEW_PERSON) -> QuerySet[Person]:
    """People the user may see under ``perm``: those of the user's regions/orgs, and everyone
    serving in an org the user can see (so whoever the roster lists can be opened, wherever
    they live)."""
    by_person = restrict(Person.objects.all(), user, perm).values("pk")
    by_membership = restrict(_active_memberships(), user, perm).values("person_id")
    return Person.objects.filter(Q(pk__in=by_person) | Q(pk__in=by_membership))


def roster_for_user(
    user: Any,
    *,
    role: str = "",
    specialty: str = "",
    grade: str = "",
    region: Region | None = None,
    query: str = "",
) -> QuerySet[Person]:
    """调解员名册: people holding a mediator role in an org the user can see."""
    memberships = restrict(_active_memberships(), user, VIEW_PERSON)
    roles = [role] if role else list(ROSTER_ROLES)
    memberships = memberships.filter(role__in=roles)
    if region is not None:
        memberships = memberships.filter(subtree_q([region.path], field="org__region__path"))
    qs = Person.objects.filter(pk__in=memberships.values("person_id"))
    if specialty:
        qs = qs.filter(
            pk__in=MediatorSpecialty.objects.filter(category=specialty).values("profile_id")
        )
    if grade:
        qs = qs.filter(mediator_profile__grade=grade)
    if query:
        qs = qs.filter(
            Q(name__icontains=query.strip())
            | Q(mediator_profile__studio_name__icontains=query.strip())
        )
    return qs.select_related("region").order_by("name", "pk")


@dataclass(frozen=True)
class RosterRow:
    person: Person
    profile: MediatorProfile | None
    specialties: list[MediatorSpecialty]
    memberships: list[Membership]


def roster_rows(people: Iterable[Person]) -> list[RosterRow]:
    """One page of the roster with each person's profile, specialties and current posts, in a
    fixed number of queries whatever the page size (people without a profile included)."""
    people = list(people)
    ids = [p.pk for p in people]
    profiles = {
        profile.pk: profile
        for profile in MediatorProfile.objects.filter(person_id__in=ids).prefetch_related(
            Prefetch("specialties", queryset=MediatorSpecialty.objects.order_by("category"))
        )
    }
    posts: dict[int, list[Membership]] = {}
    for membership in (
        _active_memberships()
        .filter(person_id__in=ids)
        .select_related("org")
        .order_by("org__name", "pk")
    ):
        posts.setdefault(membership.person_id, []).append(membership)
    rows = []
    for person in people:
        profile = profiles.get(person.pk)
        specialties = list(profile.specialties.all()) if profile else []
        rows.append(RosterRow(person, profile, specialties, posts.get(person.pk, [])))
    return rows


def person_get_for_user(user: Any, pk: int) -> Person:
    visible = people_visible_to(user, VIEW_PERSON)
    return get_object_or_404(visible.select_related("region"), pk=pk)


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    profile: MediatorProfile | None
    specialties: list[MediatorSpecialty]
    grids: list[Region]
    memberships: list[Membership]
    trainings: list[TrainingRecord]
    recusals: list[RecusalDeclaration]


def person_detail_for_user(user: Any, pk: int) -> PersonDetail:
    person = person_get_for_user(user, pk)
    profile = MediatorProfile.objects.filter(person=person).first()
    return PersonDetail(
        person=person,
        profile=profile,
        specialties=list(profile.specialties.order_by("category")) if profile else [],
        grids=list(profile.grids.order_by("path")) if profile else [],
        memberships=list(
            person.memberships.select_related("org", "org__kind").order_by(
                "ended_on", "-started_on"
            )
        ),
        trainings=list(person.trainings.select_related("organizer")[:PERSON_TRAININGS_SHOWN]),
        recusals=list(person.recusals.all()),
    )


def person_personal_data_for_user(user: Any, pk: int) -> Person:
    """A person's unmasked ID number and phone, for a user whose role may see them for this
    person. Seeing them is itself recorded in the audit log (DESIGN §5)."""
    visible = people_visible_to(user, VIEW_PERSONAL_DATA).filter(
        pk__in=people_visible_to(user, VIEW_PERSON).values("pk")
    )
    person = get_object_or_404(visible.select_related("region"), pk=pk)
    audit_record(actor=user, event_type=EventType.PERSONAL_DATA_VIEWED, obj=person)
    return person


def own_memberships(user: Any) -> list[Membership]:
    """The current posts of the person linked to ``user`` (for the user's own profile page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        _active_memberships()
        .filter(person__user=user)
        .select_related("org")
        .order_by("org__name", "pk")
    )


# --- What an org admin (orgs.manage_orgs) may change -------------------------------------------


def manageable_regions(user: Any) -> QuerySet[Region]:
    """Regions where ``user`` may create and edit orgs and people: the subtree of each region
    the permission was granted in."""
    return restrict(Region.objects.all(), user, MANAGE_ORGS).order_by("path")


def can_manage_region(user: Any, region: Region) -> bool:
    scope = scope_for(user, MANAGE_ORGS)
    if scope.everything:
        return True
    return any(region.path.startswith(path) for path in scope.region_paths)


def manageable_orgs(user: Any) -> QuerySet[Organization]:
    return (
        restrict(Organization.objects.all(), user, MANAGE_ORGS)
        .select_related("kind", "region")
        .order_by("region__path", "kind__sort_order", "name")
    )


def org_get_for_manage(user: Any, pk: int) -> Organization:
    return get_object_or_404(manageable_orgs(user).select_related("parent", "liaison"), pk=pk)


def manageable_people(user: Any) -> QuerySet[Person]:
    """People registered in the user's regions, or serving in an org there."""
    return people_visible_to(user, MANAGE_ORGS)


def person_get_for_manage(user: Any, pk: int) -> Person:
    return get_object_or_404(manageable_people(user).select_related("region"), pk=pk)


def membership_get_for_manage(user: Any, pk: int) -> Membership:
    memberships = restrict(Membership.objects.all(), user, MANAGE_ORGS)
    return get_object_or_404(memberships.select_related("person", "org"), pk=pk)


def person_is_manageable(user: Any, person: Person) -> bool:
    return manageable_people(user).filter(pk=person.pk).exists()
