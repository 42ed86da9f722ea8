"""The region tree starts from every root of a user's scope."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region
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


def test_the_tree_counts_each_regions_subregions_and_orgs(
    cast: Any, world: Any, client_for: Any
) -> None:
    page = client_for(cast.dispatcher).get("/regions/?code=" + world.town_a.code)
    counts = {r.name: (r.child_count, r.org_count) for r in page.context["children"]}
    for village in (world.village_east, world.village_west):
        expected = (
            Region.objects.filter(parent=village).count(),
            Organization.objects.filter(region=village).count(),
        )
        assert counts[village.name] == expected
    assert counts[world.village_east.name][1] >= 1
