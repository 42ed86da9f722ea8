from __future__ import annotations

import factory

from fengqiao.core.choices import Gender
from fengqiao.orgs.choices import PersonRole, Position
from fengqiao.orgs.models import Membership, Organization, OrgKind, Person


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
