"""Every write to organizations and people. Each is audited in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.orgs.choices import Background, MediatorGrade, Position, TrainingKind
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
from fengqiao.regions.models import Region


def org_create(
    *,
    actor: Any,
    name: str,
    kind: OrgKind,
    region: Region,
    parent: Organization | None = None,
    categories: Iterable[str] = (),
    address: str = "",
) -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(
            name=name, kind=kind, region=region, parent=parent, address=address
        )
        cats = sorted(set(categories))
        OrgCategory.objects.bulk_create([OrgCategory(org=org, category=c) for c in cats])
        audit_record(
            actor=actor,
            event_type=EventType.ORG_CREATED,
            obj=org,
            after={"kind": kind.code, "region": region.code, "categories": cats},
        )
    return org


def org_set_categories(*, actor: Any, org: Organization, categories: Iterable[str]) -> None:
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        before = sorted(org.categories.values_list("category", flat=True))
        after = sorted(set(categories))
        if before == after:
            return
        org.categories.all().delete()
        OrgCategory.objects.bulk_create([OrgCategory(org=org, category=c) for c in after])
        audit_record(
            actor=actor,
            event_type=EventType.ORG_UPDATED,
            obj=org,
            before={"categories": before},
            after={"categories": after},
        )


def person_create(
    *,
    actor: Any,
    name: str,
    gender: str,
    region: Region,
    id_number: str = "",
    phone: str = "",
    birth_year: int | None = None,
    background: str = Background.OTHER,
    is_party_member: bool = False,
    volunteer_kind: str = "",
) -> Person:
    with transaction.atomic():
        person = Person.objects.create(
            name=name,
            gender=gender,
            region=region,
            id_number=id_number,
            phone=phone,
            birth_year=birth_year,
            background=background,
            is_party_member=is_party_member,
            volunteer_kind=volunteer_kind,
        )
        # Personal data is never written into the audit log, only the fact it was recorded.
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_CREATED,
            obj=person,
            after={
                "name": name,
                "region": region.code,
                "has_id_number": bool(id_number),
                "has_phone": bool(phone),
            },
        )
    return person


def membership_add(
    *,
    actor: Any,
    person: Person,
    org: Organization,
    role: str,
    position: str = Position.MEMBER,
    is_full_time: bool = False,
    started_on: date | None = None,
) -> Membership:
    with transaction.atomic():
        existing = Membership.objects.filter(
            person=person, org=org, role=role, ended_on__isnull=True
        ).first()
        if existing is not None:
            return existing
        membership = Membership.objects.create(
            person=person,
            org=org,
            role=role,
            position=position,
            is_full_time=is_full_time,
            started_on=started_on or timezone.localdate(),
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEMBERSHIP_ADDED,
            obj=person,
            after={"org": org.pk, "role": role, "position": position, "full_time": is_full_time},
        )
    return membership


def membership_end(*, actor: Any, membership: Membership, ended_on: date | None = None) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None:
            return
        membership.ended_on = ended_on or timezone.localdate()
        membership.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            event_type=EventType.MEMBERSHIP_ENDED,
            obj=membership.person,
            before={"org": membership.org_id, "role": membership.role},
        )


def mediator_profile_set(
    *,
    actor: Any,
    person: Person,
    specialties: Iterable[str] = (),
    grade: str = MediatorGrade.UNGRADED,
    stars: int = 0,
    studio_name: str = "",
    expert_fields: Iterable[str] = (),
    certified_on: date | None = None,
) -> MediatorProfile:
    if not 0 <= stars <= 5:
        raise ValueError("stars must be 0–5")
    with transaction.atomic():
        profile, _created = MediatorProfile.objects.update_or_create(
            person=person,
            defaults={
                "grade": grade,
                "stars": stars,
                "studio_name": studio_name,
                "expert_fields": sorted(set(expert_fields)),
                "certified_on": certified_on,
            },
        )
        cats = sorted(set(specialties))
        profile.specialties.exclude(category__in=cats).delete()
        have = set(profile.specialties.values_list("category", flat=True))
        MediatorSpecialty.objects.bulk_create(
            [MediatorSpecialty(profile=profile, category=c) for c in cats if c not in have]
        )
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=person,
            after={"grade": grade, "stars": stars, "specialties": cats, "studio": studio_name},
        )
    return profile


def training_record(
    *,
    actor: Any,
    person: Person,
    held_on: date,
    kind: str = TrainingKind.PRACTICAL,
    title: str,
    hours: Decimal | int = 0,
    organizer: Organization | None = None,
) -> TrainingRecord:
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            person=person, held_on=held_on, kind=kind, title=title, hours=hours, organizer=organizer
        )
        audit_record(
            actor=actor,
            event_type=EventType.TRAINING_RECORDED,
            obj=person,
            after={"held_on": held_on.isoformat(), "kind": kind, "title": title},
        )
    return record


def recusal_declare(
    *, actor: Any, person: Person, subject_name: str, relation: str, note: str = ""
) -> RecusalDeclaration:
    with transaction.atomic():
        declaration = RecusalDeclaration.objects.create(
            person=person, subject_name=subject_name, relation=relation, note=note
        )
        audit_record(
            actor=actor,
            event_type=EventType.RECUSAL_DECLARED,
            obj=person,
            after={"subject": subject_name, "relation": relation},
        )
    return declaration
