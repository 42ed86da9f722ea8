"""The 督办 board (docs/supervision.md): what is late in the regions a user oversees, counted
per org and per level, and the items behind each count.

Each kind of late item is a ``Source``: one aggregate query for the counts of every org in the
scope (``org_id IN (the orgs of the overseen regions)``, a semi-join, never a list of cases) and
one bounded query for the items behind a count. The deadline kinds read the open deadlines
past due through ``due_open_due`` (a partial index on ``due_at`` of open, running items), the
warnings the notices awaiting acknowledgement, the responses the open ones — so the board's
cost grows with what is late, not with the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.alarms.choices import AlarmStatus
from fengqiao.alarms.models import Alarm
from fengqiao.core.paths import subtree_q
from fengqiao.disputes.choices import OUTLIVES_CASE, DueKind, DueStatus
from fengqiao.disputes.hooks import due_addressees
from fengqiao.disputes.models import DueItem
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance.choices import TaskStatus
from fengqiao.governance.models import ResolutionTask
from fengqiao.governance.selectors import unfiled_screening, unfiled_screening_counts
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel
from fengqiao.risk.choices import EmergencyStatus
from fengqiao.risk.models import EmergencyResponse, WarningNotice
from fengqiao.supervision.choices import DirectiveStatus
from fengqiao.supervision.models import Directive
from fengqiao.supervision.policy import overseen_paths

ITEMS = 100


@dataclass(frozen=True)
class Item:
    """One late thing on the board: what it is, whose, its page and its deadline."""

    kind: str
    pk: int
    org_id: int
    title: str
    url: str
    due_at: datetime | None
    case_id: int | None = None
    org_name: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    label: Any
    # (the overseer, the overseen orgs, now) → org id → how many.
    counts: Callable[[Any, QuerySet[Organization], datetime], dict[int, int]]
    # The items behind a count, or the one item ``pk`` (to issue a 督办令 on it).
    items: Callable[[Any, QuerySet[Organization], datetime, int | None], list[Item]]


def _only(qs: QuerySet[Any], pk: int | None) -> QuerySet[Any]:
    return qs if pk is None else qs.filter(pk=pk)


def _count(qs: QuerySet[Any], org_field: str) -> dict[int, int]:
    return {
        row[org_field]: row["n"]
        for row in qs.values(org_field).order_by().annotate(n=Count("pk"))
        if row[org_field] is not None
    }


# --- The kinds of late items ---------------------------------------------------------------------

# The deadlines a platform holds orgs to; a labour case's 可申请仲裁 is information, and a
# court's confirmation limits are the court's own.
DUE_LABELS: dict[str, Any] = {
    DueKind.ACCEPT: _("交办逾期未受理"),
    DueKind.MEDIATION: _("调解逾期未办结"),
    DueKind.FEEDBACK: _("逾期未反馈"),
}
UNSUPERVISED = {DueKind.ARBITRATION, *OUTLIVES_CASE}


def _due(kind: str, orgs: QuerySet[Organization], now: datetime) -> QuerySet[DueItem]:
    return DueItem.objects.filter(
        status=DueStatus.OPEN,
        paused_at__isnull=True,
        due_at__lt=now,
        kind=kind,
        org_id__in=orgs.values("pk"),
    )


def _due_source(kind: str) -> Source:
    def counts(user: Any, orgs: QuerySet[Organization], now: datetime) -> dict[int, int]:
        return _count(_due(kind, orgs, now), "org_id")

    def items(
        user: Any, orgs: QuerySet[Organization], now: datetime, pk: int | None = None
    ) -> list[Item]:
        rows = list(
            _only(_due(kind, orgs, now), pk)
            .select_related("case", "org")
            .order_by("due_at", "pk")[:ITEMS]
        )
        owned = due_addressees(rows)
        return [
            Item(
                kind=f"due_{kind}",
                pk=row.pk,
                org_id=row.org_id,
                org_name=row.org.name,
                title=f"{row.case.number} {row.case.title}",
                url=owned[row.pk].url if row.pk in owned else f"/cases/{row.case_id}/",
                due_at=row.due_at,
                case_id=row.case_id,
            )
            for row in rows
        ]

    label = DUE_LABELS.get(kind) or _("%(k)s逾期") % {"k": DueKind(kind).label}
    return Source(f"due_{kind}", label, counts, items)


def _listed(
    key: str,
    label: Any,
    rows: Callable[[QuerySet[Organization], datetime], QuerySet[Any]],
    org_field: str,
    order: tuple[str, ...],
    related: tuple[str, ...],
    item: Callable[[Any], Item],
) -> Source:
    """A source whose late items are the rows of ``rows`` (the overseen orgs, now), counted per
    ``org_field`` and listed oldest first (``order``) as ``item`` turns each into an Item."""

    def counts(user: Any, orgs: QuerySet[Organization], now: datetime) -> dict[int, int]:
        return _count(rows(orgs, now), org_field)

    def items(
        user: Any, orgs: QuerySet[Organization], now: datetime, pk: int | None = None
    ) -> list[Item]:
        found = _only(rows(orgs, now), pk).select_related(*related).order_by(*order, "pk")
        return [item(row) for row in found[:ITEMS]]

    return Source(key, label, counts, items)


def _notices(orgs: QuerySet[Organization], now: datetime) -> QuerySet[WarningNotice]:
    return WarningNotice.objects.filter(
        acknowledged_at__isnull=True,
        warning_open=True,
        org_id__in=orgs.values("pk"),
    )


def _notice_item(n: WarningNotice) -> Item:
    return Item(
        kind="warning",
        pk=n.pk,
        org_id=n.org_id,
        org_name=n.org.name,
        title=_("%(g)s风险预警：%(n)s %(t)s")
        % {
            "g": n.warning.get_grade_display(),
            "n": n.warning.case.number,
            "t": n.warning.case.title,
        },
        url=f"/risk/warnings/{n.warning_id}/",
        due_at=n.due_at,
        case_id=n.warning.case_id,
    )


def _responses(orgs: QuerySet[Organization], now: datetime) -> QuerySet[EmergencyResponse]:
    return EmergencyResponse.objects.filter(
        status=EmergencyStatus.OPEN, platform_id__in=orgs.values("pk")
    )


def _response_item(r: EmergencyResponse) -> Item:
    return Item(
        kind="emergency",
        pk=r.pk,
        org_id=r.platform_id,
        org_name=r.platform.name,
        title=r.title,
        url=f"/risk/emergencies/{r.pk}/",
        due_at=None,
        case_id=r.case_id,
    )


def _tasks(orgs: QuerySet[Organization], now: datetime) -> QuerySet[ResolutionTask]:
    return ResolutionTask.objects.filter(
        status=TaskStatus.OPEN,
        due_date__lt=timezone.localdate(now),
        owner_org_id__in=orgs.values("pk"),
    )


def _end_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _task_item(t: ResolutionTask) -> Item:
    return Item(
        kind="task",
        pk=t.pk,
        org_id=t.owner_org_id,
        org_name=t.owner_org.name,
        title=t.resolution.text[:100],
        url=f"/governance/tasks/{t.pk}/",
        due_at=_end_of(t.due_date),
    )


def _alarms(orgs: QuerySet[Organization], now: datetime) -> QuerySet[Alarm]:
    return Alarm.objects.filter(status=AlarmStatus.OPEN, station_id__in=orgs.values("pk"))


def _alarm_item(a: Alarm) -> Item:
    return Item(
        kind="alarm",
        pk=a.pk,
        org_id=a.station_id,
        org_name=a.station.name,
        title=_("报警：%(org)s %(at)s")
        % {"org": a.org.name, "at": timezone.localtime(a.raised_at).strftime("%m-%d %H:%M")},
        url=f"/alarms/{a.pk}/",
        due_at=a.escalate_at,
        case_id=a.from_case_id,
    )


# 排查: the units whose report for the latest period come due is missing, read through the
# overseer's scope (governance.selectors), counted in SQL for the unit's first filing org; the
# items behind a count are the first this many rows.
SCREENING_ROWS = 500


def _screening_rows(
    user: Any, orgs: QuerySet[Organization], now: datetime, pk: int | None = None
) -> list[Any]:
    """The unfiled reports of the units ``orgs`` file for (unit ``pk`` only, if given)."""
    found = unfiled_screening(user, limit=SCREENING_ROWS, now=now, filers=orgs)
    return [r for r in found.rows if r.orgs and (pk is None or r.unit.pk == pk)]


def _screening_items(
    user: Any, orgs: QuerySet[Organization], now: datetime, pk: int | None = None
) -> list[Item]:
    items = []
    for row in _screening_rows(user, orgs, now, pk):
        source = row.plan.get_level_display() if row.plan else row.campaign.title
        items.append(
            Item(
                kind="screening",
                pk=row.unit.pk,
                org_id=row.orgs[0].pk,
                org_name=row.orgs[0].name,
                title=_("%(unit)s %(source)s %(period)s 排查报告未报")
                % {"unit": row.unit.name, "source": source, "period": row.period.label},
                url="/governance/screening/",
                due_at=row.due_at,
            )
        )
    return items


def _screening_counts(user: Any, orgs: QuerySet[Organization], now: datetime) -> dict[int, int]:
    return unfiled_screening_counts(user, now=now, filers=orgs)


def _directives(orgs: QuerySet[Organization], now: datetime) -> QuerySet[Directive]:
    return Directive.objects.filter(
        status=DirectiveStatus.OPEN, due_at__lt=now, org_id__in=orgs.values("pk")
    )


def _directive_item(d: Directive) -> Item:
    return Item(
        kind="directive",
        pk=d.pk,
        org_id=d.org_id,
        org_name=d.org.name,
        title=d.subject,
        url=f"/supervision/directives/{d.pk}/",
        due_at=d.due_at,
        case_id=d.case_id,
    )


def sources() -> list[Source]:
    """Every kind of late item, in the board's column order."""
    due = [_due_source(kind) for kind in DueKind.values if kind not in UNSUPERVISED]
    return [
        *due,
        _listed(
            "warning",
            _("预警未签收"),
            _notices,
            "org_id",
            ("due_at",),
            ("warning__case", "org"),
            _notice_item,
        ),
        _listed(
            "emergency",
            _("应急联动处置中"),
            _responses,
            "platform_id",
            ("opened_at",),
            ("platform",),
            _response_item,
        ),
        _listed(
            "alarm",
            _("报警待出警"),
            _alarms,
            "station_id",
            ("raised_at",),
            ("station", "org"),
            _alarm_item,
        ),
        Source("screening", _("排查报告未报"), _screening_counts, _screening_items),
        _listed(
            "task",
            _("会议交办任务逾期"),
            _tasks,
            "owner_org_id",
            ("due_date",),
            ("owner_org", "resolution"),
            _task_item,
        ),
        _listed(
            "directive",
            _("督办令逾期未反馈"),
            _directives,
            "org_id",
            ("due_at",),
            ("org",),
            _directive_item,
        ),
    ]


def source(key: str) -> Source | None:
    return next((s for s in sources() if s.key == key), None)


# --- The board -----------------------------------------------------------------------------------


def overseen_orgs(user: Any) -> QuerySet[Organization]:
    """The orgs of the regions ``user`` oversees."""
    paths = overseen_paths(user)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(paths, field="region__path"))


@dataclass
class Row:
    org: Organization
    counts: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    level_label: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(source key, count) per column: the page links each count to its items."""
        return list(zip(self.keys, self.counts, strict=True))


@dataclass
class Board:
    sources: list[Source]
    rows: list[Row]
    totals: list[int]
    levels: list[tuple[Any, list[int]]]

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def total_cells(self) -> list[tuple[Source, int]]:
        return list(zip(self.sources, self.totals, strict=True))


LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)


def _level(org: Organization) -> int:
    return min(max(org.region.level, RegionLevel.COUNTY), RegionLevel.VILLAGE)


def board(user: Any, now: datetime | None = None) -> Board:
    """Per org with anything late, the count of each kind; the totals per kind and per level
    (区县 / 乡镇 / 村, a grid's org counted with its village)."""
    now = now or timezone.now()
    orgs = overseen_orgs(user)
    kinds = sources()
    per_kind = [s.counts(user, orgs, now) for s in kinds]
    org_ids = {pk for counts in per_kind for pk in counts}
    found = (
        Organization.objects.filter(pk__in=org_ids)
        .select_related("region")
        .only("pk", "name", "region__level", "region__path")
    )
    keys = [s.key for s in kinds]
    labels = {level: str(label) for level, label in RegionLevel.choices}
    rows = [
        Row(org, [counts.get(org.pk, 0) for counts in per_kind], keys, labels[org.region.level])
        for org in found
    ]
    rows.sort(key=lambda r: (r.org.region.level, r.org.region.path, -r.total, r.org.pk))
    totals = [sum(counts.values()) for counts in per_kind]
    levels = []
    for level in LEVELS:
        of_level = [r for r in rows if _level(r.org) == level]
        sums = [sum(r.counts[i] for r in of_level) for i in range(len(kinds))]
        levels.append((RegionLevel(level).label, sums))
    return Board(kinds, rows, totals, levels)


def board_items(user: Any, key: str, org_id: int | None = None) -> list[Item]:
    """The items behind one count of the board (one kind, one org or all)."""
    found = source(key)
    if found is None:
        return []
    orgs = overseen_orgs(user)
    if org_id is not None:
        orgs = orgs.filter(pk=org_id)
    return found.items(user, orgs, timezone.now(), None)


def board_item(user: Any, key: str, pk: int) -> Item | None:
    """One item of the board the user oversees (to issue a 督办令 on it), or None."""
    found = source(key)
    if found is None:
        return None
    items = found.items(user, overseen_orgs(user), timezone.now(), pk)
    return items[0] if items else None


# --- 督办令 ---------------------------------------------------------------------------------------


def directives_for_user(user: Any) -> QuerySet[Directive]:
    """The orders the user may see: to their orgs, or in the regions they see cases of."""
    return restrict(Directive.objects.all(), user, VIEW_CASE)


def directive_list(user: Any, *, answered: bool = False) -> list[Directive]:
    status = DirectiveStatus.ANSWERED if answered else DirectiveStatus.OPEN
    qs = directives_for_user(user).filter(status=status)
    return list(qs.select_related("org", "issued_by").order_by("due_at", "pk")[:ITEMS])


def directive_get_for_user(user: Any, pk: int) -> Directive | None:
    return (
        directives_for_user(user)
        .select_related("org", "issued_by", "answered_by")
        .filter(pk=pk)
        .first()
    )


def work_directives(user: Any) -> dict[str, Any]:
    """我的工作: the open 督办令 to the user's orgs, until answered (empty: nothing to show)."""
    orgs = grant_org_ids(user)
    if not orgs:
        return {}
    rows = list(
        Directive.objects.filter(status=DirectiveStatus.OPEN, org_id__in=orgs)
        .select_related("org", "issued_by")
        .order_by("due_at", "pk")[:20]
    )
    return {"work_directives": rows, "work_now": timezone.now()} if rows else {}
