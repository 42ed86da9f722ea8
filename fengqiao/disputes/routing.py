"""交办推荐 — which orgs and which mediators the platform suggests for a case (DESIGN §2).

Orgs: 属地 (territory) and 属事 (subject). Every candidate sits on the case's region chain
(网格 → 村 → 乡镇 → 区县) at or above the lowest level the case's risk grade allows
(``TerritoryRule``); a general committee there is a territorial match, an org of a kind the
category's ``SubjectRule`` names (or that lists the category among its 受理类别) a subject
match. Seed 003's 网格先行化解 puts the village first for five simple kinds at low risk.

Mediators: people with an active mediator membership in the recommended orgs, scored on
specialty, current load, success rate over 12 months and distance, grade and stars breaking
ties. Each recommendation carries its reasons in Chinese for the dispatcher.

Reads are bounded and indexed: a handful of queries whatever the size of the county.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseStatus,
    DispatchStatus,
    DueKind,
    HandlingLevel,
    IntakeChannel,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    Party,
    SubjectRule,
    TerritoryRule,
)
from fengqiao.orgs.choices import (
    CASE_MEDIATOR_ROLES,
    COURT_ROOM_KIND,
    POLICE_ROOM_KIND,
    MediatorGrade,
    OrgFamily,
)
from fengqiao.orgs.models import (
    MediatorSpecialty,
    Membership,
    Organization,
    OrgCategory,
    RecusalDeclaration,
)
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import PATH_SEGMENT, Region

# --- Defaults ------------------------------------------------------------------------------------

# The rules are rows the admin edits (``TerritoryRule``, ``SubjectRule``); migration 0003 loaded the
# defaults. A grade whose territory rule was deleted is routed by this table, and the 交办 form
# warns the dispatcher (``rule_warnings``); nothing is re-created.
TERRITORY_DEFAULTS: dict[str, int] = {
    RiskGrade.LOW: HandlingLevel.VILLAGE,
    RiskGrade.MEDIUM: HandlingLevel.TOWNSHIP,
    RiskGrade.HIGH: HandlingLevel.COUNTY,
    RiskGrade.MAJOR: HandlingLevel.COUNTY,
}


# --- Rules --------------------------------------------------------------------------------------

# General committees: they handle any dispute of their territory.
TERRITORIAL_KINDS = ("committee_village", "committee_township", "committee_regional")
# Families whose orgs mediate: a court or a police station that lists its categories is not an
# org a case is dispatched to (its stationed room is).
MEDIATING_FAMILIES = (
    OrgFamily.COMMITTEE,
    OrgFamily.ADMIN_MEDIATION,
    OrgFamily.DISPATCHED_ROOM,
    OrgFamily.LAWYER_STUDIO,
    OrgFamily.COMMERCIAL,
    OrgFamily.INVITED,
    OrgFamily.MASS_ORG,
)
# Seed 003 (网格先行化解): 简易婚姻家庭、邻里、物业、人身损害赔偿、房屋宅基地 disputes at low
# risk are tried first at grid/village level. 人身损害赔偿 is filed under 损害赔偿; every
# low-risk 婚姻家庭 case counts as simple (the assessment grades the complex ones higher).
GRID_FIRST_CATEGORIES = frozenset(
    {
        DisputeCategory.MARRIAGE_FAMILY,
        DisputeCategory.NEIGHBOUR,
        DisputeCategory.PROPERTY_MGMT,
        DisputeCategory.DAMAGES,
        DisputeCategory.HOUSING_LAND,
    }
)
GRID_FIRST_BONUS = 100
# A case referred by a court, the police or 信访 suits the mediation room stationed there.
CHANNEL_KINDS: dict[str, str] = {
    IntakeChannel.COURT_PRE: COURT_ROOM_KIND,
    IntakeChannel.COURT_POST: COURT_ROOM_KIND,
    IntakeChannel.POLICE: POLICE_ROOM_KIND,
    IntakeChannel.PETITION: "room_petition",
}
CHANNEL_WEIGHT = 50
DECLARED_WEIGHT = 40  # an org listing the category though no rule names its kind
TERRITORY_WEIGHT = 30  # at the lowest allowed level; 10 less per level above it
MAX_CANDIDATES = 60
MEDIATOR_ORGS = 5  # mediators come from the first five recommended orgs
MAX_MEMBERSHIPS = 200
LEVEL_WORDS = {
    HandlingLevel.VILLAGE: gettext_lazy("村级"),
    HandlingLevel.TOWNSHIP: gettext_lazy("乡镇级"),
    HandlingLevel.COUNTY: gettext_lazy("区县级"),
}


@dataclass
class OrgRecommendation:
    org: Organization
    score: int
    reasons: list[str] = field(default_factory=list)
    territorial: bool = False
    subject: bool = False


@dataclass
class MediatorRecommendation:
    person: Any  # orgs.Person
    org: Organization
    score: int
    reasons: list[str] = field(default_factory=list)
    open_cases: int | None = None
    success_rate: float | None = None


def territory_min_level(grade: str) -> int:
    """The admin's lowest handling level for ``grade``; without a rule, the default (the 交办
    form says so: ``rule_warnings``)."""
    level = TerritoryRule.objects.filter(grade=grade).values_list("min_level", flat=True).first()
    return level if level is not None else TERRITORY_DEFAULTS.get(grade, RegionLevel.VILLAGE)


def _subject_rules(category: str) -> dict[int, SubjectRule]:
    """Active rules for the category by org kind id."""
    rules = SubjectRule.objects.filter(category=category, is_active=True)
    return {r.kind_id: r for r in rules}


def _chain(case: Case) -> list[Region]:
    """The case's region and its ancestors down to county level, deepest first."""
    # From the case's copy of the path: no need to load its region.
    path = case.region_path
    paths = [path[:i] for i in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]
    return list(
        Region.objects.filter(path__in=paths, level__gte=RegionLevel.COUNTY).order_by("-level")
    )


def _label(grade: str) -> str:
    return str(RiskGrade(grade).label)


def recommend_orgs(case: Case) -> list[OrgRecommendation]:
    """Orgs ranked for dispatching ``case``, each with its reasons."""
    category_label = str(DisputeCategory(case.category).label)
    min_level = territory_min_level(case.grade)
    rules = _subject_rules(case.category)
    chain = _chain(case)
    # A grid's own orgs are village-level for the rule (网格 sits below the village).
    allowed = [r for r in chain if min(r.level, RegionLevel.VILLAGE) <= min_level]
    if not allowed:
        return []
    channel_kind = CHANNEL_KINDS.get(case.channel)
    declares = OrgCategory.objects.filter(org=OuterRef("pk"), category=case.category)
    orgs = (
        Organization.objects.filter(region__in=allowed, is_active=True)
        .annotate(declares=Exists(declares))
        .filter(
            Q(kind__code__in=TERRITORIAL_KINDS)
            | Q(kind_id__in=list(rules))
            | Q(declares=True, kind__family__in=MEDIATING_FAMILIES)
            | Q(kind__code=channel_kind or "-")
        )
        .select_related("kind", "region")
        .order_by("-region__level", "kind__sort_order", "name")[:MAX_CANDIDATES]
    )
    grid_first = case.grade == RiskGrade.LOW and case.category in GRID_FIRST_CATEGORIES
    results: list[OrgRecommendation] = []
    for org in orgs:
        level = min(org.region.level, RegionLevel.VILLAGE)
        rec = OrgRecommendation(org=org, score=0)
        rule = rules.get(org.kind_id)
        if org.kind.code in TERRITORIAL_KINDS:
            rec.territorial = True
            rec.score += TERRITORY_WEIGHT - 10 * (min_level - level)
            rec.reasons.append(_territory_reason(org, case))
        if org.declares:
            rec.subject = True
            rec.score += rule.weight if rule is not None else DECLARED_WEIGHT
            rec.reasons.append(_("属事：受理%(category)s纠纷") % {"category": category_label})
        elif rule is not None and not rule.requires_declared:
            rec.subject = True
            rec.score += rule.weight
            rec.reasons.append(
                _("属事：%(category)s纠纷可由%(kind)s调处")
                % {"category": category_label, "kind": org.kind.name}
            )
        if channel_kind is not None and org.kind.code == channel_kind:
            rec.subject = True
            rec.score += CHANNEL_WEIGHT
            channel = IntakeChannel(case.channel).label
            rec.reasons.append(
                _("渠道：%(channel)s案件由%(kind)s调处")
                % {"channel": channel, "kind": org.kind.name}
            )
        if not (rec.territorial or rec.subject):
            continue  # a kind a rule names, but the org does not handle this category
        if grid_first and level == RegionLevel.VILLAGE and rec.territorial:
            rec.score += GRID_FIRST_BONUS
            rec.reasons.append(
                _("网格先行化解：低风险%(category)s纠纷先由村（网格）调处")
                % {"category": category_label}
            )
        if min_level < HandlingLevel.VILLAGE:
            rec.reasons.append(
                _("风险等级%(grade)s，需%(level)s以上")
                % {"grade": _label(case.grade), "level": LEVEL_WORDS[HandlingLevel(min_level)]}
            )
        results.append(rec)
    results.sort(key=lambda r: (-r.score, -r.org.region.level, r.org.name, r.org.pk))
    return results


def subject_orgs(case: Case) -> list[Organization]:
    """The 属事 orgs of ``case`` by the routing rules alone (``SubjectRule``): on the case's
    region chain, of a kind a rule names for its category and, where the rule requires it,
    listing the category among its 受理类别 — each with the department it belongs to, when it
    is a department's 行政调解 organization (人社局 for its 劳动人事争议调解室). A risk warning
    goes to these (seed 004 item 23: 向“属事”单位推送预警信息)."""
    rules = _subject_rules(case.category)
    if not rules:
        return []
    declares = OrgCategory.objects.filter(org=OuterRef("pk"), category=case.category)
    found = [
        org
        for org in Organization.objects.filter(
            region__in=_chain(case), is_active=True, kind_id__in=list(rules)
        )
        .annotate(declares=Exists(declares))
        .select_related("kind", "region", "parent__kind")
        .order_by("-region__level", "kind__sort_order", "pk")[:MAX_CANDIDATES]
        if org.declares or not rules[org.kind_id].requires_declared
    ]
    departments = [
        org.parent
        for org in found
        if org.parent is not None
        and org.parent.is_active
        and org.parent.kind.family == OrgFamily.DEPARTMENT
    ]
    unique = {org.pk: org for org in [*found, *departments]}
    return list(unique.values())


def _territory_reason(org: Organization, case: Case) -> str:
    if case.region_path.startswith(org.region.path) and org.region.level >= RegionLevel.VILLAGE:
        return _("属地：案发地%(org)s") % {"org": org.name}
    if org.region.level == RegionLevel.TOWNSHIP:
        return _("属地：案发地所在乡镇（%(region)s）") % {"region": org.region.name}
    return _("属地：案发地所在区县（%(region)s）") % {"region": org.region.name}


# --- Mediators ------------------------------------------------------------------------------

SPECIALTY_WEIGHT = 40
LOAD_WEIGHT = 30  # with no open case; 6 less per open case
LOAD_STEP = 6
LOAD_UNKNOWN = 15  # a person without an account: no case can be counted
SUCCESS_WEIGHT = 20  # times the success rate; half when nothing closed in 12 months
DISTANCE_WEIGHTS = {"village": 15, "township": 10, "county": 5}
TOP_ORG_BONUS = 10
GRADE_ORDER = {
    MediatorGrade.CHIEF: 4,
    MediatorGrade.SENIOR: 3,
    MediatorGrade.INTERMEDIATE: 2,
    MediatorGrade.JUNIOR: 1,
    MediatorGrade.UNGRADED: 0,
}
SUCCESS_WINDOW = timedelta(days=365)


def _distance(org_region: Region, chain: list[Region]) -> tuple[str, str] | None:
    """How near the mediator's org is: the nearest chain node holding it, by level."""
    for node in chain:  # deepest first
        if org_region.path.startswith(node.path):
            if node.level >= RegionLevel.VILLAGE:
                return "village", _("同村（%(region)s）") % {"region": node.name}
            if node.level == RegionLevel.TOWNSHIP:
                return "township", _("同乡镇（%(region)s）") % {"region": node.name}
            return "county", _("同区县（%(region)s）") % {"region": node.name}
    return None


def recommend_mediators(
    case: Case,
    org: Organization | None = None,
    limit: int = 3,
    *,
    orgs: list[OrgRecommendation] | None = None,
) -> list[MediatorRecommendation]:
    """The ``limit`` best mediators for ``case`` in ``org`` (or in the recommended orgs)."""
    if org is not None:
        org_ids = [org.pk]
    else:
        ranked = orgs if orgs is not None else recommend_orgs(case)
        org_ids = [r.org.pk for r in ranked[:MEDIATOR_ORGS]]
    if not org_ids:
        return []
    rank = {pk: i for i, pk in enumerate(org_ids)}
    specialty = MediatorSpecialty.objects.filter(
        profile_id=OuterRef("person_id"), category=case.category
    )
    memberships = list(
        Membership.objects.filter(
            org_id__in=org_ids, role__in=list(CASE_MEDIATOR_ROLES), ended_on__isnull=True
        )
        .annotate(specialist=Exists(specialty))
        .select_related("person__mediator_profile", "org__region")
        .order_by("pk")[:MAX_MEMBERSHIPS]
    )
    # One membership per person: the one in the best-ranked org.
    best: dict[int, Any] = {}
    for membership in sorted(memberships, key=lambda m: rank[m.org_id]):
        best.setdefault(membership.person_id, membership)
    # 回避: leave out whoever declared a conflict with a party of the case (by name).
    recused = set(
        RecusalDeclaration.objects.filter(
            person_id__in=list(best),
            subject_name__in=Party.objects.filter(case=case).values("name"),
        ).values_list("person_id", flat=True)
    )
    for person_id in recused:
        del best[person_id]
    user_ids = [m.person.user_id for m in best.values() if m.person.user_id is not None]
    load, success = _workload(user_ids)
    chain = _chain(case)
    category_label = str(DisputeCategory(case.category).label)
    results = []
    for m in best.values():
        person = m.person
        rec = MediatorRecommendation(person=person, org=m.org, score=0)
        rec.reasons.append(_("所在单位：%(org)s") % {"org": m.org.name})
        if rank[m.org_id] == 0 and len(org_ids) > 1:
            rec.score += TOP_ORG_BONUS
        if m.specialist:
            rec.score += SPECIALTY_WEIGHT
            rec.reasons.append(_("擅长%(category)s纠纷") % {"category": category_label})
        if person.user_id is None:
            rec.score += LOAD_UNKNOWN
            rec.reasons.append(_("未开通账号，工作量与成功率无记录"))
        else:
            open_cases = load.get(person.user_id, 0)
            rec.open_cases = open_cases
            rec.score += max(0, LOAD_WEIGHT - LOAD_STEP * open_cases)
            rec.reasons.append(_("在办案件%(n)d件") % {"n": open_cases})
            resolved, closed = success.get(person.user_id, (0, 0))
            if closed:
                rec.success_rate = resolved / closed
                rec.score += round(SUCCESS_WEIGHT * rec.success_rate)
                rec.reasons.append(
                    _("近12个月调解成功率%(rate)s（%(resolved)d/%(closed)d）")
                    % {
                        "rate": f"{rec.success_rate:.0%}",
                        "resolved": resolved,
                        "closed": closed,
                    }
                )
            else:
                rec.score += SUCCESS_WEIGHT // 2
                rec.reasons.append(_("近12个月暂无办结案件"))
        near = _distance(m.org.region, chain)
        if near is not None:
            rec.score += DISTANCE_WEIGHTS[near[0]]
            rec.reasons.append(near[1])
        profile = getattr(person, "mediator_profile", None)
        if profile is not None and (profile.grade != MediatorGrade.UNGRADED or profile.stars):
            grade = profile.get_grade_display()
            rec.reasons.append(
                _("%(grade)s·%(stars)d星") % {"grade": grade, "stars": profile.stars}
                if profile.stars
                else str(grade)
            )
        results.append(rec)

    def order(r: MediatorRecommendation) -> tuple[Any, ...]:
        profile = getattr(r.person, "mediator_profile", None)
        grade = GRADE_ORDER.get(profile.grade, 0) if profile is not None else 0
        stars = profile.stars if profile is not None else 0
        return (-r.score, -grade, -stars, r.person.name, r.person.pk)

    results.sort(key=order)
    return results[:limit]


def _workload(user_ids: list[int]) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Open cases per handler, and (resolved, closed) per handler over the last 12 months: one
    aggregate query each, through the handler/status index."""
    if not user_ids:
        return {}, {}
    load = dict(
        Case.objects.filter(handler_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("handler_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("handler_id", "n")
    )
    since = timezone.now() - SUCCESS_WINDOW
    rows = (
        Case.objects.filter(handler_id__in=user_ids, closed_at__gte=since)
        .exclude(status=CaseStatus.WITHDRAWN)
        .values("handler_id")
        .annotate(
            resolved=Count("pk", filter=Q(agreement__isnull=False)),
            closed=Count("pk"),
        )
        .order_by()
    )
    success = {r["handler_id"]: (r["resolved"], r["closed"]) for r in rows}
    return load, success


# --- The 交办 form's advice -------------------------------------------------------------------

SHOWN_ORGS = 5


@dataclass
class DispatchAdvice:
    """What the 交办 form shows: ranked orgs (``selectable`` when the dispatcher's platform can
    dispatch to them) and mediators, with the ones to preselect."""

    orgs: list[tuple[OrgRecommendation, bool]]
    mediators: list[tuple[MediatorRecommendation, bool]]
    top_org: Organization | None
    top_mediator: Any | None
    warnings: list[str] = field(default_factory=list)
    # Orgs that returned (退回) this case: never preselected for the next dispatch.
    returned_org_ids: frozenset[int] = frozenset()

    @property
    def needs_escalation(self) -> bool:
        """Every recommended org is beyond this platform: the case should go up a level."""
        return bool(self.orgs) and self.top_org is None


def dispatch_advice(case: Case, *, org_choices: Any, mediator_choices: Any) -> DispatchAdvice:
    """Recommendations for ``case`` checked against the form's querysets (one query each)."""
    ranked = recommend_orgs(case)
    shown = ranked[:SHOWN_ORGS]
    selectable_orgs = set(
        org_choices.filter(pk__in=[r.org.pk for r in shown]).values_list("pk", flat=True)
    )
    orgs = [(r, r.org.pk in selectable_orgs) for r in shown]
    returned = frozenset(
        DispatchOrder.objects.filter(case=case, status=DispatchStatus.RETURNED).values_list(
            "to_org_id", flat=True
        )
    )
    top_org = next((r.org for r, ok in orgs if ok and r.org.pk not in returned), None)
    own = [r for r, ok in orgs if ok] or shown
    people = recommend_mediators(case, orgs=own)
    selectable_people = set(
        mediator_choices.filter(pk__in=[m.person.pk for m in people]).values_list("pk", flat=True)
    )
    mediators = [(m, m.person.pk in selectable_people) for m in people]
    top_mediator = next(
        (m.person for m, ok in mediators if ok and top_org is not None and m.org.pk == top_org.pk),
        None,
    )
    return DispatchAdvice(
        orgs, mediators, top_org, top_mediator, rule_warnings(case), returned_org_ids=returned
    )


def rule_warnings(case: Case) -> list[str]:
    """What the admin's rule tables lack for ``case``, in the dispatcher's words: a deleted rule
    or limit is not re-created, the default applies and the 交办 form says so."""
    warnings = []
    grade = _label(case.grade)
    if not TerritoryRule.objects.filter(grade=case.grade).exists():
        level = TERRITORY_DEFAULTS.get(case.grade, RegionLevel.VILLAGE)
        warnings.append(
            _(
                "未设置风险等级“%(grade)s”的属地规则，推荐暂按默认的%(level)s以上承办；"
                "请系统管理员在“属地规则”中补设。"
            )
            % {"grade": grade, "level": LEVEL_WORDS[HandlingLevel(level)]}
        )
    if not SubjectRule.objects.filter(is_active=True).exists():
        warnings.append(
            _(
                "没有启用的属事规则，推荐只按属地和各单位登记的受理类别；"
                "请系统管理员在“属事规则”中补设。"
            )
        )
    missing = deadlines.missing_limits(case.grade)
    if missing:
        kinds = dict(DueKind.choices)
        items = "、".join(
            f"{LEVEL_WORDS[HandlingLevel(level)]}{kinds[kind]}" for kind, level in missing
        )
        warnings.append(
            _(
                "未设置风险等级“%(grade)s”的%(items)s，交办后按默认时限计算；"
                "请系统管理员在“时限标准”中补设。"
            )
            % {"grade": grade, "items": items}
        )
    return warnings
