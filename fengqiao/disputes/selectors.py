"""Reads of cases, always through the data-scope helper: lists, the case page and its parts,
my work, deadline states, and the choices the intake and dispatch forms offer. List queries are
built for 10 million cases: every filter combination starts from an indexed column and pages are
sliced in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Exists,
    Min,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fengqiao.accounts.access import grant_org_ids, has_perm, orgs_with, restrict, scope_for
from fengqiao.core.choices import category_with_subkinds
from fengqiao.disputes import deadlines, policy, queues
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    OUTLIVES_CASE,
    CaseAction,
    CaseStatus,
    DispatchStatus,
    DueStatus,
)
from fengqiao.disputes.disclosure import (
    Disclosure,
    ShownParty,
    case_disclosure,
    disclosures,
    names_in_full_q,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    DueItem,
    Party,
    PartyNotice,
    Referral,
    RepeatReport,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.disputes.permissions import ASSESS_CASE, HANDLE_CASE, REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.policy import case_may, is_platform, order_may, platform_above
from fengqiao.disputes.workflow import allowed_actions
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES, PersonRole
from fengqiao.orgs.models import Organization, Person
from fengqiao.orgs.permissions import VIEW_PERSON
from fengqiao.orgs.selectors import org_list_for_user, people_visible_to
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import subtree_q


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    category: str = ""
    grade: str = ""
    channel: str = ""
    region: Region | None = None
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    query: str = ""
    org_id: int | None = None
    handler_id: int | None = None


def responsible_org_id(handling_org_id: int | None, platform_id: int | None) -> int | None:
    """The org a case is counted under (统计分析's 各单位): the org handling it, else the
    platform that registered it. ``responsible_org_q`` is the same rule as a filter."""
    return handling_org_id or platform_id


def responsible_org_q(org_id: int) -> Q:
    return Q(handling_org_id=org_id) | Q(handling_org__isnull=True, platform_id=org_id)


def normalize_query(text: str) -> str:
    """Full-width letters, digits and the ideographic space behave as their ASCII forms."""
    out = []
    for ch in text.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out).strip()


def case_list_for_user(user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    qs = restrict(Case.objects.all(), user, VIEW_CASE)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        # A statistics category includes its sub-kinds (合同 lists 金融借贷 and 建筑施工 too).
        qs = qs.filter(category__in=category_with_subkinds(f.category))
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.region is not None:
        qs = qs.filter(subtree_q([f.region.path], field="region_path"))
    if f.since:
        qs = qs.filter(registered_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(registered_at__date__lte=f.until)
    if f.org_id:
        qs = qs.filter(responsible_org_q(f.org_id))
    if f.handler_id:
        qs = qs.filter(handler_id=f.handler_id)
    if f.overdue:
        # The same 已超期 as the landing count and 我的工作's panel (queues.py).
        qs = qs.filter(queues.overdue_q(timezone.now()))
    query = normalize_query(f.query)
    if query:
        from fengqiao.disputes.models import Party

        parties = Party.objects.filter(case_id=OuterRef("pk"), name__contains=query)
        # A name finds only the cases where the user reads names whole (disclosure).
        by_name = Exists(parties) & names_in_full_q(user)
        qs = qs.filter(Q(number__icontains=query) | Q(title__contains=query) | by_name)
    return qs.select_related("region", "handling_org", "platform").order_by("-registered_at", "-id")


def case_get_for_user(user: Any, pk: int, *, also: tuple[str, ...] = ()) -> Case:
    """The case if ``user`` may see it (404 otherwise), with what its page shows beside it;
    ``also`` names more relations to read in the same query."""
    qs = restrict(Case.objects.all(), user, VIEW_CASE).select_related(
        "region",
        "platform",
        "handling_org",
        "source_org",
        "handler",
        "lead_leader",
        "registered_by",
        *also,
    )
    return get_object_or_404(qs, pk=pk)


def case_timeline(case: Case) -> QuerySet[TimelineEvent]:
    return case.timeline.select_related("org").order_by("at", "id")


def case_actions_for_user(user: Any, case: Case) -> list[str]:
    """The workflow actions this user may take on this case now: exactly those the services
    accept (``services.case_may``). Accept and return are answered on the dispatch order."""
    return [
        action
        for action in allowed_actions(case.status)
        if action not in ("accept", "return") and case_may(user, case, action)
    ]


def pending_orders_for_user(user: Any) -> QuerySet[DispatchOrder]:
    """交办单 waiting for an org the user may accept them for (``policy.order_may``: the 办理
    permission at the receiving org, the case still waiting for its orgs or being handled)."""
    org_ids = scope_for(user, HANDLE_CASE).member_org_ids
    return (
        DispatchOrder.objects.filter(
            to_org_id__in=org_ids,
            status=DispatchStatus.PENDING,
            case__status__in=policy.ORDER_ANSWERABLE,
        )
        .select_related("case", "to_org")
        .order_by("accept_by")
    )


@dataclass
class Worklist:
    to_assess: list[Case]
    to_accept: list[DispatchOrder]
    to_mediate: list[Case]
    due_soon: list[DueItem]
    overdue: list[DueItem]
    # How many cases each deadline panel stands for: the count of the list it links to.
    due_soon_count: int = 0
    overdue_count: int = 0


def worklist_for_user(user: Any, *, limit: int = 50) -> Worklist:
    """我的工作: what waits for this user, each list bounded."""
    now = timezone.now()
    org_ids = grant_org_ids(user)
    to_assess: list[Case] = []
    if has_perm(user, ASSESS_CASE):
        to_assess = list(
            restrict(
                Case.objects.filter(
                    platform_id__in=org_ids, status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSED]
                ),
                user,
                ASSESS_CASE,
            )
            .select_related("region")
            .order_by("registered_at")[:limit]
        )
    # The cases of the orgs the user handles cases for: a grid worker, whose role is granted
    # at the village committee, does not mediate the committee's cases.
    # The cases the user can see: read once (the scope reads its orgs' 交办单 first).
    visible = restrict(Case.objects.all(), user, VIEW_CASE)
    handling = scope_for(user, HANDLE_CASE).member_org_ids
    mine = Q(handler=user) | Q(handling_org_id__in=handling)
    to_mediate = list(
        visible.filter(
            mine, status__in=[CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED]
        )
        .select_related("region")
        .order_by("registered_at")[:limit]
    )
    # 3日内到期 and 已超期: the deadlines the user answers for among the cases they can see, as
    # the queues define them, so a panel and the list behind it agree for every role.
    in_view = visible.values("pk")
    soon = queues.answered_by(user, queues.due_soon_deadlines(now)).filter(case_id__in=in_view)
    late = queues.answered_by(user, queues.overdue_deadlines(now)).filter(case_id__in=in_view)
    return Worklist(
        to_assess=to_assess,
        to_accept=list(pending_orders_for_user(user)[:limit]),
        to_mediate=to_mediate,
        due_soon=list(soon.select_related("case", "org").order_by("due_at")[:limit]),
        overdue=list(late.select_related("case", "org").order_by("due_at")[:limit]),
        due_soon_count=visible.filter(pk__in=soon.values("case_id")).count(),
        overdue_count=visible.filter(pk__in=late.values("case_id")).count(),
    )


def open_case_statuses() -> list[str]:
    return [str(s) for s in OPEN_STATUSES]


# A deadline this close is shown in amber; a passed one in red.
DUE_SOON = timedelta(days=3)
SOON, OVERDUE, PAUSED = "soon", "overdue", "paused"
MEDIATION_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED)


# --- Intake -------------------------------------------------------------------------------------


INTAKE_LEVELS = (RegionLevel.VILLAGE, RegionLevel.GRID)


def _intake_paths(user: Any) -> set[str] | None:
    """The regions under which ``user`` may register (``None``: everywhere): those of their
    register grants (a grant scoped to its org counts its org's region). No query."""
    scope = scope_for(user, REGISTER_CASE)
    if scope.everything:
        return None
    orgs = orgs_with(user, REGISTER_CASE)
    return set(scope.region_paths) | {o.region.path for o in orgs if o.pk in scope.org_ids}


def intake_regions_for_user(user: Any) -> QuerySet[Region]:
    """Villages and grids a user may register a case at: those under the regions of their
    register grants (a grant scoped to its org counts its org's region)."""
    places = Region.objects.filter(level__in=INTAKE_LEVELS)
    paths = _intake_paths(user)
    if paths is None:
        return places.order_by("path")
    if not paths:
        return places.none()
    return places.filter(subtree_q(paths)).order_by("path")


def intake_region_allowed(user: Any, region: Region) -> bool:
    """``region`` is one of ``intake_regions_for_user`` (without a query)."""
    if region.level not in INTAKE_LEVELS:
        return False
    paths = _intake_paths(user)
    return paths is None or any(region.path.startswith(p) for p in paths)


def intake_platform_for(user: Any, region: Region | None = None) -> Organization | None:
    """The platform a case registered by ``user`` at ``region`` is queued for: a platform the
    user acts for that holds the place (a dispatcher registers for their own platform), else
    the 属地 platform of the place (``policy.platform_above``). Without a place yet: the 属地
    platform of the user's register grant, the deepest first."""
    orgs = sorted(orgs_with(user, REGISTER_CASE), key=lambda o: -len(o.region.path))
    if region is not None:
        own = [o for o in orgs if is_platform(o) and region.path.startswith(o.region.path)]
        return own[0] if own else platform_above(region)
    for org in orgs:
        platform = platform_above(org)
        if platform is not None:
            return platform
    return None


def case_visible_to(user: Any, pk: int) -> bool:
    return restrict(Case.objects.filter(pk=pk), user, VIEW_CASE).exists()


# --- Lists --------------------------------------------------------------------------------------


def case_list_page(user: Any, filters: CaseFilters, *, queue: str = "") -> QuerySet[Case]:
    """The case list with each case's party names (only the names: nothing to decrypt) and,
    for a case dispatched but not yet accepted, the orgs its orders wait at (``waiting_orders``:
    the list shows them as 承办单位 rather than a blank). ``queue``: one of the landing page's
    queues (待研判 … 已超期), the same definition as its count."""
    qs = case_list_selection(user, filters, queue=queue)
    return with_waiting_orders(qs).prefetch_related(Prefetch("parties", queryset=party_names()))


def case_list_selection(user: Any, filters: CaseFilters, *, queue: str = "") -> QuerySet[Case]:
    """The cases of the case list (scope, filters, queue) without what its rows show: the
    ledgers of what was done on them (调解记录, 调解协议) select through it."""
    qs = case_list_for_user(user, filters)
    if queue in queues.LIST_LABELS:
        qs = qs.filter(queues.queue_q(user, queue, timezone.now()))
    return qs


def party_names() -> QuerySet[Party]:
    """A case's parties as a list reads them: only the names (nothing to decrypt)."""
    return Party.objects.only("id", "case_id", "role", "kind", "name").order_by("role", "pk")


def with_waiting_orders(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` with, for each, the pending orders it waits on (``waiting_orders``) and their
    orgs: a list shows those as 承办单位 (待受理) until one accepts."""
    waiting = DispatchOrder.objects.filter(status=DispatchStatus.PENDING).select_related("to_org")
    return cases.prefetch_related(
        Prefetch("dispatches", queryset=waiting.order_by("pk"), to_attr="waiting_orders")
    )


def case_party_names(user: Any, cases: Any) -> dict[int, str]:
    """case id → its parties' names as ``user`` is shown them (``disclosure``), for a page of
    ``case_list_page`` (parties prefetched)."""
    cases = list(cases)
    shown = disclosures(user, cases)
    return {
        c.pk: "、".join(shown[c.pk].name(p.name, p.kind) for p in c.parties.all()) for c in cases
    }


def due_state(due_at: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if due_at < now:
        return OVERDUE
    if due_at <= now + DUE_SOON:
        return SOON
    return ""


def due_states(cases: Any) -> dict[int, str]:
    """For cases already read through the scope: each one's nearest running deadline's state
    (one query for the whole page)."""
    ids = [c.pk for c in cases]
    if not ids:
        return {}
    now = timezone.now()
    nearest = (
        DueItem.objects.filter(case_id__in=ids, status=DueStatus.OPEN, paused_at__isnull=True)
        # A court's limits on a resolved case's confirmation are not the case's own clocks
        # (the ?queue=overdue list behind the marks leaves them out too: queues.answered_by).
        .exclude(kind__in=OUTLIVES_CASE)
        .values("case_id")
        .annotate(first=Min("due_at"))
        .order_by()
    )
    return {row["case_id"]: due_state(row["first"], now) for row in nearest}


# --- Dispatch orders ----------------------------------------------------------------------------


def dispatch_order_for_user(user: Any, pk: int) -> DispatchOrder:
    """A 交办单 addressed to an org the user acts for, on a case the user can see."""
    visible = restrict(Case.objects.all(), user, VIEW_CASE).values("pk")
    orders = DispatchOrder.objects.filter(
        to_org_id__in=grant_org_ids(user), case_id__in=visible
    ).select_related("case", "to_org")
    return get_object_or_404(orders, pk=pk)


@dataclass(frozen=True)
class OrderRow:
    order: DispatchOrder
    can_accept: bool
    can_return: bool


def _order_rows(user: Any, case: Case, orders: list[DispatchOrder]) -> list[OrderRow]:
    return [
        OrderRow(
            order,
            order_may(user, order, case, CaseAction.ACCEPT),
            order_may(user, order, case, CaseAction.RETURN),
        )
        for order in orders
    ]


def dispatch_org_choices(user: Any, case: Case) -> QuerySet[Organization]:
    """Orgs a case can be dispatched to: active orgs under its platform's region."""
    return (
        org_list_for_user(user, region=case.platform.region)
        .filter(is_active=True)
        .exclude(pk=case.platform_id)
    )


def mediator_choices(user: Any, case: Case) -> QuerySet[Person]:
    """People serving as mediators in orgs under the case platform's region who may be given a
    case now (``policy.assignable_mediators``: not while suspended)."""
    serving = (
        people_visible_to(user, VIEW_PERSON)
        .filter(
            memberships__ended_on__isnull=True,
            memberships__role__in=list(CASE_MEDIATOR_ROLES),
        )
        .filter(subtree_q([case.platform.region.path], field="memberships__org__region__path"))
    )
    return policy.assignable_mediators(serving).distinct().order_by("name", "pk")


def leader_choices(user: Any, case: Case) -> QuerySet[Person]:
    """包案领导: leaders serving in orgs at or above the case's platform."""
    paths = [*case.platform.region.ancestor_paths(), case.platform.region.path]
    return (
        people_visible_to(user, VIEW_PERSON)
        .filter(
            memberships__ended_on__isnull=True,
            memberships__role=PersonRole.LEADER,
            memberships__org__region__path__in=paths,
        )
        .distinct()
        .order_by("name", "pk")
    )


# --- Detail -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    item: DueItem
    state: str
    # 暂定: the deadline falls in a year without a holiday schedule (deadlines.is_provisional).
    provisional: bool = False


def case_actions(user: Any, case: Case) -> list[str]:
    """The actions to offer on the case page: the workflow actions the services accept from
    this user now, then 延期 and 回访."""
    return case_actions_for_user(user, case) + _extra_actions(user, case)


def _extra_actions(user: Any, case: Case) -> list[str]:
    """Actions outside the workflow table: 延期 and the mediation record for whoever runs the
    mediation now (the handling side of an accepted, mediating or suspended case), 回访 once the
    case is closed, 更正回访 once a visit is recorded, and 履行 (the agreement's performance) for
    the handling side of a resolved case."""
    return [
        action
        for action in (
            policy.EXTEND,
            policy.MEDIATE,
            policy.FOLLOW_UP,
            policy.FOLLOW_UP_CORRECT,
            policy.FULFIL,
        )
        if policy.case_may(user, case, action)
    ]


@dataclass(frozen=True)
class ShownRepeatReport:
    """A 重复反映 with its parties as the user is shown them."""

    report: RepeatReport
    parties: list[ShownParty]


@dataclass
class CaseDetail:
    case: Case
    parties: list[ShownParty]
    orders: list[OrderRow]
    due_items: list[DueRow]
    supervisions: list[SupervisionOrder]
    # mediation's records (调解协议, 调解不成, 回访), read through Case's reverse relations:
    # disputes does not import mediation.
    agreement: Model | None
    failure: Model | None
    referral: Referral | None
    follow_ups: list[Model]
    timeline: list[TimelineEvent]
    actions: list[str] = field(default_factory=list)
    disclosure: Disclosure = field(default_factory=lambda: Disclosure(frozenset()))
    repeat_reports: list[ShownRepeatReport] = field(default_factory=list)
    party_notices: list[ToldParty] = field(default_factory=list)


@dataclass(frozen=True)
class ToldParty:
    """One SMS a party was sent (告知当事人), as the staff's case page shows it: the party's
    name as this user may see it, the masked number and the delivery's state."""

    notice: PartyNotice
    name: str

    @property
    def state(self) -> str:
        delivery = self.notice.delivery
        return "nophone" if delivery is None else str(delivery.status)


def party_notices(case: Case, disclosure: Disclosure) -> list[ToldParty]:
    """The SMS the case's parties were sent, oldest first (one index range: party_notice_case)."""
    rows = (
        PartyNotice.objects.filter(case=case)
        .select_related("party", "delivery")
        .only(
            "created_at",
            "step",
            "party__name",
            "party__kind",
            "delivery__status",
            "delivery__address_masked",
            "delivery__last_error",
            "delivery__template_error",
            "delivery__delivered_at",
            "delivery__attempts",
        )
        .order_by("created_at", "pk")[:200]
    )
    return [ToldParty(n, disclosure.name(n.party.name, n.party.kind)) for n in rows]


def case_detail_for_user(user: Any, pk: int) -> CaseDetail:
    # The outcome records (协议, 调解不成, 转出) come with the case, as reverse one-to-ones.
    outcomes = ("agreement", "failure", "referral")
    case = case_get_for_user(user, pk, also=outcomes)
    now = timezone.now()
    orders = list(
        case.dispatches.select_related("to_org", "from_org", "suggested_mediator").order_by(
            "dispatched_at", "pk"
        )
    )
    due = []
    known_years: set[int] | None = None
    for item in case.due_items.select_related("org").order_by("due_at"):
        state = ""
        provisional = False
        if item.status == DueStatus.OPEN:
            state = PAUSED if item.paused_at else due_state(item.due_at, now)
            if known_years is None:
                known_years = deadlines.known_years()
            provisional = deadlines.is_provisional(item.due_at, known_years)
        due.append(DueRow(item, state, provisional))
    # The visits, once: the page lists them and the 更正回访 offer asks whether one exists.
    prefetch_related_objects([case], "follow_ups__visitor")
    held = {n: getattr(case, n) for n in outcomes if hasattr(case, n)}
    disclosure = case_disclosure(user, case)
    repeats = case.repeat_reports.select_related("reported_by", "region")
    return CaseDetail(
        case=case,
        parties=disclosure.parties(case.parties.all()),
        orders=_order_rows(user, case, orders),
        due_items=due,
        supervisions=list(case.supervisions.select_related("org", "upper_org")),
        agreement=held.get("agreement"),
        failure=held.get("failure"),
        referral=held.get("referral"),
        follow_ups=list(case.follow_ups.all()),
        timeline=list(case_timeline(case)),
        actions=case_actions(user, case),
        disclosure=disclosure,
        repeat_reports=[
            ShownRepeatReport(r, [disclosure.reported(p) for p in r.parties]) for r in repeats
        ],
        party_notices=party_notices(case, disclosure),
    )
