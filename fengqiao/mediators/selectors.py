"""Every read of 调解员管理 a user triggers, with the data scope applied
(``accounts.access.restrict`` under the section's permission: the org's region under the
grant's, or the org). A mediator reads only their own work (``own_work``): their person is the
one linked to their login."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fengqiao.accounts.access import restrict
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.mediators.choices import (
    ApplicationStatus,
    ComplaintStatus,
    LineKind,
    RatingStatus,
)
from fengqiao.mediators.figures import figures_by_user, month_period, year_period
from fengqiao.mediators.models import (
    Application,
    Complaint,
    MediatorRating,
    RatingCriterion,
    RecruitmentRound,
    SubsidyLine,
    SubsidyRule,
    SubsidyStatement,
)
from fengqiao.mediators.permissions import (
    HANDLE_COMPLAINT,
    MANAGE_RECRUITMENT,
    MANAGE_SUBSIDY,
    RATE_MEDIATORS,
    VIEW_MEDIATOR_WORK,
)
from fengqiao.mediators.ranking import Ranked, rank_applications
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES, OrgFamily
from fengqiao.orgs.models import MediatorProfile, Membership, Organization, Person

PAGE = 50
# The orgs that have mediators: where a round recruits, whose cases earn subsidies.
MEDIATING_FAMILIES = (
    OrgFamily.COMMITTEE,
    OrgFamily.DISPATCHED_ROOM,
    OrgFamily.ADMIN_MEDIATION,
    OrgFamily.LAWYER_STUDIO,
    OrgFamily.COMMERCIAL,
    OrgFamily.INVITED,
    OrgFamily.JUSTICE,
)
RECENT_CASES = 20
SUBSIDY_MONTHS = 24


def _get(qs: QuerySet[Any], pk: int) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def mediating_orgs(user: Any, perm: str) -> QuerySet[Organization]:
    return (
        restrict(Organization.objects.filter(is_active=True), user, perm)
        .filter(kind__family__in=MEDIATING_FAMILIES)
        .select_related("region", "kind")
        .order_by("region__path", "name")
    )


def serving_posts(user: Any, perm: str) -> QuerySet[Membership]:
    """The serving mediators' posts in the user's scope under ``perm``."""
    return (
        restrict(Membership.objects.all(), user, perm)
        .filter(ended_on__isnull=True, role__in=CASE_MEDIATOR_ROLES)
        .select_related("person", "org__region")
        .order_by("org__region__path", "org__name", "person__name", "pk")
    )


# --- 选聘 ----------------------------------------------------------------------------------------


def rounds_for_user(user: Any) -> QuerySet[RecruitmentRound]:
    return restrict(RecruitmentRound.objects.all(), user, MANAGE_RECRUITMENT)


def round_list(user: Any) -> list[RecruitmentRound]:
    qs = rounds_for_user(user).select_related("org__region")
    return list(
        qs.annotate(
            applicant_count=Count("applications"),
            appointed_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.APPOINTED)
            ),
        )[:PAGE]
    )


def round_get_for_user(user: Any, pk: int) -> RecruitmentRound:
    found: RecruitmentRound = _get(rounds_for_user(user).select_related("org__region"), pk)
    return found


def application_get_for_user(user: Any, pk: int) -> Application:
    found: Application = _get(
        restrict(Application.objects.all(), user, MANAGE_RECRUITMENT).select_related(
            "round__org__region"
        ),
        pk,
    )
    return found


@dataclass(frozen=True)
class RoundView:
    found: RecruitmentRound
    ranking: list[Ranked]
    appointed: int

    @property
    def places_left(self) -> int:
        return max(self.found.places - self.appointed, 0)


def round_view(found: RecruitmentRound) -> RoundView:
    applications = list(found.applications.select_related("person", "decided_by"))
    appointed = sum(1 for a in applications if a.status == ApplicationStatus.APPOINTED)
    return RoundView(found, rank_applications(found, applications), appointed)


# --- 投诉 ----------------------------------------------------------------------------------------


def complaints_for_user(user: Any) -> QuerySet[Complaint]:
    return restrict(Complaint.objects.all(), user, HANDLE_COMPLAINT)


def complaint_list(user: Any, *, status: str = "") -> list[Complaint]:
    qs = complaints_for_user(user).select_related("mediator", "org", "related_case")
    if status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    return list(qs[:PAGE])


def complaint_get_for_user(user: Any, pk: int) -> Complaint:
    found: Complaint = _get(
        complaints_for_user(user).select_related(
            "mediator", "org__region", "related_case", "handled_by", "recorded_by"
        ),
        pk,
    )
    return found


# --- 评星定级 ------------------------------------------------------------------------------------


def criteria_for(year: int) -> list[RatingCriterion]:
    return list(RatingCriterion.objects.filter(year=year).order_by("stars"))


def ratings_for_user(user: Any, year: int) -> list[MediatorRating]:
    return list(
        restrict(MediatorRating.objects.filter(year=year), user, RATE_MEDIATORS)
        .select_related("person", "org", "approved_by")
        .order_by("org__region__path", "org__name", "person__name")
    )


def rating_get_for_user(user: Any, pk: int) -> MediatorRating:
    found: MediatorRating = _get(
        restrict(MediatorRating.objects.all(), user, RATE_MEDIATORS).select_related(
            "person", "org__region"
        ),
        pk,
    )
    return found


# --- 以案定补 ------------------------------------------------------------------------------------


def subsidy_rules() -> list[SubsidyRule]:
    return list(SubsidyRule.objects.all())


def statements_for_user(user: Any) -> QuerySet[SubsidyStatement]:
    return restrict(SubsidyStatement.objects.all(), user, MANAGE_SUBSIDY)


def statement_list(user: Any, *, month: date | None = None) -> list[SubsidyStatement]:
    qs = statements_for_user(user).select_related("org__region", "approved_by")
    if month is not None:
        qs = qs.filter(month=month)
    return list(qs.annotate(line_count=Count("lines"))[:PAGE])


def statement_get_for_user(user: Any, pk: int) -> SubsidyStatement:
    found: SubsidyStatement = _get(
        statements_for_user(user).select_related("org__region", "approved_by", "computed_by"),
        pk,
    )
    return found


def _name_of(user: Any) -> str:
    person = getattr(user, "person", None)
    return str(person.name) if person is not None else str(user.display_name)


def statement_lines(statement: SubsidyStatement) -> list[SubsidyLine]:
    """Every line, each with ``mediator_name`` (the person's name, else the login's)."""
    lines = list(
        statement.lines.select_related("mediator__person", "case", "rule").order_by(
            "mediator_id", "kind", "case__closed_at", "pk"
        )
    )
    for line in lines:
        line.mediator_name = _name_of(line.mediator)  # type: ignore[attr-defined]
    return lines


@dataclass(frozen=True)
class MediatorTotal:
    user_id: int
    name: str
    cases: int
    amount: Decimal


def statement_totals(statement: SubsidyStatement) -> list[MediatorTotal]:
    """Each mediator's part of a statement (the per-mediator statement)."""
    rows = (
        statement.lines.values("mediator_id")
        .annotate(amount=Sum("amount"), cases=Count("pk", filter=Q(kind=LineKind.CASE)))
        .order_by("mediator_id")
    )
    people = dict(
        Person.objects.filter(user_id__in=[r["mediator_id"] for r in rows]).values_list(
            "user_id", "name"
        )
    )
    return [
        MediatorTotal(r["mediator_id"], people.get(r["mediator_id"], "—"), r["cases"], r["amount"])
        for r in rows
    ]


# --- 调解员业绩 ----------------------------------------------------------------------------------


def mediator_page(user: Any, page: int = 1) -> Page[Any]:
    """The serving mediators the user may read the work of, a page at a time, with each one's
    profile (stars, grade) and current figures of the year."""
    posts = serving_posts(user, VIEW_MEDIATOR_WORK)
    paged = Paginator(posts, PAGE).get_page(page)
    people = [p.person for p in paged.object_list]
    profiles = {
        p.pk: p for p in MediatorProfile.objects.filter(person_id__in=[x.pk for x in people])
    }
    year = timezone.localdate().year
    figures = figures_by_user((p.user_id for p in people), year_period(year))
    for post in paged.object_list:
        post.profile = profiles.get(post.person_id)  # type: ignore[attr-defined]
        post.figures = (  # type: ignore[attr-defined]
            figures.get(post.person.user_id) if post.person.user_id else None
        )
    return paged


def mediator_get_for_user(user: Any, pk: int) -> Person:
    """A person with a mediator post (serving or ended) in an org the user reads the work of."""
    posts = restrict(Membership.objects.all(), user, VIEW_MEDIATOR_WORK).filter(
        person_id=pk, role__in=CASE_MEDIATOR_ROLES
    )
    if not posts.exists():
        raise Http404
    return Person.objects.select_related("user").get(pk=pk)


def own_person(user: Any) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


@dataclass
class MediatorWork:
    """What 我的业绩 (and a mediator's page for staff) shows."""

    person: Person
    profile: MediatorProfile | None
    posts: list[Membership]
    term: Application | None
    year: int
    year_figures: Any
    month_label: str
    month_figures: Any
    ratings: list[MediatorRating]
    complaints: list[Complaint]
    subsidies: list[dict[str, Any]]
    cases: list[Case] = field(default_factory=list)


def mediator_work(viewer: Any, person: Person, *, today: date | None = None) -> MediatorWork:
    """A mediator's work as ``viewer`` may see it (the caller checked the person is visible):
    figures of this year and month from ``stats``, approved ratings, concluded complaints,
    monthly subsidies, and the recent cases the viewer may open."""
    today = today or timezone.localdate()
    user_id = person.user_id
    this_year = year_period(today.year)
    this_month = month_period(today)
    year_figures = figures_by_user([user_id], this_year).get(user_id) if user_id else None
    month_figures = figures_by_user([user_id], this_month).get(user_id) if user_id else None
    subsidies: list[dict[str, Any]] = []
    cases: list[Case] = []
    if user_id is not None:
        subsidies = [
            dict(row)
            for row in SubsidyLine.objects.filter(mediator_id=user_id)
            .values("statement_id", "statement__month", "statement__status", "statement__org__name")
            .annotate(amount=Sum("amount"), cases=Count("pk", filter=Q(kind=LineKind.CASE)))
            .order_by("-statement__month", "statement_id")[:SUBSIDY_MONTHS]
        ]
        cases = list(
            restrict(Case.objects.filter(handler_id=user_id), viewer, VIEW_CASE)
            .select_related("handling_org")
            .order_by("-registered_at", "-pk")[:RECENT_CASES]
        )
    return MediatorWork(
        person=person,
        profile=MediatorProfile.objects.filter(person=person).first(),
        posts=list(
            person.memberships.filter(role__in=CASE_MEDIATOR_ROLES)
            .select_related("org")
            .order_by("ended_on", "-started_on")
        ),
        term=person.appointments.filter(status=ApplicationStatus.APPOINTED)
        .select_related("round__org")
        .order_by("-term_start")
        .first(),
        year=today.year,
        year_figures=year_figures,
        month_label=this_month.label,
        month_figures=month_figures,
        ratings=list(
            person.ratings.filter(status=RatingStatus.APPROVED)
            .select_related("org")
            .order_by("-year")
        ),
        complaints=list(
            person.complaints.filter(status=ComplaintStatus.CONCLUDED).order_by("-concluded_on")
        ),
        subsidies=subsidies,
        cases=cases,
    )


def party_complaints(party: Any) -> list[Complaint]:
    """The complaints ``party`` filed on the portal about their case's mediator, newest first
    (what the portal's case page shows them: when, the limit, the state)."""
    return list(Complaint.objects.filter(party=party).order_by("-received_on", "-pk"))
