"""评星定级: the proposal is the highest star whose criterion the figures meet; the figures are
the stats app's; staff approve or adjust with a reason; an approved rating is frozen and written
to the mediator's profile."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengqiao.mediators import services_rating
from fengqiao.mediators.choices import RatingStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import MediatorRating, RatingCriterion
from fengqiao.mediators.services_rating import CriterionInput, Facts, propose
from fengqiao.mediators.tests.helpers import org_of, user
from fengqiao.orgs.choices import MediatorGrade
from fengqiao.orgs.models import MediatorProfile, Person
from fengqiao.stats.measures import mediator_figures
from fengqiao.stats.periods import Period

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _criteria() -> list[RatingCriterion]:
    return [
        RatingCriterion(stars=1, grade=MediatorGrade.JUNIOR, min_cases=1, max_upheld_complaints=1),
        RatingCriterion(
            stars=3,
            grade=MediatorGrade.INTERMEDIATE,
            min_cases=5,
            min_success_rate=Decimal(70),
            min_satisfaction_rate=Decimal(80),
            min_trainings=1,
            max_upheld_complaints=0,
        ),
    ]


def _facts(**kwargs: object) -> Facts:
    values: dict[str, object] = {
        "cases": 6,
        "success_rate": Decimal("75.0"),
        "performance_rate": None,
        "satisfaction_rate": Decimal("80.0"),
        "trainings": 1,
        "upheld": 0,
    }
    values.update(kwargs)
    return Facts(**values)  # type: ignore[arg-type]


def test_the_highest_star_met_is_proposed() -> None:
    assert propose(_criteria(), _facts()) == (3, MediatorGrade.INTERMEDIATE)
    # one threshold missed: the next star down
    assert propose(_criteria(), _facts(upheld=1)) == (1, MediatorGrade.JUNIOR)
    assert propose(_criteria(), _facts(success_rate=Decimal("69.9"))) == (1, "junior")
    assert propose(_criteria(), _facts(trainings=0)) == (1, "junior")
    # no rate (nothing rated) meets only a zero threshold
    assert propose(_criteria(), _facts(satisfaction_rate=None)) == (1, "junior")
    assert propose(_criteria(), _facts(cases=0)) == (0, MediatorGrade.UNGRADED)


def test_criteria_are_one_per_star_and_bounded() -> None:
    justice = user("justice")
    year = timezone.localdate().year
    with pytest.raises(MediatorRuleError, match="每个星级"):
        services_rating.criteria_set(
            actor=justice,
            year=year,
            rows=[CriterionInput(stars=2, grade="junior"), CriterionInput(stars=2, grade="junior")],
        )
    with pytest.raises(MediatorRuleError, match="0至100"):
        services_rating.criteria_set(
            actor=justice,
            year=year,
            rows=[CriterionInput(stars=1, grade="junior", min_success_rate=Decimal(101))],
        )
    with pytest.raises(PermissionDenied):
        services_rating.criteria_set(actor=user("orgadmin"), year=year, rows=[])


def test_the_proposals_read_the_stats_figures_within_the_staff_members_region() -> None:
    # Given the demo's proposals of the year (computed by the demo as ``justice``)
    year = timezone.localdate().year
    ratings = list(MediatorRating.objects.filter(year=year).select_related("org__region", "person"))
    assert ratings
    region = org_of("justice").region

    # Then they are of mediators of the justice office's township only
    assert all(r.org.region.path.startswith(region.path) for r in ratings)
    # And the demo mediator's figures are the stats app's, their upheld complaint counted
    mine = next(r for r in ratings if r.person.user_id == user("mediator").pk)
    figures = mediator_figures([mine.person.user_id], Period.year(timezone.localdate()))
    assert mine.figures["cases"] == figures[mine.person.user_id].cases
    assert mine.figures["resolved"] == figures[mine.person.user_id].resolved
    assert mine.figures["upheld"] == 1
    criteria = list(RatingCriterion.objects.filter(year=year))
    facts = Facts(
        cases=mine.figures["cases"],
        success_rate=figures[mine.person.user_id].success_rate,
        performance_rate=figures[mine.person.user_id].performance_rate,
        satisfaction_rate=figures[mine.person.user_id].satisfaction_rate,
        trainings=mine.figures["trainings"],
        upheld=1,
    )
    assert (mine.proposed_stars, mine.proposed_grade) == propose(criteria, facts)


def test_approval_adjusts_only_with_a_reason_writes_the_profile_and_freezes() -> None:
    justice = user("justice")
    year = timezone.localdate().year
    rating = MediatorRating.objects.filter(year=year).select_related("person").first()
    assert rating is not None
    other = (rating.proposed_stars + 1) % 6

    with pytest.raises(MediatorRuleError, match="调整理由"):
        services_rating.rating_approve(
            actor=justice, rating_id=rating.pk, stars=other, grade=rating.proposed_grade
        )
    services_rating.rating_approve(
        actor=justice,
        rating_id=rating.pk,
        stars=other,
        grade=MediatorGrade.SENIOR,
        reason="年度表彰，群众评价突出",
    )

    profile = MediatorProfile.objects.get(person=rating.person)
    assert (profile.stars, profile.grade) == (other, MediatorGrade.SENIOR)
    rating.refresh_from_db()
    assert rating.status == RatingStatus.APPROVED
    # a recompute leaves the approved rating alone
    services_rating.ratings_propose(actor=justice, year=year)
    rating.refresh_from_db()
    assert (rating.stars, rating.reason) == (other, "年度表彰，群众评价突出")
    with pytest.raises(MediatorRuleError, match="已审定"):
        services_rating.rating_approve(
            actor=justice, rating_id=rating.pk, stars=1, grade="junior", reason="x"
        )


def test_a_person_without_a_login_has_no_figures_but_is_rated() -> None:
    justice = user("justice")
    year = timezone.localdate().year
    rated = MediatorRating.objects.filter(year=year, person__user__isnull=True).first()
    if rated is None:
        pytest.skip("every demo mediator of the township has a login")
    assert rated.figures["cases"] == 0
    assert rated.figures["has_login"] is False
    assert Person.objects.get(pk=rated.person_id).user_id is None
    assert justice.pk
