"""The region tree page: what each role can walk into, and the counts beside each region."""

from __future__ import annotations

from typing import Any

from fengqiao.orgs.tests.factories import OrganizationFactory, kind
from fengqiao.regions.tests.factories import make_region
from fengqiao.web.tests.html import page_text, table_text


def _rows(response: Any) -> dict[str, Any]:
    return {r.name: r for r in response.context["children"]}


def test_counts_beside_each_region(cast: Any, world: Any, client_for: Any) -> None:
    # Given a second org in 甲镇 and a grid under 东村
    OrganizationFactory(
        name="甲镇信访事项人民调解工作室", kind=kind("room_petition"), region=world.town_a
    )
    make_region("330199001001001", "东村一网格", world.village_east)
    client = client_for(cast.leader)
    county = _rows(client.get(f"/regions/?code={world.county.code}"))
    # (甲镇: 平安办, 司法所, 调委会, 法庭 and its room, 派出所 and its room, the new room)
    assert (county["甲镇"].child_count, county["甲镇"].org_count) == (2, 8)
    # (乙镇: 平安办, 司法所, 调委会)
    assert (county["乙镇"].child_count, county["乙镇"].org_count) == (1, 3)
    town = _rows(client.get(f"/regions/?code={world.town_a.code}"))
    assert (town["东村"].child_count, town["东村"].org_count) == (1, 1)
    assert (town["西村"].child_count, town["西村"].org_count) == (0, 1)


def test_only_regions_with_children_link_further(cast: Any, world: Any, client_for: Any) -> None:
    make_region("330199001001001", "东村一网格", world.village_east)
    response = client_for(cast.dispatcher).get(f"/regions/?code={world.town_a.code}")
    html = response.content.decode()
    assert f'href="?code={world.village_east.code}"' in html
    assert f'href="?code={world.village_west.code}"' not in html


def test_village_mediator_walks_only_its_own_village(
    cast: Any, world: Any, client_for: Any
) -> None:
    make_region("330199001001001", "东村一网格", world.village_east)
    make_region("330199001002001", "西村一网格", world.village_west)
    client = client_for(cast.mediator_east)
    assert set(_rows(client.get("/regions/"))) == {"东村"}
    inside = client.get(f"/regions/?code={world.village_east.code}")
    assert set(_rows(inside)) == {"东村一网格"}
    assert client.get("/regions/?code=330199001002001").status_code == 404
    # the breadcrumb names the enclosing township and county as context, without links
    breadcrumb = page_text(inside)
    assert "测试区" in breadcrumb
    assert f"?code={world.town_a.code}" not in inside.content.decode()


def test_unknown_code_is_404(cast: Any, client_for: Any) -> None:
    assert client_for(cast.leader).get("/regions/?code=999999999999").status_code == 404


def test_region_page_links_to_its_orgs_and_roster(cast: Any, world: Any, client_for: Any) -> None:
    response = client_for(cast.dispatcher).get(f"/regions/?code={world.village_west.code}")
    html = response.content.decode()
    assert f"/orgs/?region={world.village_west.code}" in html
    assert f"/orgs/roster/?region={world.village_west.code}" in html
    assert "没有下级区划" in table_text(response, "region-children")
