from __future__ import annotations

from datetime import date

import factory

from fengqiao.core.choices import Gender
from fengqiao.orgs.choices import PersonRole, Position, TrainingKind
from fengqiao.orgs.models import (
    MediatorProfile,
    MediatorSpecialty,
    Membership,
    Organization,
    OrgKind,
    Person,
    TrainingRecord,
)
from fengqiao.regions.models import Region


def kind(code: str) -> OrgKind:
    return OrgKind.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = factory.LazyFunction(lambda: kind("committee_village"))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    gender = Gender.MALE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    role = PersonRole.MEDIATOR
    position = Position.MEMBER


class MediatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediatorProfile

    person = factory.SubFactory(PersonFactory)


def mediator(
    org: Organization,
    *,
    name: str,
    gender: str = Gender.MALE,
    region: Region | None = None,
    role: str = PersonRole.MEDIATOR,
    position: str = Position.MEDIATOR,
    full_time: bool = False,
    specialties: tuple[str, ...] = (),
    profile: bool = True,
) -> Person:
    """A person serving in ``org`` (living in its region unless told), with a mediator profile
    holding ``specialties`` unless ``profile`` is false."""
    person = PersonFactory(name=name, gender=gender, region=region or org.region)
    MembershipFactory(person=person, org=org, role=role, position=position, is_full_time=full_time)
    if profile:
        mediator_profile = MediatorProfileFactory(person=person)
        MediatorSpecialty.objects.bulk_create(
            [MediatorSpecialty(profile=mediator_profile, category=c) for c in specialties]
        )
    return person


def practical_training(person: Person, held_on: date, kind: str = TrainingKind.PRACTICAL) -> None:
    TrainingRecord.objects.create(person=person, held_on=held_on, kind=kind, title="调解实务培训")
