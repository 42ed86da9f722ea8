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
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

COMMITTEE_MIN, COMMITTEE_MAX = 3, 9  # 人民调解法 art. 8
COMMITTEE_POSITIONS = [Position.DIRECTOR, Position.DEPUTY, Position.MEMBER]
REPORTS = {
    "composition": gettext_lazy("调委会组成"),
    "staffing": gettext_lazy("专职调解员配备"),
    "training": gettext_lazy("年度实训"),
    "coverage": gettext_lazy("调解组织覆盖"),
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


# --- 调解组织覆盖 (seed 004 items 7 and 9–14: 各类调解组织基本实现点、线、面覆盖) -------------
#
# - every village (村/社区) and every township (乡镇/街道) has a people's mediation committee;
# - every court (人民法院, 人民法庭) has a 驻法院调解室 and every 信访接待场所 — a 信访办, and the
#   township 综治中心/平安办 where a township receives 信访 — a 信访事项调解室 (seed 004 item 7);
# - every police station with ``POLICE_ROOM_OFFICERS`` or more officers has a 驻派出所调解室
#   (seed 004 item 7: 符合条件的派出所（实有警力20人以上）). A station whose 民警人数 is not
#   recorded is listed so it gets recorded, and not counted either way.
#
# A room serves the units it is tied to (its 上级单位, its 结对单位); a room tied to none of
# them serves the units of its family in its own region (a 驻庭调解室 registered under the
# township committee, in the 法庭's township).

POLICE_ROOM_OFFICERS = 20
VILLAGE_COMMITTEE, TOWNSHIP_COMMITTEE = "committee_village", "committee_township"
COURT, PETITION, POLICE = "court", "petition", "police"
UNIT_FAMILY = {
    "court": COURT,
    "tribunal": COURT,
    "petition_office": PETITION,
    "platform": PETITION,  # township platforms only (``_units``)
    "police_station": POLICE,
}
ROOM_FAMILY = {"room_court": COURT, "room_petition": PETITION, "room_police": POLICE}


@dataclass(frozen=True)
class CoverageFigure:
    key: str
    label: str
    required: int
    covered: int

    @property
    def missing(self) -> int:
        return self.required - self.covered

    @property
    def percent(self) -> float | None:
        """The share covered, in percent to one decimal (``None``: nothing is required)."""
        return round(100 * self.covered / self.required, 1) if self.required else None

    @property
    def share(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.1f}%"


@dataclass(frozen=True)
class CoverageGap:
    place: str  # the region the unit is in
    unit: str  # the village, township or org
    kind: str
    lacks: str
    org: Organization | None = None


@dataclass(frozen=True)
class Coverage:
    figures: list[CoverageFigure]
    gaps: list[CoverageGap]


def _has_org(kind: str) -> Exists:
    return Exists(
        Organization.objects.filter(kind__code=kind, is_active=True, region_id=OuterRef("pk"))
    )


def _units(user: Any) -> list[Organization]:
    """The courts, 信访 places and police stations in ``user``'s scope."""
    kinds = [code for code in UNIT_FAMILY if code != "platform"]
    return list(
        restrict(
            Organization.objects.filter(is_active=True).filter(
                Q(kind__code__in=kinds)
                | Q(kind__code="platform", region__level=RegionLevel.TOWNSHIP)
            ),
            user,
            VIEW_REPORTS,
        )
        .select_related("kind", "region")
        .order_by("region__path", "kind__sort_order", "name")
    )


def _with_room(units: list[Organization]) -> set[int]:
    """The ids of ``units`` a 派驻调解室 of their family serves (two queries)."""
    by_pk = {u.pk: u for u in units}
    rooms = list(
        Organization.objects.filter(is_active=True, kind__code__in=list(ROOM_FAMILY))
        .filter(
            Q(region_id__in={u.region_id for u in units})
            | Q(parent_id__in=list(by_pk))
            | Q(paired_orgs__in=list(by_pk))
        )
        .values_list("pk", "kind__code", "region_id", "parent_id")
        .distinct()
    )
    pairs: dict[int, set[int]] = {}
    through = Organization.paired_orgs.through
    for room_id, other_id in through.objects.filter(
        from_organization_id__in=[r[0] for r in rooms]
    ).values_list("from_organization_id", "to_organization_id"):
        pairs.setdefault(room_id, set()).add(other_id)
    covered: set[int] = set()
    for pk, kind, region_id, parent_id in rooms:
        family = ROOM_FAMILY[kind]
        tied = {
            other
            for other in {parent_id, *pairs.get(pk, set())}
            if other in by_pk and UNIT_FAMILY[by_pk[other].kind.code] == family
        }
        covered |= tied or {
            u.pk for u in units if u.region_id == region_id and UNIT_FAMILY[u.kind.code] == family
        }
    return covered


def coverage(user: Any) -> Coverage:
    """The coverage figures and the units that lack what they should have, in ``user``'s
    scope (four queries)."""
    regions = list(
        restrict(
            Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]),
            user,
            VIEW_REPORTS,
        )
        .select_related("parent")
        .annotate(
            has_village=_has_org(VILLAGE_COMMITTEE), has_township=_has_org(TOWNSHIP_COMMITTEE)
        )
        .order_by("path")
    )
    villages = [r for r in regions if r.level == RegionLevel.VILLAGE]
    townships = [r for r in regions if r.level == RegionLevel.TOWNSHIP]
    units = _units(user)
    served = _with_room(units)
    courts = [o for o in units if UNIT_FAMILY[o.kind.code] == COURT]
    halls = [o for o in units if UNIT_FAMILY[o.kind.code] == PETITION]
    stations = [o for o in units if UNIT_FAMILY[o.kind.code] == POLICE]
    large = [o for o in stations if (o.officer_count or 0) >= POLICE_ROOM_OFFICERS]
    required = [*courts, *halls, *large]
    figures = [
        CoverageFigure(
            "villages",
            _("村（社区）人民调解委员会"),
            len(villages),
            sum(1 for r in villages if r.has_village),
        ),
        CoverageFigure(
            "townships",
            _("乡镇（街道）人民调解委员会"),
            len(townships),
            sum(1 for r in townships if r.has_township),
        ),
        CoverageFigure(
            "courts",
            _("人民法院、人民法庭驻法院调解室"),
            len(courts),
            sum(1 for o in courts if o.pk in served),
        ),
        CoverageFigure(
            "petition",
            _("信访接待场所信访事项调解室"),
            len(halls),
            sum(1 for o in halls if o.pk in served),
        ),
        CoverageFigure(
            "police",
            _("实有警力20人以上派出所驻所调解室"),
            len(large),
            sum(1 for o in large if o.pk in served),
        ),
    ]
    committee = _("人民调解委员会")
    lacks = {COURT: _("驻法院调解室"), PETITION: _("信访事项调解室"), POLICE: _("驻派出所调解室")}
    gaps = [
        CoverageGap(r.parent.name if r.parent else "", r.name, _("村（社区）"), committee)
        for r in villages
        if not r.has_village
    ]
    gaps += [
        CoverageGap(r.parent.name if r.parent else "", r.name, _("乡镇（街道）"), committee)
        for r in townships
        if not r.has_township
    ]
    required_ids = {o.pk for o in required}
    for org in units:
        if org.pk not in required_ids or org.pk in served:
            continue
        family = UNIT_FAMILY[org.kind.code]
        kind = org.kind.name
        if family == POLICE:
            kind = _("派出所（民警%(n)d名）") % {"n": org.officer_count}
        gaps.append(CoverageGap(org.region.name, org.name, kind, lacks[family], org))
    gaps += [
        CoverageGap(o.region.name, o.name, o.kind.name, _("未登记民警人数"), o)
        for o in stations
        if o.officer_count is None
    ]
    return Coverage(figures, gaps)


ReportRows = (
    Sequence[CompositionRow] | Sequence[StaffingRow] | Sequence[TrainingRow] | Sequence[CoverageGap]
)


@dataclass(frozen=True)
class Report:
    """One of the 队伍建设 reports as a user in scope sees it."""

    kind: str
    year: int
    only_short: bool
    rows: ReportRows
    coverage: Coverage | None = None

    @property
    def title(self) -> str:
        return str(REPORTS[self.kind])


def report_for_user(user: Any, *, kind: str, year: int, only_short: bool = False) -> Report:
    """``kind`` is one of :data:`REPORTS` (anything else falls back to the first)."""
    rows: ReportRows
    if kind == "coverage":
        found = coverage(user)
        return Report(kind=kind, year=year, only_short=True, rows=found.gaps, coverage=found)
    if kind == "staffing":
        rows = full_time_staffing(user, only_short=only_short)
    elif kind == "training":
        rows = mediator_training(user, year=year, only_short=only_short)
    else:
        kind = "composition"
        rows = committee_composition(user, only_short=only_short)
    return Report(kind=kind, year=year, only_short=only_short, rows=rows)
