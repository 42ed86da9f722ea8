"""The region tree starts from every root of a user's scope."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.regions.selectors import region_roots_for_user


def test_user_with_grants_in_two_townships_starts_from_both(world: Any, client: Client) -> None:
    user = UserFactory(username="two_towns")
    grant(user, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(user, BuiltinRole.MEDIATOR, world.committee_south)

    roots = list(region_roots_for_user(user))

    assert roots == [world.town_a, world.village_south]
    client.force_login(user)
    page = client.get("/regions/").content.decode()
    assert "甲镇" in page
    assert "南村" in page


def test_a_village_inside_a_granted_township_is_not_a_second_root(world: Any) -> None:
    user = UserFactory(username="nested")
    grant(user, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(user, BuiltinRole.MEDIATOR, world.committee_east)

    assert list(region_roots_for_user(user)) == [world.town_a]
