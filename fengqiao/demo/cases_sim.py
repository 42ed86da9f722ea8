"""Walking one demo case through the workflow table: the plan of steps and the bookkeeping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from fengqiao.demo.cases_data import ESCALATE_SHARE, INDUSTRY_SHARE, S
from fengqiao.demo.cases_world import Built, CaseVillage, Spec
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    DispatchStatus,
    DueKind,
    DueStatus,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Case,
    DispatchOrder,
    DueItem,
    Party,
    Referral,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.disputes.workflow import next_status
from fengqiao.mediation.models import Agreement, Failure, FollowUp, PartyConsent, RightsNotice
from fengqiao.orgs.models import Organization

if TYPE_CHECKING:
    from fengqiao.demo.cases import Generator


class SimBase:
    """Walks one case through the workflow table, writing rows as the services would."""

    def __init__(
        self,
        gen: Generator,
        case: Case,
        village: CaseVillage,
        spec: Spec,
        outcome: str,
        final: str,
        parties: list[Party],
    ) -> None:
        if village.township is None:
            raise ValueError(village.region.code)
        self.g, self.case, self.village, self.spec = gen, case, village, spec
        self.town = village.township
        self.outcome, self.final = outcome, final
        self.status = ""
        self.version = 0
        self.events: list[TimelineEvent] = []
        self.orders: list[DispatchOrder] = []
        self.dues: list[DueItem] = []
        self.supervisions: list[SupervisionOrder] = []
        self.agreement: Agreement | None = None
        self.follow_ups: list[FollowUp] = []
        self.parties = parties
        self.consents: list[PartyConsent] = []
        self.notices: list[tuple[RightsNotice, list[Party]]] = []
        self.failure: Failure | None = None
        self.escalated_from: list[Organization] = []
        self.referral: Referral | None = None
        self.archive_org: Organization | None = None
        self.archived_at: datetime | None = None
        self.steps: list[tuple[str, timedelta, dict[str, Any]]] = []
        self.at = case.registered_at

    # Phase 1: the actions and nominal delays; phase 2 fits them before now and applies them.

    def later(self, low: float, high: float) -> None:
        """Move on by a step inside an action (not in the fitted plan): never past the moment
        the demo is loaded, at most half of the time left."""
        step = self.g.hours(low, high)
        room = self.g.now - timedelta(minutes=30) - self.at
        self.at += max(timedelta(), min(step, room / 2))

    def plan(self, action: str, low: float, high: float, **kw: Any) -> None:
        self.steps.append((action, self.g.hours(low, high), kw))

    def plan_dispatch_round(self, *, to_accept: bool) -> None:
        g, spec, case = self.g, self.spec, self.case
        village = self.village
        target = spec.target_org or g.handling_target(
            case.channel, case.category, case.grade, self.town, village
        )
        forced = spec.target_org is not None
        if not forced and g.chance(0.1):
            # Returned once: the village cannot handle it, the township committee takes it.
            self.plan("dispatch", 1, 24, orgs=[village.committee])
            self.plan("return", 4, 72, reason="超出村级调解能力，请求由乡镇调委会承办")
            self.plan("assess", 1, 12)
            target = self.town.committee if target == village.committee else target
        joint = (
            not forced
            and g.chance(0.08 if case.grade == RiskGrade.LOW else 0.18)
            and target != self.town.committee
        )
        orgs = [target, self.town.committee] if joint else [target]
        escalate = to_accept and not forced and g.chance(ESCALATE_SHARE.get(case.grade, 0.02))
        if escalate:
            self.plan("dispatch", 1, 24, orgs=orgs)
            self.plan("accept", 2, 48, joint=joint)
            self.plan(
                "escalate",
                24,
                24 * 7,
                reason="案情复杂、风险较高，超出本级化解能力，请求上级统筹化解",
            )
            self.plan("assess", 1, 24)
            # The county takes it to the industry committee of its kind, else to the court's
            # litigation-service mediation room (诉调对接).
            w = self.g.w
            county_org = (
                w.industry.get(case.category) if case.category in INDUSTRY_SHARE else None
            ) or (w.county_court_room or self.town.committee)
            self.plan("dispatch", 1, 24, orgs=[county_org])
        else:
            self.plan("dispatch", 1, 24, orgs=orgs)
        if to_accept:
            self.plan("accept", 2, 60, joint=joint and not escalate)

    def make_plan(self) -> None:
        g, out = self.g, self.outcome
        self.plan("register", 0, 0)
        if self.final == S.REGISTERED:
            return
        if out == S.REFERRED_OUT and not self.spec.refusal and g.chance(0.2):
            self.plan("reject", 2, 72)
            return
        if out == S.WITHDRAWN and g.chance(0.25):
            self.plan("withdraw", 24, 240)
            return
        self.plan("assess", 1, 48)
        if out == S.ASSESSED and self.spec.escalated:
            # Sent to the village, handed back, escalated: waiting for the county's dispatcher.
            self.plan("dispatch", 1, 24, orgs=[self.village.committee])
            self.plan("accept", 2, 48)
            self.plan(
                "escalate",
                24,
                24 * 5,
                reason="案情复杂、风险较高，超出本级化解能力，请求上级统筹化解",
            )
            return
        if out == S.ASSESSED:
            if g.chance(0.15):
                self.plan_dispatch_round(to_accept=False)
                self.plan("return", 4, 72, reason="不属于本单位受理范围，请重新交办")
            return
        if out == S.REFERRED_OUT and not self.spec.refusal and g.chance(0.2):
            self.plan("reject", 2, 72)
            return
        self.plan_dispatch_round(to_accept=out != S.DISPATCHED)
        if out == S.DISPATCHED:
            return
        if out == S.WITHDRAWN and g.chance(0.3):
            self.plan("withdraw", 24, 240)
            return
        if out == S.ACCEPTED:
            if g.chance(0.5):
                self.plan("consent", 1, 48)
            return
        if out == S.REFERRED_OUT and (self.spec.refusal or g.chance(0.2)):
            # A party clearly refuses (人民调解法 art. 17): no mediation, referred out at once.
            self.plan("consent", 1, 48, refused=True)
            self.plan("refer", 24, 120)
            if self.final == S.ARCHIVED:
                self.plan("archive", 24, 480)
            return
        # Mediation starts only with every consent and the rights notice (services.py).
        self.plan("consent", 1, 48)
        self.plan("start", 4, 120)
        if out == S.SUSPENDED:
            self.plan("suspend", 48, 300)
            return
        if g.chance(0.05):
            self.plan("suspend", 48, 300)
            self.plan("resume", 72, 400)
        if out == S.MEDIATING:
            return
        if out == S.WITHDRAWN:
            self.plan("withdraw", 24, 300)
        elif out == S.RESOLVED:
            self.plan("agree", 24, 600)
            if self.final == S.ARCHIVED or g.chance(0.5):
                self.plan("follow_up", 72, 480)
        elif out == S.FAILED:
            self.plan("fail", 48, 700)
        elif out == S.REFERRED_OUT:
            if g.chance(0.6):
                self.plan("fail", 48, 600)
            self.plan("refer", 24, 120)
        if self.final == S.ARCHIVED:
            self.plan("archive", 24, 480)

    def run(self) -> None:
        self.make_plan()
        total = sum((d for _a, d, _k in self.steps), timedelta())
        room = self.g.now - timedelta(minutes=30) - self.case.registered_at
        scale = max(0.0, min(1.0, room / total)) if total > timedelta() else 1.0
        for action, delay, kw in self.steps:
            self.at += delay * scale
            getattr(self, "do_" + action)(**kw)
        self.finish_due_items()

    # -- helpers ------------------------------------------------------------------------------

    def event(
        self,
        action: str,
        org: Organization | None,
        *,
        to: str | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        before = self.status
        transition = action in CaseAction.values
        after = next_status(before, action) if transition else (to or before)
        name, user_id = self.g.actor(org)
        payload = dict(data or {})
        if transition or action == "register":
            payload["from_version"] = self.version
            self.version += 1
        self.events.append(
            TimelineEvent(
                case=self.case,
                at=self.at,
                actor_id=user_id,
                actor_name=name,
                org=org,
                action=action,
                from_status=before,
                to_status=after,
                note=note,
                data=payload,
            )
        )
        self.status = after
        if after not in OPEN_STATUSES and after != S.ARCHIVED and self.case.closed_at is None:
            self.case.closed_at = self.at
        if after not in OPEN_STATUSES:
            for order in self.orders:
                if order.status == DispatchStatus.PENDING:
                    order.status = DispatchStatus.CANCELLED
                elif order.status == DispatchStatus.ACCEPTED:
                    order.status = DispatchStatus.DONE
            for item in self.dues:
                if item.status == DueStatus.OPEN:
                    item.status = DueStatus.CANCELLED if after == S.WITHDRAWN else DueStatus.DONE
                    item.next_check_at = None
                    item.paused_at = None

    def live(self, *statuses: str) -> list[DispatchOrder]:
        return [o for o in self.orders if o.status in statuses]

    def end_round(self) -> None:
        for order in self.live(DispatchStatus.PENDING, DispatchStatus.ACCEPTED):
            order.status = DispatchStatus.CANCELLED
        for item in self.dues:
            if item.status == DueStatus.OPEN:
                item.status, item.next_check_at, item.paused_at = DueStatus.CANCELLED, None, None
        self.case.handling_org, self.case.handler = None, None

    def due(
        self,
        kind: str,
        org: Organization,
        due_at: datetime,
        order: DispatchOrder | None = None,
        *,
        period: deadlines.Period,
        clock: str = "",
    ) -> DueItem:
        # The period is recorded as the services record it, so a holiday schedule imported into
        # the demo counts these deadlines again (services/calendar.py).
        item = DueItem(
            case=self.case,
            kind=kind,
            org=org,
            dispatch=order,
            due_at=due_at,
            status=DueStatus.OPEN,
            started_at=self.at,
            period_unit=period.unit,
            period_amount=period.amount,
            clock=clock,
        )
        item.created = self.at  # type: ignore[attr-defined]
        self.dues.append(item)
        return item

    # -- deadlines still running --------------------------------------------------------------

    def finish_due_items(self) -> None:
        now = self.g.now
        for item in self.dues:
            if item.status != DueStatus.OPEN or item.paused_at is not None:
                continue
            start = getattr(item, "created", now)
            first = deadlines.first_check(item.due_at, start)
            if first > now:
                item.next_check_at = first
            elif now < item.due_at:
                # The reminder has gone out (or is about to, in the next sweep).
                if self.g.chance(0.6):
                    item.reminded_at = first
                    item.next_check_at = item.due_at
                else:
                    item.next_check_at = first
            else:
                supervise_at = max(item.due_at, self.events[-1].at) + self.g.hours(1, 20)
                if item.kind == DueKind.FEEDBACK:
                    self.report_overdue(item, first, supervise_at)
                elif supervise_at < now and self.g.chance(0.6):
                    item.reminded_at = first
                    item.supervised_at = supervise_at
                    item.next_check_at = None
                    upper = self.upper_platform(item.org)
                    due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
                    reason = f"{item.get_kind_display()}已于{due}届满未办结"
                    self.supervisions.append(
                        SupervisionOrder(
                            case=self.case,
                            due_item=item,
                            org=item.org,
                            upper_org=upper,
                            issued_at=supervise_at,
                            reason=reason,
                        )
                    )
                    self.at = supervise_at
                    self.event("supervise", item.org, note=reason, data={"due_item": item})
                else:
                    # Overdue and not yet swept: the next sweep issues the 督办.
                    item.reminded_at = first if first < item.due_at else None
                    item.next_check_at = item.due_at

    def report_overdue(self, item: DueItem, first: datetime, at: datetime) -> None:
        """The feedback limit passed: the sweep has told the dispatching platform why not, or
        will at its next run."""
        item.reminded_at = first if first < item.due_at else None
        if at >= self.g.now or not self.g.chance(0.6):
            item.next_check_at = item.due_at
            return
        item.reported_at, item.next_check_at = at, None
        due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
        status = CaseStatus(self.status).label
        reason = (
            f"反馈时限已于{due}届满，案件尚未办结：当前状态“{status}”，承办单位{item.org.name}。"
        )
        platforms = list(dict.fromkeys([o.from_org for o in self.orders] + self.escalated_from))
        self.at = at
        self.event(
            "report_overdue",
            item.org,
            note=reason,
            data={"due_item": item, "platforms": [p.pk for p in platforms]},
        )

    def upper_platform(self, org: Organization) -> Organization:
        if org.region.level >= 5:
            return self.town.platform
        return self.g.w.county_platform

    def result(self, parties: list[Party]) -> Built:
        case = self.case
        case.status = self.status
        case.version = self.version
        for p in parties:
            p.case = case
        return Built(
            case,
            parties,
            self.events,
            self.orders,
            self.dues,
            self.supervisions,
            self.agreement,
            self.follow_ups,
            self.archive_org,
            self.archived_at,
            self.consents,
            self.notices,
            self.failure,
            self.referral,
        )


def working_days_after(start: datetime, days: int) -> datetime:
    """Like ``deadlines.add_working_days`` with weekends only (no calendar look-ups)."""
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return deadlines.end_of_day(day)
