"""调解组织覆盖 (seed 004 item 7) on the small demo county: the county leader sees every village
and township covered by a committee, every court and 信访办 with its room, the townships whose
平安办 has no 信访事项调解室, and the 城区派出所 (32 officers, no room) as the police gap; a
township dispatcher sees their township only; the XLSX export says the same, as text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from openpyxl import load_workbook

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.orgs import reports
from fengqiao.orgs.models import Organization, OrgKind
from fengqiao.orgs.services import org_set_officer_count
from fengqiao.regions.models import Region

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def client_of(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=name))
    return client


def figures(page: str) -> dict[str, tuple[int, int, str]]:
    """The 覆盖 table as the page shows it: key → (应覆盖, 已覆盖, 覆盖率)."""
    found = {}
    for chunk in page.split('<tr data-figure="')[1:]:
        key = chunk.split('"', 1)[0]
        cells = [c.split("<", 1)[0] for c in chunk.split("<td>")[1:]]
        share = chunk.split('class="share">', 1)[1].split("<", 1)[0]
        found[key] = (int(cells[1]), int(cells[2]), share)
    return found


def townships_without_petition_room() -> list[str]:
    platforms = Organization.objects.filter(kind__code="platform", region__level=4)
    rooms = set(
        Organization.objects.filter(kind__code="room_petition").values_list("region_id", flat=True)
    )
    return sorted(p.name for p in platforms if p.region_id not in rooms)


def test_the_county_leader_sees_the_figures_and_the_gaps() -> None:
    page = client_of("leader").get("/orgs/reports/?report=coverage").content.decode()
    shown = figures(page)
    villages = Region.objects.filter(level=5).count()
    townships = Region.objects.filter(level=4).count()
    assert villages >= 6
    assert shown["villages"] == (villages, villages, "100.0%")
    assert shown["townships"] == (townships, townships, "100.0%")
    courts = Organization.objects.filter(kind__code__in=["court", "tribunal"]).count()
    assert shown["courts"] == (courts, courts, "100.0%")
    # The county's 信访办 and each township's 平安办; some townships have no 信访事项调解室.
    missing = townships_without_petition_room()
    assert missing
    halls = 1 + townships
    assert shown["petition"][:2] == (halls, halls - len(missing))
    # Stations with 20 or more officers: each township's that large, and the 城区派出所.
    large = Organization.objects.filter(kind__code="police_station", officer_count__gte=20)
    assert large.count() >= 2
    assert Organization.objects.filter(kind__code="police_station", officer_count__lt=20).exists()
    n = large.count()
    assert shown["police"] == (n, n - 1, f"{100 * (n - 1) / n:.1f}%")
    assert "枫溪区公安分局城区派出所" in page
    assert "派出所（民警32名）" in page
    for name in missing:
        assert name in page
    assert page.count("信访事项调解室</span>") == len(missing)


def test_a_township_dispatcher_sees_their_township_only() -> None:
    dispatcher = User.objects.get(username="dispatcher")
    township = RoleGrant.objects.get(user=dispatcher).org.region
    found = reports.coverage(dispatcher)
    by_key = {f.key: f for f in found.figures}
    villages = Region.objects.filter(level=5, path__startswith=township.path).count()
    assert (by_key["villages"].required, by_key["townships"].required) == (villages, 1)
    assert all("城区派出所" not in g.unit for g in found.gaps)
    page = client_of("dispatcher").get("/orgs/reports/?report=coverage").content.decode()
    assert figures(page)["villages"][0] == villages
    # A village mediator has no reports at all.
    assert client_of("mediator").get("/orgs/reports/?report=coverage").status_code == 403


def test_a_room_opened_at_the_station_closes_the_gap_and_counts_follow() -> None:
    leader = User.objects.get(username="leader")
    station = Organization.objects.get(name="枫溪区公安分局城区派出所")
    before = {f.key: f for f in reports.coverage(leader).figures}["police"]
    # The 分局 opens a room at the station (its 上级单位: the station).
    Organization.objects.create(
        name="城区派出所驻所人民调解工作室",
        kind=OrgKind.objects.get(code="room_police"),
        region=station.region,
        parent=station,
    )
    after = {f.key: f for f in reports.coverage(leader).figures}["police"]
    assert (after.required, after.covered) == (before.required, before.covered + 1)
    # A station below 20 officers is not required to have one.
    org_set_officer_count(actor=None, org=station, officer_count=19)
    smaller = {f.key: f for f in reports.coverage(leader).figures}["police"]
    assert smaller.required == before.required - 1


def test_the_export_has_the_figures_and_gaps_as_text() -> None:
    response = client_of("leader").get("/orgs/reports/?report=coverage&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert rows[0][0] == "调解组织覆盖情况"
    assert str(rows[1][0]).startswith("导出人：")
    lines = [str(r[0]) for r in rows if r[0]]
    villages = Region.objects.filter(level=5).count()
    assert (
        f"村（社区）人民调解委员会：应覆盖{villages}个，已覆盖{villages}个，覆盖率100.0%" in lines
    )
    header = rows.index(["所在区划", "单位", "类型", "缺少"])
    body = rows[header + 1 :]
    assert ["枫溪区", "枫溪区公安分局城区派出所", "派出所（民警32名）", "驻派出所调解室"] in body
    assert len(body) == len(townships_without_petition_room()) + 1


def test_officer_count_is_bounded_and_edited_by_the_org_admin(client_for: Any) -> None:
    station = Organization.objects.get(name="枫溪区公安分局城区派出所")
    with pytest.raises(Exception, match="0至2000"):
        org_set_officer_count(actor=None, org=station, officer_count=2001)
    with pytest.raises(PermissionDenied):
        org_set_officer_count(
            actor=User.objects.get(username="mediator"), org=station, officer_count=5
        )
    admin = client_of("orgadmin")
    form = admin.get(f"/orgs/{station.pk}/edit/").content.decode()
    assert 'name="officer_count"' in form
    assert 'value="32"' in form
