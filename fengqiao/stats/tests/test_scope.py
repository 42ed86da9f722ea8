"""Whose figures each demo role may read (the org structure seed_demo builds)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.accounts.models import User
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.selectors import region_for_user, stats_roots
from fengqiao.stats.services import rollups_check

pytestmark = pytest.mark.usefixtures("demo_county")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_the_county_leader_reads_the_whole_county(db: None) -> None:
    roots = stats_roots(_user("leader"))
    assert [r.level for r in roots] == [RegionLevel.COUNTY]
    town = Region.objects.filter(parent=roots[0]).first()
    assert region_for_user(_user("leader"), town.pk) == town


def test_a_township_dispatcher_reads_their_township_only(db: None) -> None:
    roots = stats_roots(_user("dispatcher"))
    assert [r.level for r in roots] == [RegionLevel.TOWNSHIP]
    other = Region.objects.filter(level=RegionLevel.TOWNSHIP).exclude(pk=roots[0].pk).first()
    with pytest.raises(PermissionDenied):
        region_for_user(_user("dispatcher"), other.pk)
    with pytest.raises(PermissionDenied):
        region_for_user(_user("dispatcher"), roots[0].parent_id)


@pytest.mark.parametrize("name", ["mediator", "gridworker", "judge", "sysadmin", "auditor"])
def test_roles_without_statistics_read_no_region(db: None, name: str) -> None:
    assert stats_roots(_user(name)) == []
    county = Region.objects.get(level=RegionLevel.COUNTY)
    with pytest.raises(PermissionDenied):
        region_for_user(_user(name), county.pk)


def test_a_bad_region_id_is_refused_like_a_forbidden_one(db: None) -> None:
    for value in ("abc", None, "99999999"):
        with pytest.raises(PermissionDenied):
            region_for_user(_user("leader"), value)


def test_the_seeded_county_is_counted_in_full(db: None) -> None:
    result = rollups_check()
    assert result.ok, (result.fact_differences[:5], result.row_differences[:5])
    assert result.cases > 0
