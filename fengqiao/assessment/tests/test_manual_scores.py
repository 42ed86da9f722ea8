"""人工评分 (seed 000 §四(四) item 10): the county 综治中心 dispatcher enters a township's score
with its evidence; it shows in the ranking and in the score's inputs, a township without one is
缺数据 (never 0), bad input is refused in Chinese and nothing is saved, a township dispatcher
is refused, every entry is audited and a publication keeps the scores it was published with."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.assessment.choices import Level, Rule
from fengqiao.assessment.models import Indicator, ManualScore, Publication
from fengqiao.assessment.selectors import default_period, period_code
from fengqiao.assessment.services import AssessmentError, manual_score_clear, manual_score_set
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.usefixtures("demo_county")

NOTE = "《关于规范物业服务纠纷化解的司法建议》被县政府采纳并转发"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _county() -> Region:
    return Region.objects.get(level=RegionLevel.COUNTY)


def _towns() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("path"))


def _period() -> Period:
    return default_period(timezone.localdate())


def _item_10() -> Indicator:
    """The default scheme's 人工评分 indicator (seed 000 item 10) of last quarter's year."""
    return Indicator.objects.get(
        scheme__region=_county(), scheme__year=_period().start.year, rule=Rule.MANUAL
    )


def _scores_url(indicator: Indicator) -> str:
    return reverse("assessment:manual_scores", args=[indicator.scheme.year, indicator.pk])


def _post(client: Any, indicator: Indicator, region: Region, score: str, note: str = NOTE) -> Any:
    return client.post(
        _scores_url(indicator),
        {
            "county": _county().pk,
            "period": period_code(_period()),
            "region": region.pk,
            "score": score,
            "note": note,
        },
    )


def _ranking(client: Any, **extra: str) -> Any:
    return client.get(
        reverse("assessment:ranking"),
        {"level": "township", "period": period_code(_period()), **extra},
    )


def _score_of(page: Any, region: Region, name: str) -> dict[str, Any]:
    row = next(r for r in page.context["ranking"].rows if r["region_id"] == region.pk)
    return next(s for s in row["scores"] if s["indicator"] == name)


def test_the_default_scheme_scores_item_10_by_hand_within_100_points(db: None) -> None:
    item = _item_10()
    assert (item.level, item.measure, item.weight) == (Level.TOWNSHIP, "", Decimal("5"))
    assert "第10项" in item.basis
    weights = Indicator.objects.filter(scheme=item.scheme, level=Level.TOWNSHIP)
    assert sum(weights.values_list("weight", flat=True)) == Decimal("100")


def test_the_county_dispatcher_enters_a_score_seen_in_the_ranking_and_its_inputs(
    db: None,
    client_for,  # type: ignore[no-untyped-def]
) -> None:
    a, b, _c = _towns()
    item = _item_10()
    county = client_for(_user("dispatcher_county"))
    # The column of the indicator offers the entry to the county platform only.
    assert "录入评分" in _ranking(county).content.decode()
    assert "录入评分" not in _ranking(client_for(_user("leader"))).content.decode()

    events = AuditEvent.objects.filter(event_type="assessment.scheme_changed")
    seeded = events.count()  # the demo's scheme was created and audited
    saved = _post(county, item, a, "4.5")
    assert saved.status_code == 302
    _post(county, item, a, "4.5")  # a double click: one entry, one audit event
    entry = ManualScore.objects.get()
    assert (entry.region_id, entry.score, entry.note) == (a.pk, Decimal("4.50"), NOTE)
    assert (entry.period_start, entry.period_end) == (_period().start, _period().end)
    assert events.count() == seeded + 1
    event = events.latest("pk")
    assert (event.after["score"], event.after["note"], event.before) == ("4.50", NOTE, None)
    assert event.actor_id == _user("dispatcher_county").pk
    listed = county.get(_scores_url(item), {"county": _county().pk}).content.decode()
    assert NOTE in listed

    page = _ranking(client_for(_user("leader")))
    body = page.content.decode()
    mine = _score_of(page, a, item.name)
    assert mine["score"] == "4.50"
    assert mine["label"] == "人工评分"
    assert NOTE in mine["note"]
    assert NOTE in body  # in the score's drill-down
    assert "人工评分：4.50分（本指标分值5.00分）" in body
    # Not scored: 缺数据, listed as missing, never 0.
    theirs = _score_of(page, b, item.name)
    assert theirs["score"] is None
    row_b = next(r for r in page.context["ranking"].rows if r["region_id"] == b.pk)
    assert item.name in row_b["missing"]
    row_a = next(r for r in page.context["ranking"].rows if r["region_id"] == a.pk)
    assert item.name not in row_a["missing"]

    # A correction is audited with the score before and after.
    _post(county, item, a, "3", "调研报告获县委主要领导批示")
    entry.refresh_from_db()
    assert entry.score == Decimal("3")
    latest = AuditEvent.objects.filter(event_type="assessment.scheme_changed").latest("pk")
    assert (latest.before["score"], latest.after["score"]) == ("4.50", "3.00")


def test_a_township_dispatcher_cannot_enter_a_score(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    own = _towns()[0]
    item = _item_10()
    for name in ("dispatcher", "leader"):
        client = client_for(_user(name))
        assert client.get(_scores_url(item), {"county": _county().pk}).status_code == 403
        assert _post(client, item, own, "5").status_code == 403
    with pytest.raises(PermissionDenied):
        manual_score_set(
            actor=_user("dispatcher"),
            indicator=item,
            region=own,
            period=_period(),
            score=Decimal("5"),
            note=NOTE,
        )
    assert not ManualScore.objects.exists()


@pytest.mark.parametrize("score", ["5.01", "-1", "4.555", "100"])
def test_an_out_of_range_score_is_refused_in_chinese_and_nothing_is_saved(
    db: None,
    score: str,
    client_for,  # type: ignore[no-untyped-def]
) -> None:
    item = _item_10()
    refused = _post(client_for(_user("dispatcher_county")), item, _towns()[0], score)
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "评分应在0至5.00分之间（本指标分值5.00分），最多两位小数。" in body
    assert NOTE in body  # what was typed is kept
    assert not ManualScore.objects.exists()
    assert not AuditEvent.objects.filter(after__has_key="manual_score").exists()


def test_the_service_refuses_what_the_rules_refuse(db: None) -> None:
    item = _item_10()
    town = _towns()[0]
    village = Region.objects.filter(level=RegionLevel.VILLAGE).first()
    assert village is not None
    actor = _user("dispatcher_county")
    args: dict[str, Any] = {
        "actor": actor,
        "indicator": item,
        "region": town,
        "period": _period(),
        "score": Decimal("3"),
        "note": NOTE,
    }
    with pytest.raises(AssessmentError, match="请写明评分依据"):
        manual_score_set(**{**args, "note": "   "})
    with pytest.raises(AssessmentError, match="参加该项考核的乡镇"):
        manual_score_set(**{**args, "region": village})
    with pytest.raises(AssessmentError, match="评分期间应为"):
        manual_score_set(**{**args, "period": Period.year(_period().start.replace(year=2020))})
    other = Indicator.objects.filter(scheme=item.scheme).exclude(rule=Rule.MANUAL).first()
    with pytest.raises(AssessmentError, match="不是人工评分指标"):
        manual_score_set(**{**args, "indicator": other})
    assert not ManualScore.objects.exists()


def test_publishing_freezes_the_manual_scores(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    a = _towns()[0]
    item = _item_10()
    client = client_for(_user("dispatcher_county"))
    _post(client, item, a, "4")
    published = client.post(
        reverse("assessment:publish"),
        {"county": _county().pk, "level": "township", "period": period_code(_period())},
    )
    assert published.status_code == 302
    assert Publication.objects.count() == 1
    _post(client, item, a, "1", "复核后认定影响有限")

    shown = _ranking(client)
    assert _score_of(shown, a, item.name)["score"] == "4.00"
    assert NOTE in _score_of(shown, a, item.name)["note"]
    live = _ranking(client, live="1")
    assert _score_of(live, a, item.name)["score"] == "1.00"


# --- 清除评分 -------------------------------------------------------------------------------------

WRONG = "误录为本镇，应为另一乡镇的司法建议"


def _clear(client: Any, indicator: Indicator, region: Region, reason: str = WRONG) -> Any:
    return client.post(
        reverse("assessment:manual_score_clear", args=[indicator.scheme.year, indicator.pk]),
        {
            "county": _county().pk,
            "period": period_code(_period()),
            "region": region.pk,
            "reason": reason,
        },
        follow=True,
    )


def test_the_county_dispatcher_clears_a_score_which_is_then_missing_again(
    db: None,
    client_for,  # type: ignore[no-untyped-def]
) -> None:
    a = _towns()[0]
    item = _item_10()
    county = client_for(_user("dispatcher_county"))
    _post(county, item, a, "4.5")
    page = county.get(
        _scores_url(item), {"county": _county().pk, "period": period_code(_period())}
    ).content.decode()
    assert f'id="manual-clear-{a.pk}"' in page

    cleared = _clear(county, item, a)

    body = cleared.content.decode()
    assert "的人工评分，该项显示为缺数据" in body
    assert not ManualScore.objects.exists()
    assert f'id="manual-clear-{a.pk}"' not in body
    # The ranking shows 缺数据 again (never 0)
    shown = _ranking(client_for(_user("leader")))
    assert _score_of(shown, a, item.name)["score"] is None
    row = next(r for r in shown.context["ranking"].rows if r["region_id"] == a.pk)
    assert item.name in row["missing"]
    # Audited with the score removed and the reason
    event = AuditEvent.objects.filter(event_type="assessment.scheme_changed").latest("pk")
    assert event.actor_id == _user("dispatcher_county").pk
    assert (event.before["score"], event.after["cleared"], event.after["reason"]) == (
        "4.50",
        True,
        WRONG,
    )


def test_clearing_needs_a_reason_and_a_score_to_clear(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    a, b, _c = _towns()
    item = _item_10()
    county = client_for(_user("dispatcher_county"))
    _post(county, item, a, "4")
    assert "清除理由" in _clear(county, item, a, reason="").content.decode()
    args: dict[str, Any] = {
        "actor": _user("dispatcher_county"),
        "indicator": item,
        "region": a,
        "period": _period(),
    }
    with pytest.raises(AssessmentError, match="请写明清除评分的理由"):
        manual_score_clear(**args, reason="  ")
    with pytest.raises(AssessmentError, match="控制字符"):
        manual_score_clear(**args, reason="误录\x07")
    with pytest.raises(AssessmentError, match="没有人工评分，无需清除"):
        manual_score_clear(**{**args, "region": b}, reason=WRONG)
    assert ManualScore.objects.count() == 1


def test_only_who_may_score_may_clear(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    a = _towns()[0]
    item = _item_10()
    _post(client_for(_user("dispatcher_county")), item, a, "4")
    for name in ("dispatcher", "leader"):
        assert _clear(client_for(_user(name)), item, a).status_code == 403
        with pytest.raises(PermissionDenied):
            manual_score_clear(
                actor=_user(name), indicator=item, region=a, period=_period(), reason=WRONG
            )
    assert ManualScore.objects.count() == 1


def test_a_score_is_not_cleared_once_the_ranking_is_published(db: None, client_for) -> None:  # type: ignore[no-untyped-def]
    a = _towns()[0]
    item = _item_10()
    client = client_for(_user("dispatcher_county"))
    _post(client, item, a, "4")
    client.post(
        reverse("assessment:publish"),
        {"county": _county().pk, "level": "township", "period": period_code(_period())},
    )
    assert Publication.objects.count() == 1
    # The page offers no 清除 and says why; the service refuses with the same words
    page = client.get(
        _scores_url(item), {"county": _county().pk, "period": period_code(_period())}
    ).content.decode()
    assert f'id="manual-clear-{a.pk}"' not in page
    assert "的排名已发布，人工评分不能清除" in page
    assert "的排名已发布，人工评分不能清除" in _clear(client, item, a).content.decode()
    with pytest.raises(AssessmentError, match="的排名已发布"):
        manual_score_clear(
            actor=_user("dispatcher_county"),
            indicator=item,
            region=a,
            period=_period(),
            reason=WRONG,
        )
    assert ManualScore.objects.count() == 1
