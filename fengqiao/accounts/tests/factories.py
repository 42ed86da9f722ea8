from __future__ import annotations

import factory

from fengqiao.accounts.access import forget_grants
from fengqiao.accounts.models import Role, RoleGrant, User

PASSWORD = "Fq-test-Passw0rd!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    must_change_password = False
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def grant(user: User, role_code: str, org: object | None = None) -> RoleGrant:
    result = RoleGrant.objects.create(user=user, role=Role.objects.get(code=role_code), org=org)
    forget_grants(user)
    return result
