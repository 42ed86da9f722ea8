"""队伍建设报表: committee composition, full-time staffing and training, each listing who falls
short. Every report is one aggregate query over the orgs/people the user can see.

- 人民调解法 art. 8: a mediation committee has 3–9 members, with at least one woman.
- 专职人民调解员 minimum per org kind (``OrgKind.min_full_time_mediators``; seeds 003 and 004).
- Each mediator attends at least one practical training (实训) a year (seed 003).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.access import restrict
from fengqiao.core.choices import Gender
from fengqiao.orgs.choices import PEOPLES_MEDIATOR_ROLES, Position, TrainingKind
from fengqiao.orgs.models import Membership, Organization, Person, TrainingRecord
from fengqiao.orgs.permissions import VIEW_REPORTS

COMMITTEE_MIN, COMMITTEE_MAX = 3, 9  # 人民调解法 art. 8
COMMITTEE_POSITIONS = [Position.DIRECTOR, Position.DEPUTY, Position.MEMBER]
REPORTS = {
    "composition": gettext_lazy("调委会组成"),
    "staffing": gettext_lazy("专职调解员配备"),
    "training": gettext_lazy("年度实训"),
}


@dataclass(frozen=True)
class CompositionRow:
    org: Organization
    members: int
    women: int

    @property
    def problems(self) -> list[str]:
        found = []
        if self.members < COMMITTEE_MIN:
            found.append(_("委员少于%(n)d人") % {"n": COMMITTEE_MIN})
        if self.members > COMMITTEE_MAX:
            found.append(_("委员多于%(n)d人") % {"n": COMMITTEE_MAX})
        if self.women < 1:
            found.append(_("无妇女成员"))
        return found


@dataclass(frozen=True)
class StaffingRow:
    org: Organization
    required: int
    full_time: int

    @property
    def shortfall(self) -> int:
        return max(self.required - self.full_time, 0)


@dataclass(frozen=True)
class TrainingRow:
    person: Person
    org_names: str
    practical: int


def _active(prefix: str = "memberships__") -> Q:
    return Q(**{f"{prefix}ended_on__isnull": True})


def committee_composition(user: Any, *, only_short: bool = False) -> list[CompositionRow]:
    in_committee = _active() & Q(memberships__position__in=COMMITTEE_POSITIONS)
    qs = (
        restrict(
            Organization.objects.filter(is_active=True, kind__is_mediation_committee=True),
            user,
            VIEW_REPORTS,
        )
        .select_related("kind", "region")
        .annotate(
            members=Count("memberships__person", filter=in_committee, distinct=True),
            women=Count(
                "memberships__person",
                filter=in_committee & Q(memberships__person__gender=Gender.FEMALE),
                distinct=True,
            ),
        )
        .order_by("region__path", "name")
    )
    if only_short:
        qs = qs.filter(Q(members__lt=COMMITTEE_MIN) | Q(members__gt=COMMITTEE_MAX) | Q(women=0))
    return [CompositionRow(o, o.members, o.women) for o in qs]


def full_time_staffing(user: Any, *, only_short: bool = False) -> list[StaffingRow]:
    full_time = _active() & Q(
        memberships__is_full_time=True, memberships__role__in=list(PEOPLES_MEDIATOR_ROLES)
    )
    qs = (
        restrict(
            Organization.objects.filter(is_active=True, kind__min_full_time_mediators__gt=0),
            user,
            VIEW_REPORTS,
        )
        .select_related("kind", "region")
        .annotate(full_time=Count("memberships__person", filter=full_time, distinct=True))
        .order_by("region__path", "name")
    )
    rows = [StaffingRow(o, o.kind.min_full_time_mediators, o.full_time) for o in qs]
    return [r for r in rows if r.shortfall] if only_short else rows


def mediator_training(user: Any, *, year: int, only_short: bool = False) -> list[TrainingRow]:
    """Active mediators in scope with their count of practical trainings in ``year``."""
    memberships = restrict(
        Membership.objects.filter(ended_on__isnull=True, role__in=list(PEOPLES_MEDIATOR_ROLES)),
        user,
        VIEW_REPORTS,
    )
    practical = Q(
        trainings__kind=TrainingKind.PRACTICAL,
        trainings__held_on__gte=date(year, 1, 1),
        trainings__held_on__lte=date(year, 12, 31),
    )
    qs: QuerySet[Person] = (
        Person.objects.filter(Exists(memberships.filter(person_id=OuterRef("pk"))))
        .select_related("region")
        .annotate(practical=Count("trainings", filter=practical, distinct=True))
        .order_by("region__path", "name", "pk")
    )
    if only_short:
        qs = qs.filter(practical=0)  # type: ignore[misc]  # the annotation above
    people = list(qs)
    names: dict[int, list[str]] = {}
    for person_id, org_name in memberships.filter(person_id__in=[p.pk for p in people]).values_list(
        "person_id", "org__name"
    ):
        names.setdefault(person_id, []).append(org_name)
    return [
        TrainingRow(p, "、".join(sorted(set(names.get(p.pk, [])))), p.practical)  # type: ignore[attr-defined]
        for p in people
    ]


def training_years() -> list[int]:
    years = TrainingRecord.objects.dates("held_on", "year", order="DESC")
    return [d.year for d in years]


ReportRows = Sequence[CompositionRow] | Sequence[StaffingRow] | Sequence[TrainingRow]


@dataclass(frozen=True)
class Report:
    """One of the 队伍建设 reports as a user in scope sees it."""

    kind: str
    year: int
    only_short: bool
    rows: ReportRows

    @property
    def title(self) -> str:
        return str(REPORTS[self.kind])


def report_for_user(user: Any, *, kind: str, year: int, only_short: bool = False) -> Report:
    """``kind`` is one of :data:`REPORTS` (anything else falls back to the first)."""
    rows: ReportRows
    if kind == "staffing":
        rows = full_time_staffing(user, only_short=only_short)
    elif kind == "training":
        rows = mediator_training(user, year=year, only_short=only_short)
    else:
        kind = "composition"
        rows = committee_composition(user, only_short=only_short)
    return Report(kind=kind, year=year, only_short=only_short, rows=rows)
