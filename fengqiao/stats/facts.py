"""统计口径: what each case contributes to the measures, computed from the case and its rows.

``facts_of`` reads a batch of cases with a fixed number of queries (one per related table), so
refreshing a thousand cases costs the same handful of round trips as refreshing one. The rules
(what counts as resolved, overdue, performed, satisfied) are written out in docs/measures.md;
this module is the one place they are computed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from fengqiao.core.paths import PATH_SEGMENT
from fengqiao.court.models import Confirmation
from fengqiao.court.models.confirmation import ConfirmationStatus
from fengqiao.disputes.choices import DueKind, ReferralTarget, RiskGrade
from fengqiao.disputes.models import Case, DispatchOrder, DueItem, Referral
from fengqiao.disputes.selectors import responsible_org_id
from fengqiao.mediation.choices import PerformanceStatus
from fengqiao.mediation.models import Agreement, Failure, FollowUp, PerformanceItem
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.choices import Outcome

# 满意: 非常满意, 满意 and 基本满意 (docs/measures.md), as the county's 回访 forms count it.
SATISFIED_FROM = 3
# The deadlines whose passing makes a case 超期 (the court's own limits are the court's).
OVERDUE_KINDS = (DueKind.ACCEPT, DueKind.MEDIATION, DueKind.FEEDBACK)


@dataclass(frozen=True)
class Fact:
    """The fields of ``CaseFact`` (models.py), as computed."""

    region_id: int
    path: str
    township_path: str
    county_path: str
    org_id_value: int
    handler_id: int | None
    category: str
    channel: str
    grade: str
    registered_on: date
    concluded_on: date | None
    outcome: str
    resolved_level: int | None
    days: int | None
    group: bool
    overdue: bool
    criminal_transfer: bool
    confirmed: bool
    performed: bool
    defaulted: bool
    satisfaction: int | None

    @classmethod
    def of_row(cls, row: Any) -> Fact:
        """The fact a stored ``CaseFact`` holds."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def as_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _local_day(moment: Any) -> date:
    return timezone.localtime(moment).date()


class Units:
    """Each region's statistical unit (a grid's village) and township path. Read as needed and
    kept: a rebuild meets the same few thousand regions in every batch."""

    def __init__(self) -> None:
        self.unit: dict[int, tuple[int, str]] = {}
        self.township_path: dict[int, str] = {}
        self.county_path: dict[int, str] = {}

    def load(self, region_ids: Iterable[int]) -> None:
        missing = set(region_ids) - set(self.unit)
        if not missing:
            return
        regions = list(Region.objects.filter(pk__in=missing).only("level", "path"))
        wanted = {
            r.path[:i] for r in regions for i in range(PATH_SEGMENT, len(r.path), PATH_SEGMENT)
        }
        by_path = {r.path: r for r in Region.objects.filter(path__in=wanted).only("level", "path")}
        by_path.update({r.path: r for r in regions})
        for region in regions:
            chain = [
                by_path[region.path[:i]]
                for i in range(PATH_SEGMENT, len(region.path) + 1, PATH_SEGMENT)
                if region.path[:i] in by_path
            ]
            unit = next((r for r in reversed(chain) if r.level <= RegionLevel.VILLAGE), region)
            township = next((r for r in chain if r.level == RegionLevel.TOWNSHIP), unit)
            county = next((r for r in chain if r.level == RegionLevel.COUNTY), township)
            self.unit[region.pk] = (unit.pk, unit.path)
            self.township_path[region.pk] = township.path
            self.county_path[region.pk] = county.path


def facts_of(case_ids: Iterable[int], units: Units | None = None) -> dict[int, Fact]:
    """The facts of those of ``case_ids`` that exist, by case id."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    cases = list(
        Case.objects.filter(pk__in=ids).values(
            "pk",
            "region_id",
            "category",
            "channel",
            "grade",
            "status",
            "handling_org_id",
            "platform_id",
            "handler_id",
            "resolved_level",
            "registered_at",
            "closed_at",
            "flag_group",
        )
    )
    ids = [c["pk"] for c in cases]
    units = units or Units()
    units.load(c["region_id"] for c in cases)
    agreed = set(Agreement.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    failed = set(Failure.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    referrals = dict(Referral.objects.filter(case_id__in=ids).values_list("case_id", "target"))
    overdue = set(
        DueItem.objects.filter(case_id__in=ids, kind__in=OVERDUE_KINDS)
        .filter(Q(supervised_at__isnull=False) | Q(reported_at__isnull=False))
        .values_list("case_id", flat=True)
    ) | set(
        DispatchOrder.objects.filter(case_id__in=ids, responded_at__gt=F("accept_by")).values_list(
            "case_id", flat=True
        )
    )
    confirmed = set(
        Confirmation.objects.filter(
            case_id__in=ids, status=ConfirmationStatus.CONFIRMED
        ).values_list("case_id", flat=True)
    )
    performance: dict[int, set[str]] = {}
    for case_id, status in PerformanceItem.objects.filter(case_id__in=ids).values_list(
        "case_id", "status"
    ):
        performance.setdefault(case_id, set()).add(status)
    satisfaction: dict[int, int] = {}
    # The latest follow-up's answer is the case's (an earlier visit may be superseded).
    for case_id, answer in (
        FollowUp.objects.filter(case_id__in=ids)
        .order_by("case_id", "visited_at", "pk")
        .values_list("case_id", "satisfaction")
    ):
        satisfaction[case_id] = answer

    facts = {}
    for c in cases:
        pk = c["pk"]
        unit_id, unit_path = units.unit[c["region_id"]]
        concluded_on = _local_day(c["closed_at"]) if c["closed_at"] else None
        if concluded_on is None:
            outcome = Outcome.OPEN
        elif pk in agreed:
            outcome = Outcome.RESOLVED
        elif pk in failed:
            outcome = Outcome.FAILED
        elif pk in referrals:
            outcome = Outcome.REFERRED
        else:
            outcome = Outcome.WITHDRAWN
        registered_on = _local_day(c["registered_at"])
        resolved = outcome == Outcome.RESOLVED
        statuses = performance.get(pk, set())
        facts[pk] = Fact(
            region_id=unit_id,
            path=unit_path,
            township_path=units.township_path[c["region_id"]],
            county_path=units.county_path[c["region_id"]],
            org_id_value=responsible_org_id(c["handling_org_id"], c["platform_id"]) or 0,
            handler_id=c["handler_id"],
            category=c["category"],
            channel=c["channel"],
            grade=c["grade"] or "",
            registered_on=registered_on,
            concluded_on=concluded_on,
            outcome=outcome,
            resolved_level=c["resolved_level"] if resolved else None,
            days=(concluded_on - registered_on).days if resolved and concluded_on else None,
            group=bool(c["flag_group"]),
            overdue=concluded_on is not None and pk in overdue,
            criminal_transfer=referrals.get(pk) == ReferralTarget.POLICE,
            confirmed=resolved and pk in confirmed,
            performed=resolved and bool(statuses) and statuses == {PerformanceStatus.PERFORMED},
            defaulted=resolved and PerformanceStatus.DEFAULTED in statuses,
            satisfaction=satisfaction.get(pk) if concluded_on else None,
        )
    return facts


def is_major(fact: Fact) -> bool:
    return fact.grade == RiskGrade.MAJOR
