"""Rankings of the small demo county: hand-computed inputs from imported figures, ranking
order and ties, missing figures shown as missing, the data scope of each demo role, the query
ceiling of the page, publication (frozen, idempotent, explicit republication) and the export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.accounts.models import User
from fengqiao.assessment.choices import Level
from fengqiao.assessment.models import Indicator, Publication, Scheme
from fengqiao.assessment.selectors import compute_ranking, default_period
from fengqiao.assessment.services import ranking_publish
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.choices import ExternalIndicator
from fengqiao.stats.models import ExternalFigure
from fengqiao.stats.periods import Period
from fengqiao.stats.selectors import stats_roots

pytestmark = pytest.mark.usefixtures("demo_county")

Q1 = Period.quarter(date(2025, 1, 1))  # before the demo's cases: only imported figures count
D = Decimal


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _county() -> Region:
    return Region.objects.get(level=RegionLevel.COUNTY)


def _towns() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("path"))


def _figure(region: Region, indicator: str, value: int, period: Period = Q1) -> None:
    ExternalFigure.objects.update_or_create(
        region=region,
        indicator=indicator,
        period_start=period.start,
        period_end=period.end,
        defaults={"value": D(value), "source": "测试"},
    )


def _scheme(*indicators: dict[str, object], year: int = 2025) -> Scheme:
    # In place of the demo's default scheme of that year (it seeds this year's and last year's).
    Scheme.objects.filter(region=_county(), year=year).delete()
    scheme = Scheme.objects.create(region=_county(), year=year, name="测试方案")
    for n, spec in enumerate(indicators, start=1):
        Indicator.objects.create(scheme=scheme, position=n, **spec)  # type: ignore[arg-type]
    return scheme


def _prosecutions_scheme() -> Scheme:
    """Two township indicators: 刑事自诉案件发生数 by place (60) and 缓刑人员重新犯罪率 linear
    from 5% (0 points) to 0% (40 points)."""
    return _scheme(
        {
            "level": Level.TOWNSHIP,
            "name": "刑事自诉案件发生数",
            "measure": "private_prosecutions",
            "weight": D("60"),
            "direction": "lower",
            "rule": "rank",
        },
        {
            "level": Level.TOWNSHIP,
            "name": "缓刑人员重新犯罪率",
            "measure": "probation_reoffending_rate",
            "weight": D("40"),
            "direction": "lower",
            "rule": "linear",
            "floor": D("5"),
            "target": D("0"),
        },
    )


def test_scores_and_ranks_from_imported_figures_by_hand(db: None) -> None:
    a, b, c = _towns()
    scheme = _prosecutions_scheme()
    # 自诉: a 4, b 4, c 9 → places 1, 1, 3 → 60, 60, 0.
    for town, n in ((a, 4), (b, 4), (c, 9)):
        _figure(town, ExternalIndicator.PRIVATE_PROSECUTIONS, n)
    # 缓刑: a 1 of 50 = 2.0% → 40 × (2 − 5) ÷ (0 − 5) = 24; b not imported; c 0 of 20 → 40.
    _figure(a, ExternalIndicator.PROBATIONERS, 50)
    _figure(a, ExternalIndicator.PROBATION_REOFFENDERS, 1)
    _figure(c, ExternalIndicator.PROBATIONERS, 20)
    _figure(c, ExternalIndicator.PROBATION_REOFFENDERS, 0)

    data = compute_ranking(scheme, _county(), Level.TOWNSHIP, Q1)

    rows = {r["region_id"]: r for r in data["rows"]}
    assert [s["score"] for s in rows[a.pk]["scores"]] == ["60.00", "24.00"]
    assert rows[a.pk]["scores"][1]["numerator"] == 1
    assert rows[a.pk]["scores"][1]["denominator"] == 50
    assert rows[a.pk]["scores"][1]["value"] == "2.0"
    assert rows[a.pk]["total"] == "84.00"
    # b: 60 of the 60 points that had a figure, brought to 100.
    assert [s["score"] for s in rows[b.pk]["scores"]] == ["60.00", None]
    assert rows[b.pk]["total"] == "100.00"
    assert rows[b.pk]["missing"] == ["缓刑人员重新犯罪率"]
    assert rows[b.pk]["counted_weight"] == "60.00"
    assert rows[c.pk]["total"] == "40.00"
    assert [(r["name"], r["rank"]) for r in data["rows"]] == [
        (b.name, 1),
        (a.name, 2),
        (c.name, 3),
    ]


def test_ties_share_a_place(db: None) -> None:
    a, b, c = _towns()
    scheme = _prosecutions_scheme()
    Indicator.objects.filter(scheme=scheme, rule="linear").delete()
    for town, n in ((a, 3), (b, 7), (c, 3)):
        _figure(town, ExternalIndicator.PRIVATE_PROSECUTIONS, n)
    data = compute_ranking(scheme, _county(), Level.TOWNSHIP, Q1)
    assert [(r["name"], r["rank"], r["total"]) for r in data["rows"]] == [
        (a.name, 1, "60.00"),  # the scheme's full weight is now 60
        (c.name, 1, "60.00"),
        (b.name, 3, "0.00"),
    ]


def test_missing_outside_figures_are_shown_as_missing(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    a, b, c = _towns()
    _scheme(
        {
            "level": Level.TOWNSHIP,
            "name": "万人起诉率",
            "measure": "lawsuits_per_10k",
            "weight": D("100"),
            "direction": "lower",
            "rule": "rank",
        }
    )
    Region.objects.filter(pk__in=[a.pk, b.pk]).update(population=20000)
    _figure(a, ExternalIndicator.CIVIL_FILINGS, 30)  # 15.00 per 10,000
    _figure(b, ExternalIndicator.CIVIL_FILINGS, 10)  # 5.00 per 10,000

    page = client_for(_user("leader")).get(
        reverse("assessment:ranking"), {"level": "township", "period": "2025-Q1"}
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "missing-note" in body
    rows = {r["region_id"]: r for r in page.context["ranking"].rows}
    assert rows[b.pk]["rank"] == 1
    assert rows[a.pk]["rank"] == 2
    assert rows[c.pk]["rank"] is None
    assert rows[c.pk]["total"] is None
    assert rows[c.pk]["scores"][0]["value"] is None
    assert "缺数据" in body
    assert "不按0分计" in body
    assert rows[a.pk]["scores"][0]["numerator"] == 30
    assert rows[a.pk]["scores"][0]["denominator"] == 20000
    assert rows[a.pk]["scores"][0]["display"] == "15.00"


def test_each_demo_role_sees_its_own_scope(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    towns = _towns()
    url = reverse("assessment:ranking")
    period = default_period(timezone.localdate())
    leader = client_for(_user("leader")).get(url, {"level": "township"})
    assert leader.status_code == 200
    assert {r["region_id"] for r in leader.context["ranking"].rows} == {t.pk for t in towns}
    assert leader.context["ranking"].period == period
    assert "publish-panel" not in leader.content.decode()  # a leader reads; the platform publishes

    own = stats_roots(_user("dispatcher"))[0]
    township = client_for(_user("dispatcher")).get(url, {"level": "township"})
    assert [r["region_id"] for r in township.context["ranking"].rows] == [own.pk]
    communities = client_for(_user("dispatcher")).get(url, {"level": "community"})
    ids = {r["region_id"] for r in communities.context["ranking"].rows}
    villages = set(
        Region.objects.filter(level=RegionLevel.VILLAGE, parent=own).values_list("pk", flat=True)
    )
    assert ids == villages
    assert ids
    assert "publish-panel" not in township.content.decode()

    county = client_for(_user("dispatcher_county")).get(url, {"level": "community"})
    assert (
        len(county.context["ranking"].rows)
        == Region.objects.filter(level=RegionLevel.VILLAGE).count()
    )
    assert "publish-panel" in county.content.decode()

    assert client_for(_user("mediator")).get(url).status_code == 403
    assert client_for(_user("mediator")).get(reverse("assessment:export")).status_code == 403


def test_the_ranking_page_reads_a_constant_number_of_queries(
    db: None,
    client_for,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(_user("leader"))
    url = reverse("assessment:ranking")
    client.get(url, {"level": "community"})  # sessions and the like, once
    # 9 villages with 3 indicators, 3 townships with 12: no query per region or indicator.
    with django_assert_max_num_queries(30):
        community = client.get(url, {"level": "community"})
    with django_assert_max_num_queries(30):
        township = client.get(url, {"level": "township"})
    assert len(community.context["ranking"].rows) == 9
    assert len(township.context["ranking"].data["indicators"]) == 12


def test_publishing_freezes_the_inputs_and_a_double_click_publishes_once(
    db: None,
    client_for,  # type: ignore[no-untyped-def]
) -> None:
    a, b, c = _towns()
    _prosecutions_scheme()
    for town, n in ((a, 4), (b, 5), (c, 9)):
        _figure(town, ExternalIndicator.PRIVATE_PROSECUTIONS, n)
    client = client_for(_user("dispatcher_county"))
    form = {"county": _county().pk, "level": "township", "period": "2025-Q1"}
    first = client.post(reverse("assessment:publish"), form)
    second = client.post(reverse("assessment:publish"), form)
    assert first.status_code == second.status_code == 302
    assert Publication.objects.count() == 1
    published = Publication.objects.get()
    assert published.version == 1
    assert published.is_current
    assert AuditEvent.objects.filter(event_type="assessment.published").count() == 1
    bad = client.post(reverse("assessment:publish"), {**form, "period": "2025-Q9"})
    assert bad.status_code == 302
    assert Publication.objects.count() == 1  # a bad period publishes nothing else

    # A later correction: c now has the fewest. The published ranking does not move.
    _figure(c, ExternalIndicator.PRIVATE_PROSECUTIONS, 1)
    url = reverse("assessment:ranking")
    shown = client.get(url, form)
    assert shown.context["ranking"].rows[0]["region_id"] == a.pk
    assert "已发布" in shown.content.decode()
    live = client.get(url, {**form, "live": "1"})
    assert live.context["ranking"].rows[0]["region_id"] == c.pk

    # Republishing is explicit, with a reason, once under a double click.
    refused = client.post(
        reverse("assessment:publish"), {**form, "republish": "1", "version": 1, "reason": ""}
    )
    assert refused.status_code == 302
    assert Publication.objects.count() == 1
    again = {**form, "republish": "1", "version": 1, "reason": "法院更正自诉案件数"}
    client.post(reverse("assessment:publish"), again)
    client.post(reverse("assessment:publish"), again)
    versions = list(Publication.objects.order_by("version").values_list("version", "is_current"))
    assert versions == [(1, False), (2, True)]
    assert AuditEvent.objects.filter(event_type="assessment.republished").count() == 1
    assert client.get(url, form).context["ranking"].rows[0]["region_id"] == c.pk


def test_only_the_county_platform_publishes_and_only_ended_periods(db: None) -> None:
    _prosecutions_scheme()
    from django.core.exceptions import PermissionDenied

    from fengqiao.assessment.services import AssessmentError

    with pytest.raises(PermissionDenied):
        ranking_publish(
            actor=_user("dispatcher"), county=_county(), level=Level.TOWNSHIP, period=Q1
        )
    with pytest.raises(PermissionDenied):
        ranking_publish(actor=_user("leader"), county=_county(), level=Level.TOWNSHIP, period=Q1)
    current = Period.quarter(timezone.localdate())
    with pytest.raises(AssessmentError, match="尚未结束"):
        ranking_publish(
            actor=_user("dispatcher_county"),
            county=_county(),
            level=Level.TOWNSHIP,
            period=current,
        )
    # The community level of this scheme has no indicator: its weights do not sum to 100.
    with pytest.raises(AssessmentError, match="应为100分"):
        ranking_publish(
            actor=_user("dispatcher_county"), county=_county(), level=Level.COMMUNITY, period=Q1
        )


def test_the_export_is_watermarked_scoped_and_audited(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    own = stats_roots(_user("dispatcher"))[0]
    response = client_for(_user("dispatcher")).get(
        reverse("assessment:export"), {"level": "township"}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "导出人" in values[1][0]
    assert values[3][:2] == ["名次", "地区"]
    assert [row[1] for row in values[4:]] == [own.name]
    event = AuditEvent.objects.filter(event_type="data.exported").latest("pk")
    assert event.object_type == "assessment.ranking"


def test_the_demo_has_the_default_scheme_for_last_quarter(db: None) -> None:
    year = default_period(timezone.localdate()).start.year
    scheme = Scheme.objects.get(region=_county(), year=year)
    for level in Level.values:
        weights = scheme.indicators.filter(level=level).values_list("weight", flat=True)
        assert sum(weights) == D("100")
    assert scheme.indicators.filter(level=Level.TOWNSHIP).count() == 12
    assert set(
        scheme.indicators.filter(level=Level.COMMUNITY).values_list("measure", flat=True)
    ) == {
        "resolved",
        "success_rate",
        "lawsuits_per_10k",
    }
