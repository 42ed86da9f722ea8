"""The scheme page: the county platform creates and edits it, bad input is refused in Chinese
and nothing is lost, every change is audited; others only read it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.assessment.choices import Level
from fengqiao.assessment.models import Indicator, Scheme
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

pytestmark = pytest.mark.usefixtures("demo_county")
YEAR = 2031  # no scheme yet


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _county() -> Region:
    return Region.objects.get(level=RegionLevel.COUNTY)


def test_the_county_platform_creates_the_default_scheme_once(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(_user("dispatcher_county"))
    url = reverse("assessment:scheme", args=[YEAR])
    assert "create-default" in client.get(url).content.decode()
    client.post(url, {"county": _county().pk})
    client.post(url, {"county": _county().pk})  # a double click
    scheme = Scheme.objects.get(region=_county(), year=YEAR)
    assert scheme.indicators.count() == 15
    page = client.get(url).content.decode()
    assert page.count("分值合计 100.00 分") == 2
    assert "四（四）第4项" in page  # each indicator names its seed


def test_a_township_dispatcher_and_a_leader_only_read_the_scheme(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    url = reverse("assessment:scheme", args=[YEAR])
    for name in ("dispatcher", "leader"):
        client = client_for(_user(name))
        assert "create-default" not in client.get(url).content.decode()
        assert client.post(url, {}).status_code == 403
    assert not Scheme.objects.filter(year=YEAR).exists()
    assert client_for(_user("mediator")).get(url).status_code == 403


def test_an_indicator_is_edited_with_its_rule_checked_and_audited(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(_user("dispatcher_county"))
    client.post(reverse("assessment:scheme", args=[YEAR]), {"county": _county().pk})
    indicator = Indicator.objects.get(scheme__year=YEAR, measure="success_rate_pre")
    url = reverse("assessment:indicator_edit", args=[YEAR, indicator.pk])
    form = {
        "level": Level.TOWNSHIP,
        "position": 2,
        "name": "诉前调处成功率",
        "basis": "方案调整",
        "measure": "success_rate_pre",
        "weight": "20",
        "direction": "higher",
        "rule": "linear",
        "floor": "90",
        "target": "70",  # below the floor for a higher-is-better indicator
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "满分值应高于零分值" in refused.content.decode()
    assert 'value="方案调整"' in refused.content.decode()  # nothing typed is lost
    indicator.refresh_from_db()
    assert indicator.weight == Decimal("10")

    saved = client.post(url, {**form, "target": "98"})
    assert saved.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.weight, indicator.floor, indicator.target) == (
        Decimal("20"),
        Decimal("90"),
        Decimal("98"),
    )
    event = AuditEvent.objects.filter(event_type="assessment.scheme_changed").latest("pk")
    assert Decimal(event.before["weight"]) == 10
    assert Decimal(event.after["weight"]) == 20
    page = client.get(reverse("assessment:scheme", args=[YEAR])).content.decode()
    assert "分值合计 110.00 分" in page
    assert "应为100分" in page

    assert client_for(_user("dispatcher")).post(url, form).status_code == 403
    control = client.post(url, {**form, "target": "98", "name": "成功率\x07"})
    assert control.status_code == 200
    indicator.refresh_from_db()
    assert indicator.name == "诉前调处成功率"


def test_days_to_resolve_and_manual_indicators_are_offered_with_their_sense(
    db: None,
    client_for,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(_user("dispatcher_county"))
    client.post(reverse("assessment:scheme", args=[YEAR]), {"county": _county().pk})
    url = reverse("assessment:indicator_new", args=[YEAR])
    page = client.get(url).content.decode()
    for label in (
        "办结用时中位数",
        "办结用时90分位",
        "预警按时签收率",
        "排查报告按时报送率",
        "人工评分",
    ):
        assert label in page
    form = {
        "county": _county().pk,
        "level": Level.COMMUNITY,
        "position": 4,
        "name": "办结用时",
        "basis": "",
        "measure": "median_days",
        "weight": "10",
        "direction": "higher",
        "rule": "linear",
        "floor": "30",
        "target": "7",
    }
    wrong = client.post(url, form)
    assert wrong.status_code == 200
    assert "“办结用时中位数”应为“越低越好”。" in wrong.content.decode()
    assert not Indicator.objects.filter(scheme__year=YEAR, name="办结用时").exists()
    assert client.post(url, {**form, "direction": "lower"}).status_code == 302
    saved = Indicator.objects.get(scheme__year=YEAR, name="办结用时")
    assert (saved.measure, saved.direction) == ("median_days", "lower")

    # A 人工评分 indicator needs no measure and scores more-is-better, without bounds.
    manual = {**form, "name": "社区治理创新", "measure": "", "rule": "manual", "floor": ""}
    assert client.post(url, manual).status_code == 302
    made = Indicator.objects.get(scheme__year=YEAR, name="社区治理创新")
    assert (made.measure, made.direction, made.floor, made.target) == ("", "higher", None, None)
    listed = client.get(reverse("assessment:scheme", args=[YEAR])).content.decode()
    assert reverse("assessment:manual_scores", args=[YEAR, made.pk]) in listed
    # Any other rule still needs its measure.
    refused = client.post(url, {**manual, "name": "无指标", "rule": "rank"})
    assert "请选择统计指标" in refused.content.decode()
