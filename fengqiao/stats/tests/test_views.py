"""The dashboard as the demo roles see it (the org structure seed_demo builds)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.models import Case
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.web.tests.html import page_text, table_rows

pytestmark = pytest.mark.usefixtures("demo_county")
URL = reverse("stats:dashboard")


def _client(client_for: Callable[[User | None], Client], name: str) -> Client:
    return client_for(User.objects.get(username=name))


def test_the_leader_sees_the_county_and_its_townships(db: None, client_for) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    today = timezone.localdate()
    response = _client(client_for, "leader").get(URL, {"kind": "year", "day": today.isoformat()})
    assert response.status_code == 200
    text = page_text(response)
    assert county.name in text
    assert "受理纠纷数" in text
    assert "调处成功率" in text
    assert "计算公式" in text
    intake = Case.objects.filter(
        region_path__startswith=county.path, registered_at__year=today.year
    ).count()
    card = response.context["cards"][0]
    assert (card.key, card.value) == ("intake", intake)
    rows = table_rows(response, "region-table")
    townships = set(
        Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("name", flat=True)
    )
    assert {row[0].text for row in rows} == townships
    assert sum(int(row[1].text) for row in rows) <= intake


def test_a_townships_villages_add_up_over_a_year(db: None, client_for) -> None:
    """Regression: over whole months a township read the monthly rows, kept per township, and
    listed every village with 0."""
    client = _client(client_for, "leader")
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    today = timezone.localdate()
    response = client.get(URL, {"region": town.pk, "kind": "year", "day": today.isoformat()})
    villages = table_rows(response, "region-table")
    assert villages
    by_village = {row[0].text: int(row[1].text) for row in villages}
    expected = {
        v.name: Case.objects.filter(
            region_path__startswith=v.path, registered_at__year=today.year
        ).count()
        for v in Region.objects.filter(parent=town)
    }
    assert by_village == expected
    assert sum(expected.values()) > 0


def test_the_page_reads_a_bounded_number_of_queries(db: None, client_for) -> None:
    client = _client(client_for, "leader")
    client.get(URL)  # the session and grants are read once
    with CaptureQueriesContext(connection) as year:
        client.get(URL, {"kind": "year", "day": timezone.localdate().isoformat()})
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    with CaptureQueriesContext(connection) as township:
        client.get(URL, {"region": town.pk, "kind": "quarter"})
    # No query per region, category or org: the same count for a county as for a township.
    assert len(year) <= 45, [q["sql"][:80] for q in year.captured_queries]
    assert len(township) <= 45


def test_a_township_dispatcher_cannot_open_another_township(db: None, client_for) -> None:
    client = _client(client_for, "dispatcher")
    own = client.get(URL)
    assert own.status_code == 200
    mine = own.context["region"]
    other = Region.objects.filter(level=RegionLevel.TOWNSHIP).exclude(pk=mine.pk).first()
    assert client.get(URL, {"region": other.pk}).status_code == 403
    assert client.get(URL, {"region": mine.parent_id}).status_code == 403


@pytest.mark.parametrize("name", ["mediator", "gridworker", "judge", "sysadmin"])
def test_roles_without_statistics_are_refused(db: None, client_for, name: str) -> None:
    assert _client(client_for, name).get(URL).status_code == 403


def test_a_bad_period_is_said_and_this_month_shown(db: None, client_for) -> None:
    client = _client(client_for, "leader")
    first = client.get(URL)
    # The picker says what is shown: this month (it showed 周, its first choice).
    assert 'value="month" selected' in first.content.decode()
    response = client.get(URL, {"kind": "custom", "start": "2026-03-01", "end": "2026-01-01"})
    assert "止日不能早于起日" in page_text(response)
    assert response.context["period"].kind == "month"
    response = client.get(URL, {"kind": "custom", "start": "2010-01-01", "end": "2026-01-01"})
    assert "最长三年" in page_text(response)
    response = client.get(URL, {"kind": "month", "day": "1900-01-01"})
    assert "日期须在" in page_text(response)
    response = client.get(URL, {"kind": "custom", "start": "2026-01-01", "end": "2026-01-31"})
    assert response.context["period"].start == date(2026, 1, 1)


def test_an_org_drills_down_to_its_mediators_and_their_cases(db: None, client_for) -> None:
    """Township → org → mediator → case list: each number is the count of the list behind it."""
    client = _client(client_for, "leader")
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    year = {"region": town.pk, "kind": "year", "day": timezone.localdate().isoformat()}
    # 单位, 受理, 调处成功, …: the org's name links to its mediators, its intake to its cases.
    orgs = table_rows(client.get(URL, year), "org-table")
    org = max((o for o in orgs if o[0].href), key=lambda o: int(o[1].text))
    name, org_intake, org_resolved = org[0].text, int(org[1].text), int(org[2].text)
    assert org_intake > 0
    assert _listed(client, org[1].href) == org_intake

    response = client.get(org[0].href)
    assert f"{name} · 各调解员" in page_text(response)
    assert [
        o[0].attrs.get("class") for o in table_rows(response, "org-table") if o[0].text == name
    ] == ["table-active"]
    # 调解员, 受理, 办结, 调处成功, …
    people = table_rows(response, "people-table")
    assert sum(int(p[1].text) for p in people) == org_intake
    assert sum(int(p[3].text) for p in people) == org_resolved
    named = [p for p in people if p[1].href]
    assert named, "the demo org's cases have mediators"
    for person in named:
        listed = client.get(person[1].href)
        assert f"调解员 {person[0].text}" in page_text(listed)
        assert listed.context["page_obj"].paginator.count == int(person[1].text)


def _listed(client: Client, url: str) -> int:
    return client.get(url).context["page_obj"].paginator.count


def test_an_org_the_table_does_not_list_shows_no_people(db: None, client_for) -> None:
    client = _client(client_for, "leader")
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    response = client.get(URL, {"region": town.pk, "kind": "year", "org": "999999999"})
    assert response.status_code == 200
    assert "各调解员" not in page_text(response)
    assert 'id="people-table"' not in response.content.decode()


def _chart_data(response: Any) -> dict[str, Any]:
    """The figures the page's charts are drawn from (its ``#chart-data`` script)."""
    html = response.content.decode()
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None, "the page carries no chart data"
    return json.loads(match.group(1))


def test_the_hot_spots_split_each_township_by_category_down_to_the_cases(
    db: None, client_for
) -> None:
    """纠纷热点: a township's block is its intake in the table, its categories add up to it,
    and a category's block opens the list of exactly those cases."""
    client = _client(client_for, "leader")
    response = client.get(URL, {"kind": "year", "day": timezone.localdate().isoformat()})
    spots = _chart_data(response)["hotspots"]
    table = {row[0].text: int(row[1].text) for row in table_rows(response, "region-table")}
    assert spots, "the demo county has hot spots"
    assert {s["name"]: s["value"] for s in spots} == {k: v for k, v in table.items() if v}
    for spot in spots:
        assert sum(c["value"] for c in spot["children"]) == spot["value"]
    biggest = max(spots, key=lambda s: s["value"])
    category = biggest["children"][0]
    assert _listed(client, category["url"]) == category["value"]
    # A township's own page shows its villages, unsplit (the rollups keep no village × category).
    town = client.get(biggest["url"])
    villages = _chart_data(town)["hotspots"]
    assert villages
    assert all(v["children"] == [] for v in villages)
