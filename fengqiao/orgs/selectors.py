"""Reads of organizations and people, always through the data-scope helper."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from fengqiao.accounts.access import restrict
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.models import Membership, Organization, OrgKind, Person
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import subtree_q

VIEW_ORG = "orgs.view_organization"
VIEW_PERSON = "orgs.view_person"
MEDIATOR_ROLES = [PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR, PersonRole.EXPERT]


def org_list_for_user(
    user: Any, *, kind: str = "", region: Region | None = None, query: str = ""
) -> QuerySet[Organization]:
    qs = restrict(Organization.objects.all(), user, VIEW_ORG).select_related("kind", "region")
    if kind:
        qs = qs.filter(kind__code=kind)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], field="region__path"))
    if query:
        qs = qs.filter(name__icontains=query.strip())
    return qs


def org_get_for_user(user: Any, pk: int) -> Organization:
    return get_object_or_404(org_list_for_user(user).select_related("parent", "liaison"), pk=pk)


def org_members(org: Organization) -> QuerySet[Membership]:
    return (
        org.memberships.filter(ended_on__isnull=True)
        .select_related("person", "person__mediator_profile")
        .order_by("position", "person__name")
    )


def org_kinds() -> QuerySet[OrgKind]:
    return OrgKind.objects.all()


def org_choices_for_grants() -> QuerySet[Organization]:
    """Orgs a role can be granted within (used by the security admin, scope ALL)."""
    return Organization.objects.filter(is_active=True).select_related("region")


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
    memberships = restrict(Membership.objects.filter(ended_on__isnull=True), user, VIEW_PERSON)
    roles = [role] if role else MEDIATOR_ROLES
    memberships = memberships.filter(role__in=roles)
    if region is not None:
        memberships = memberships.filter(subtree_q([region.path], field="org__region__path"))
    qs = Person.objects.filter(pk__in=memberships.values("person_id"))
    if specialty:
        qs = qs.filter(mediator_profile__specialties__category=specialty)
    if grade:
        qs = qs.filter(mediator_profile__grade=grade)
    if query:
        qs = qs.filter(
            Q(name__icontains=query.strip())
            | Q(mediator_profile__studio_name__icontains=query.strip())
        )
    active = Membership.objects.filter(ended_on__isnull=True).select_related("org")
    return (
        qs.select_related("mediator_profile", "region")
        .prefetch_related(
            Prefetch("memberships", queryset=active, to_attr="active_memberships"),
            "mediator_profile__specialties",
        )
        .order_by("name", "pk")
    )


def person_get_for_user(user: Any, pk: int) -> Person:
    visible = restrict(Person.objects.all(), user, VIEW_PERSON)
    return get_object_or_404(visible.select_related("mediator_profile", "region"), pk=pk)
