"""The rollups stay equal to a full recount whatever happens to the cases (issue 17 item 2)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.disputes.choices import ReferralTarget, RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.outcomes import case_archive, case_refer, case_withdraw
from fengqiao.disputes.tests.factories import register_case, start_mediation
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import case_agree, case_fail, follow_up_record
from fengqiao.stats.measures import measures_for
from fengqiao.stats.models import CaseFact, DailyCount, MonthlyCount, PendingFact
from fengqiao.stats.periods import Period
from fengqiao.stats.services import rollups_check, rollups_rebuild, rollups_refresh


def _lifecycle(rng: random.Random, cast: Any, world: Any, n: int) -> None:
    """One case taken as far as a random walk goes: registered, perhaps assessed, dispatched,
    accepted, mediated, then agreed, failed, referred or withdrawn, perhaps followed up."""
    case = register_case(
        actor=cast.dispatcher,
        platform=world.town_a_platform,
        region=world.village_east,
        title=f"第{n}起邻里纠纷",
    )
    if rng.random() < 0.1:
        case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=None, reason="当事人撤回")
        return
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=rng.choice([RiskGrade.LOW, RiskGrade.MEDIUM]),
        note="研判",
    )
    if rng.random() < 0.1:
        return
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
    case = start_mediation(case, cast.mediator_east)
    roll = rng.random()
    if roll < 0.55:
        case = case_agree(
            actor=cast.mediator_east,
            case_id=case.pk,
            version=None,
            kind=AgreementKind.WRITTEN,
            terms="李四于十日内疏通排水沟。",
            facts="双方因排水发生纠纷。",
            disputed_points="修复方式。",
        )
        if rng.random() < 0.6:
            follow_up_record(
                actor=cast.mediator_east, case_id=case.pk, satisfaction=rng.choice([2, 3, 4, 5])
            )
        if rng.random() < 0.3:
            case_archive(actor=cast.mediator_east, case_id=case.pk, version=None)
    elif roll < 0.8:
        case = case_fail(
            actor=cast.mediator_east, case_id=case.pk, version=None, undisputed_facts="借款属实。"
        )
        if rng.random() < 0.5:
            case_refer(
                actor=cast.mediator_east,
                case_id=case.pk,
                version=None,
                target=rng.choice([ReferralTarget.LITIGATION, ReferralTarget.POLICE]),
                receiver="县人民法院",
            )
    elif roll < 0.9:
        case_withdraw(actor=cast.mediator_east, case_id=case.pk, version=None, reason="和解")


def test_rollups_equal_a_recount_after_random_lifecycles(cast: Any, world: Any) -> None:
    rng = random.Random(17)
    for n in range(30):
        _lifecycle(rng, cast, world, n)
        if n < 25 and rng.random() < 0.3:
            rollups_refresh()  # a worker runs now and then, between the writes
    assert PendingFact.objects.exists()

    assert rollups_refresh() > 0
    result = rollups_check()

    assert result.ok, (result.fact_differences, result.row_differences[:5])
    assert result.cases == Case.objects.count() == CaseFact.objects.count() == 30
    assert not PendingFact.objects.exists()


def test_a_rollup_that_drifts_is_reported_and_a_rebuild_repairs_it(cast: Any, world: Any) -> None:
    rng = random.Random(3)
    for n in range(8):
        _lifecycle(rng, cast, world, n)
    rollups_refresh()
    row = DailyCount.objects.filter(intake__gt=0).first()
    DailyCount.objects.filter(pk=row.pk).update(intake=row.intake + 5)

    result = rollups_check()
    assert not result.ok
    assert any("dailycount" in line and "intake" in line for line in result.row_differences)

    rebuilt = rollups_rebuild()
    assert rebuilt.cases == 8
    assert rollups_check().ok


def test_measures_read_what_the_cases_did(cast: Any, world: Any) -> None:
    """Three cases by hand: one resolved (满意), one failed and sent to the police, one open."""
    for outcome in ("agree", "fail", "open"):
        case = register_case(
            actor=cast.dispatcher,
            platform=world.town_a_platform,
            region=world.village_east,
            title=f"{outcome}纠纷",
        )
        case = case_assess(
            actor=cast.dispatcher,
            case_id=case.pk,
            version=None,
            category=case.category,
            grade=RiskGrade.LOW,
            note="研判",
        )
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
        case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
        case = start_mediation(case, cast.mediator_east)
        if outcome == "agree":
            case_agree(
                actor=cast.mediator_east,
                case_id=case.pk,
                version=None,
                kind=AgreementKind.ORAL,
                terms="当场赔偿二百元。",
                facts="双方因排水发生纠纷。",
                disputed_points="赔偿数额。",
            )
            follow_up_record(actor=cast.mediator_east, case_id=case.pk, satisfaction=4)
        elif outcome == "fail":
            case_fail(
                actor=cast.mediator_east, case_id=case.pk, version=None, undisputed_facts="属实。"
            )
            case_refer(
                actor=cast.mediator_east,
                case_id=case.pk,
                version=None,
                target=ReferralTarget.POLICE,
                receiver="东村派出所",
            )
    rollups_refresh()
    today = timezone.localdate()

    m = measures_for(world.town_a, Period.month(today))

    assert m["intake"].value == 3
    assert m["resolved"].value == 1
    assert m["success_rate"].value == 50  # 1 resolved ÷ (1 resolved + 1 failed)
    assert (m["success_rate"].numerator, m["success_rate"].denominator) == (1, 2)
    assert m["concluded"].value == 2
    assert m["criminal_transfer"].value == 1
    assert m["satisfaction_rate"].value == 100
    assert m["share_village"].value == 100
    assert m["median_days"].value == 0
    assert m["performance_rate"].value is None  # no obligation has come due: "—", not 0
    # The same figures for the village, read from the daily rows.
    assert measures_for(world.village_east, Period.month(today))["resolved"].value == 1
    # And nothing in the month before.
    before = Period.month(today - timedelta(days=today.day))
    assert measures_for(world.town_a, before)["intake"].value == 0
    assert MonthlyCount.objects.filter(path=world.town_a.path).exists()


@pytest.mark.parametrize("kind", ["week", "month", "quarter", "year"])
def test_periods_follow_each_other(kind: str) -> None:
    today = timezone.localdate()
    period = Period.of(kind, today)
    assert period.start <= today <= period.end
    assert period.previous().end == period.start - timedelta(days=1)
    assert period.previous().kind == kind


def test_one_township_can_be_rebuilt_alone(cast: Any, world: Any) -> None:
    rng = random.Random(5)
    for n in range(6):
        _lifecycle(rng, cast, world, n)
    rollups_refresh()
    DailyCount.objects.filter(path__startswith=world.town_a.path).update(intake=0)

    rebuilt = rollups_rebuild(region=world.town_a)

    assert rebuilt.cases == 6
    assert rollups_check().ok
    with pytest.raises(ValueError, match="county or a township"):
        rollups_rebuild(region=world.village_east)
