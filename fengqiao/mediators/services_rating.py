"""等级评定/评星定级 per year: the year's criteria, the proposals the platform computes from each
mediator's figures (``figures``: from ``stats``, never counted here), trainings and upheld
complaints, and staff's approval — which writes the stars and grade to the mediator's profile
(``orgs.MediatorProfile``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import restrict
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.mediators import policy
from fengqiao.mediators.choices import UPHELD_OUTCOMES, ComplaintStatus, RatingStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.figures import figures_by_user, year_period
from fengqiao.mediators.models import YEAR_MAX, YEAR_MIN, Complaint, MediatorRating, RatingCriterion
from fengqiao.mediators.permissions import RATE_MEDIATORS
from fengqiao.mediators.services import authorize
from fengqiao.orgs import services as org_services
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES, MediatorGrade
from fengqiao.orgs.models import MediatorProfile, Membership, TrainingRecord


@dataclass(frozen=True)
class CriterionInput:
    stars: int
    grade: str
    min_cases: int = 0
    min_success_rate: Decimal = Decimal(0)
    min_performance_rate: Decimal = Decimal(0)
    min_satisfaction_rate: Decimal = Decimal(0)
    min_trainings: int = 0
    max_upheld_complaints: int = 0


@dataclass(frozen=True)
class Facts:
    """What a proposal weighs for one mediator and year."""

    cases: int
    success_rate: Decimal | None
    performance_rate: Decimal | None
    satisfaction_rate: Decimal | None
    trainings: int
    upheld: int


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise MediatorRuleError(_("年度应在%(a)d至%(b)d之间。") % {"a": YEAR_MIN, "b": YEAR_MAX})


def criteria_set(*, actor: Any, year: int, rows: Sequence[CriterionInput]) -> list[RatingCriterion]:
    """Replace the year's criteria (one row per star that is awarded at all). Ratings already
    approved keep what they were approved with."""
    authorize(actor, policy.RATE)
    _check_year(year)
    stars = [r.stars for r in rows]
    if len(set(stars)) != len(stars) or not all(1 <= s <= 5 for s in stars):
        raise MediatorRuleError(_("每个星级（1至5星）只能设定一条标准。"))
    for r in rows:
        if r.grade not in MediatorGrade.values:
            raise MediatorRuleError(_("请选择等级。"))
        for rate in (r.min_success_rate, r.min_performance_rate, r.min_satisfaction_rate):
            if not Decimal(0) <= rate <= Decimal(100):
                raise MediatorRuleError(_("比率应在0至100之间。"))
        if min(r.min_cases, r.min_trainings, r.max_upheld_complaints) < 0:
            raise MediatorRuleError(_("件数和次数不能为负数。"))
    with transaction.atomic():
        RatingCriterion.objects.filter(year=year).delete()
        created = RatingCriterion.objects.bulk_create(
            RatingCriterion(year=year, **r.__dict__) for r in sorted(rows, key=lambda r: r.stars)
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_RATING,
            object_type="mediators.ratingcriterion",
            object_id=str(year),
            object_repr=_("%(year)d年度评星定级标准") % {"year": year},
            after={"criteria": [{**r.__dict__, **_decimals(r)} for r in rows]},
        )
    return created


def _decimals(r: CriterionInput) -> dict[str, str]:
    return {
        "min_success_rate": str(r.min_success_rate),
        "min_performance_rate": str(r.min_performance_rate),
        "min_satisfaction_rate": str(r.min_satisfaction_rate),
    }


def _meets_rate(value: Decimal | None, threshold: Decimal) -> bool:
    # No denominator (no case resolved, none rated): only a threshold of 0 is met.
    if value is None:
        return threshold <= 0
    return value >= threshold


def meets(criterion: RatingCriterion, facts: Facts) -> bool:
    return (
        facts.cases >= criterion.min_cases
        and _meets_rate(facts.success_rate, criterion.min_success_rate)
        and _meets_rate(facts.performance_rate, criterion.min_performance_rate)
        and _meets_rate(facts.satisfaction_rate, criterion.min_satisfaction_rate)
        and facts.trainings >= criterion.min_trainings
        and facts.upheld <= criterion.max_upheld_complaints
    )


def propose(criteria: Iterable[RatingCriterion], facts: Facts) -> tuple[int, str]:
    """The highest star whose criterion the facts meet, with its grade; none met: 0, 未评定."""
    for criterion in sorted(criteria, key=lambda c: -c.stars):
        if meets(criterion, facts):
            return criterion.stars, criterion.grade
    return 0, MediatorGrade.UNGRADED


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def ratings_propose(*, actor: Any, year: int) -> int:
    """Compute (or recompute) the proposals of every serving mediator in the actor's scope for
    ``year``; approved ratings are left as they are. Returns how many were written."""
    authorize(actor, policy.RATE)
    _check_year(year)
    criteria = list(RatingCriterion.objects.filter(year=year))
    if not criteria:
        raise MediatorRuleError(_("请先设定%(year)d年度的评星定级标准。") % {"year": year})
    posts = (
        restrict(Membership.objects.all(), actor, RATE_MEDIATORS)
        .filter(ended_on__isnull=True, role__in=CASE_MEDIATOR_ROLES)
        .select_related("person")
        .order_by("person_id", "-is_full_time", "pk")
    )
    org_of: dict[int, int] = {}
    people: dict[int, Any] = {}
    for post in posts:
        org_of.setdefault(post.person_id, post.org_id)
        people.setdefault(post.person_id, post.person)
    if not people:
        return 0
    ids = list(people)
    figures = figures_by_user((p.user_id for p in people.values()), year_period(year))
    trainings = dict(
        TrainingRecord.objects.filter(person_id__in=ids, held_on__year=year)
        .values_list("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    upheld = dict(
        Complaint.objects.filter(
            mediator_id__in=ids,
            status=ComplaintStatus.CONCLUDED,
            outcome__in=UPHELD_OUTCOMES,
            concluded_on__year=year,
        )
        .values_list("mediator_id")
        .annotate(n=Count("pk"))
        .values_list("mediator_id", "n")
    )
    now = timezone.now()
    written = 0
    with transaction.atomic():
        existing = {
            r.person_id: r
            for r in MediatorRating.objects.select_for_update().filter(year=year, person_id__in=ids)
        }
        new = []
        changed = []
        for pk, person in people.items():
            f = figures.get(person.user_id) if person.user_id else None
            facts = Facts(
                cases=f.cases if f else 0,
                success_rate=f.success_rate if f else None,
                performance_rate=f.performance_rate if f else None,
                satisfaction_rate=f.satisfaction_rate if f else None,
                trainings=trainings.get(pk, 0),
                upheld=upheld.get(pk, 0),
            )
            stars, grade = propose(criteria, facts)
            snapshot = {
                "cases": facts.cases,
                "resolved": f.resolved if f else 0,
                "performed": f.performed if f else 0,
                "rated": f.rated if f else 0,
                "satisfied": f.satisfied if f else 0,
                "success_rate": _text(facts.success_rate),
                "performance_rate": _text(facts.performance_rate),
                "satisfaction_rate": _text(facts.satisfaction_rate),
                "trainings": facts.trainings,
                "upheld": facts.upheld,
                "has_login": person.user_id is not None,
            }
            rating = existing.get(pk)
            if rating is None:
                new.append(
                    MediatorRating(
                        person_id=pk,
                        org_id=org_of[pk],
                        year=year,
                        figures=snapshot,
                        proposed_stars=stars,
                        proposed_grade=grade,
                        computed_at=now,
                    )
                )
            elif rating.status == RatingStatus.PROPOSED:
                rating.org_id = org_of[pk]
                rating.figures = snapshot
                rating.proposed_stars = stars
                rating.proposed_grade = grade
                rating.computed_at = now
                changed.append(rating)
        MediatorRating.objects.bulk_create(new)
        MediatorRating.objects.bulk_update(
            changed, ["org", "figures", "proposed_stars", "proposed_grade", "computed_at"]
        )
        written = len(new) + len(changed)
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_RATING,
            object_type="mediators.mediatorrating",
            object_id=str(year),
            object_repr=_("%(year)d年度评星定级建议") % {"year": year},
            after={"year": year, "proposed": written},
        )
    return written


def rating_approve(
    *, actor: Any, rating_id: int, stars: int, grade: str, reason: str = ""
) -> MediatorRating:
    """审定: the proposal as it is, or adjusted with a reason. The mediator's profile takes the
    stars and grade unless a later year's rating is already approved."""
    if not 0 <= stars <= 5:
        raise MediatorRuleError(_("星级应为0至5。"))
    if grade not in MediatorGrade.values:
        raise MediatorRuleError(_("请选择等级。"))
    with transaction.atomic():
        rating = (
            MediatorRating.objects.select_for_update(of=("self",))
            .select_related("org__region", "person")
            .get(pk=rating_id)
        )
        authorize(actor, policy.APPROVE_RATING, rating)
        adjusted = (stars, grade) != (rating.proposed_stars, rating.proposed_grade)
        if adjusted and not reason.strip():
            raise MediatorRuleError(_("审定结果与系统建议不同，请填写调整理由。"))
        rating.stars = stars
        rating.grade = grade
        rating.reason = reason.strip()
        rating.status = RatingStatus.APPROVED
        rating.approved_by = actor
        rating.approved_at = timezone.now()
        rating.save()
        later = MediatorRating.objects.filter(
            person=rating.person, year__gt=rating.year, status=RatingStatus.APPROVED
        ).exists()
        if not later:
            _profile_stars(rating.person, stars, grade)
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_RATING,
            obj=rating,
            before={"proposed": [rating.proposed_stars, rating.proposed_grade]},
            after={"stars": stars, "grade": grade, "adjusted": adjusted, "reason": rating.reason},
        )
    return rating


def _profile_stars(person: Any, stars: int, grade: str) -> None:
    """Write stars and grade, keeping the rest of the profile as it is (``orgs`` replaces a
    profile whole)."""
    profile = MediatorProfile.objects.filter(person=person).first()
    if profile is None:
        org_services.mediator_profile_set(actor=None, person=person, stars=stars, grade=grade)
        return
    org_services.mediator_profile_set(
        actor=None,
        person=person,
        specialties=list(profile.specialties.values_list("category", flat=True)),
        grade=grade,
        stars=stars,
        studio_name=profile.studio_name,
        expert_fields=profile.expert_fields,
        certified_on=profile.certified_on,
    )
