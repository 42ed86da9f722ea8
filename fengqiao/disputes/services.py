"""Every write to a case. Each runs in one transaction, locks the case row, applies the
workflow table, and writes a timeline event and an audit event in that transaction.

A form carries the case ``version`` it was rendered at. A request that arrives after someone
else moved the case is refused with ``StaleCase``; the same request arriving twice (a
double-click) finds its own event already written and returns quietly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import restrict
from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    PartyKind,
    PartyRole,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Agreement,
    ArchiveCounter,
    Case,
    CaseCounter,
    DispatchOrder,
    DueItem,
    FollowUp,
    Party,
    TimelineEvent,
)
from fengqiao.disputes.workflow import next_status
from fengqiao.notify.models import NotificationKind
from fengqiao.notify.services import notify, org_users
from fengqiao.orgs.models import Organization, Person
from fengqiao.regions.models import Region

REGISTER = "disputes.register_case"
ASSESS = "disputes.assess_case"
HANDLE = "disputes.handle_case"
ARCHIVE = "disputes.archive_case"


class StaleCase(Exception):
    """Someone else changed the case after the user's form was rendered."""

    def __init__(self, case: Case) -> None:
        self.case = case
        super().__init__(
            _("案件%(number)s已被他人处理（当前状态：%(status)s），请刷新页面后再操作。")
            % {"number": case.number, "status": case.get_status_display()}
        )


class CaseRuleError(Exception):
    """A business rule refused the request; the message is shown to the user."""


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""


# --- Helpers ------------------------------------------------------------------------------------


def _case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _locked_case(actor: Any, case_id: int, perm: str) -> Case:
    """The case row, locked, if ``actor`` may act on it under ``perm``."""
    case = (
        restrict(Case.objects.all(), actor, perm)
        .select_for_update(of=("self",))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise PermissionDenied(_("您无权办理该案件。"))
    return case


def _event(
    case: Case,
    *,
    actor: Any,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
) -> TimelineEvent:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return TimelineEvent.objects.create(
        case=case,
        actor=actor if is_user else None,
        actor_name=getattr(actor, "display_name", "") if is_user else _("系统"),
        org=org,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _already_done(case: Case, actor: Any, action: str, version: int | None) -> bool:
    """A repeated request: the last event is this actor's same action from that version."""
    if version is None:
        return False
    last = case.timeline.order_by("-at", "-id").first()
    return bool(
        last is not None
        and last.action == action
        and last.actor_id == getattr(actor, "pk", None)
        and last.data.get("from_version") == version
    )


def _transition(
    *,
    actor: Any,
    case_id: int,
    action: str,
    perm: str,
    version: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
    apply: Callable[[Case], None] | None = None,
) -> Case:
    """Apply one workflow action. ``apply`` changes the locked case's other fields."""
    with transaction.atomic():
        case = _locked_case(actor, case_id, perm)
        if version is not None and case.version != version:
            if _already_done(case, actor, action, version):
                return case
            raise StaleCase(case)
        before = case.status
        after = next_status(before, action)
        if apply is not None:
            apply(case)
        case.status = after
        case.version = F("version") + 1
        if (
            after
            in (
                CaseStatus.RESOLVED,
                CaseStatus.FAILED,
                CaseStatus.REFERRED_OUT,
                CaseStatus.WITHDRAWN,
            )
            and case.closed_at is None
        ):
            case.closed_at = timezone.now()
        case.save()
        case.refresh_from_db(fields=["version"])
        _event(
            case,
            actor=actor,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
            data={"from_version": case.version - 1, **(data or {})},
            org=org,
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_TRANSITION,
            obj=case,
            before={"status": before},
            after={"status": after, "action": action, **(data or {})},
        )
        if after not in OPEN_STATUSES:
            _close_due_items(case)
    return case


def _close_due_items(case: Case, kinds: Iterable[str] | None = None) -> None:
    qs = DueItem.objects.filter(case=case, status=DueStatus.OPEN)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    qs.update(status=DueStatus.DONE, next_check_at=None)


def _add_due(
    case: Case,
    *,
    kind: str,
    org: Organization,
    due_at: datetime,
    dispatch: DispatchOrder | None = None,
) -> DueItem:
    now = timezone.now()
    return DueItem.objects.create(
        case=case,
        kind=kind,
        org=org,
        dispatch=dispatch,
        due_at=due_at,
        next_check_at=deadlines.first_check(due_at, now),
    )


# --- Intake -------------------------------------------------------------------------------------


def _next_case_number(region: Region, year: int) -> str:
    counter, _created = CaseCounter.objects.get_or_create(region=region, year=year)
    # The row lock makes numbers gap-free per region and year under concurrent intake.
    counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return f"{region.code}-{year}-{counter.last_seq:06d}"


def case_register(
    *,
    actor: Any,
    platform: Organization,
    region: Region,
    title: str,
    category: str,
    channel: str,
    parties: Sequence[PartyInput],
    facts: str = "",
    claims: str = "",
    address: str = "",
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    people_count: int = 2,
    grade: str = RiskGrade.LOW,
) -> Case:
    """登记 — a new case, numbered by its platform's region, queued for the platform."""
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))
    with transaction.atomic():
        now = timezone.now()
        number = _next_case_number(platform.region, timezone.localtime(now).year)
        case = Case.objects.create(
            number=number,
            number_region=platform.region,
            region=region,
            region_path=region.path,
            title=title.strip(),
            category=category,
            channel=channel,
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
            grade=grade,
            platform=platform,
            registered_at=now,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Party.objects.bulk_create(
            [
                Party(
                    case=case,
                    role=p.role,
                    kind=p.kind,
                    name=p.name.strip(),
                    id_number=p.id_number.strip(),
                    phone=p.phone.strip(),
                    address=p.address,
                )
                for p in parties
            ]
        )
        # bulk_create skips pre_save hooks, so set the lookup hashes through save().
        for party in case.parties.all():
            party.save(update_fields=["id_number", "id_number_hash", "phone", "phone_hash"])
        _event(
            case,
            actor=actor,
            action="register",
            from_status="",
            to_status=CaseStatus.REGISTERED,
            data={"channel": channel, "from_version": 0},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_REGISTERED,
            obj=case,
            after={
                "number": number,
                "channel": channel,
                "category": category,
                "parties": len(parties),
            },
        )
        notify(
            recipients=org_users(platform),
            kind=NotificationKind.ASSIGNMENT,
            title=_("新登记纠纷：%(n)s %(t)s") % {"n": number, "t": case.title},
            url=_case_url(case),
            case=case,
        )
    return case


# --- Assessment, dispatch, escalation ----------------------------------------------------------


def case_assess(
    *,
    actor: Any,
    case_id: int,
    version: int | None,
    category: str,
    grade: str,
    people_count: int | None = None,
    amount: Decimal | None = None,
    flags: Iterable[str] = (),
    lead_leader: Person | None = None,
    note: str = "",
) -> Case:
    """研判 — category, risk grade, flags and 包案领导."""
    chosen = set(flags)

    def apply(case: Case) -> None:
        case.category, case.grade = category, grade
        if people_count is not None:
            case.people_count = people_count
        if amount is not None:
            case.amount = amount
        for flag in ("group", "criminal_risk", "petition_risk", "vulnerable", "sensitive"):
            setattr(case, f"flag_{flag}", flag in chosen)
        case.lead_leader = lead_leader

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ASSESS,
        perm=ASSESS,
        version=version,
        note=note,
        apply=apply,
        data={"category": category, "grade": grade, "flags": sorted(chosen)},
    )


def case_dispatch(
    *,
    actor: Any,
    case_id: int,
    version: int | None,
    orgs: Sequence[Organization],
    lead: Organization | None = None,
    suggested_mediator: Person | None = None,
    task: str = "",
) -> Case:
    """交办 — to one org, or to several for joint mediation (联合调处) with coordinating orgs."""
    if not orgs:
        raise CaseRuleError(_("请选择承办单位。"))
    targets = list(dict.fromkeys(orgs))
    joint = len(targets) > 1
    created: list[DispatchOrder] = []

    def apply(case: Case) -> None:
        now = timezone.now()
        accept_by = deadlines.accept_deadline(case.grade, now)
        for org in targets:
            role = DispatchRole.SOLE
            if joint:
                role = DispatchRole.LEAD if org == lead else DispatchRole.COORDINATING
            order = DispatchOrder.objects.create(
                case=case,
                from_org=case.platform,
                to_org=org,
                role=role,
                suggested_mediator=suggested_mediator if org == targets[0] else None,
                task=task,
                dispatched_by=actor,
                dispatched_at=now,
                accept_by=accept_by,
            )
            created.append(order)
            _add_due(case, kind=DueKind.ACCEPT, org=org, due_at=accept_by, dispatch=order)

    case = _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.DISPATCH,
        perm=ASSESS,
        version=version,
        apply=apply,
        note=task,
        data={"orgs": [o.pk for o in targets], "lead": lead.pk if lead else None},
    )
    for order in created:
        notify(
            recipients=org_users(order.to_org),
            kind=NotificationKind.ASSIGNMENT,
            title=_("交办：%(n)s %(t)s，请于%(d)s前受理")
            % {
                "n": case.number,
                "t": case.title,
                "d": timezone.localtime(order.accept_by).strftime("%m-%d %H:%M"),
            },
            url=_case_url(case),
            case=case,
        )
    return case


def _lead_order(case: Case, accepted: DispatchOrder) -> DispatchOrder:
    """The lead rule of seed 000: the first org to accept leads, unless the dispute has a clear
    industry character — then an industry committee among the orgs leads."""
    orders = list(
        case.dispatches.exclude(
            status__in=[DispatchStatus.RETURNED, DispatchStatus.CANCELLED]
        ).select_related("to_org__kind")
    )
    explicit = [o for o in orders if o.role == DispatchRole.LEAD]
    if explicit:
        return explicit[0]
    industry = [o for o in orders if o.to_org.kind.code == "committee_industry"]
    if industry:
        return industry[0]
    return accepted


def dispatch_accept(
    *, actor: Any, dispatch_id: int, version: int | None = None, note: str = ""
) -> Case:
    """受理 — the receiving org accepts; the case is accepted when its lead (or sole) org does."""
    with transaction.atomic():
        order = (
            DispatchOrder.objects.select_for_update().select_related("to_org").get(pk=dispatch_id)
        )
        _require_member(actor, order.to_org)
        if order.status == DispatchStatus.ACCEPTED:
            return order.case
        if order.status != DispatchStatus.PENDING:
            raise CaseRuleError(
                _("该交办单已%(s)s，不能受理。") % {"s": order.get_status_display()}
            )
        case = _locked_case(actor, order.case_id, HANDLE)
        if version is not None and case.version != version:
            raise StaleCase(case)
        order.status, order.responded_at = DispatchStatus.ACCEPTED, timezone.now()
        order.save(update_fields=["status", "responded_at"])
        DueItem.objects.filter(dispatch=order, status=DueStatus.OPEN).update(
            status=DueStatus.DONE, next_check_at=None
        )
        if case.status != CaseStatus.DISPATCHED:
            # A coordinating org joining a case its lead has already accepted.
            _event(
                case,
                actor=actor,
                action="join",
                from_status=case.status,
                to_status=case.status,
                org=order.to_org,
                note=note,
                data={"dispatch": order.pk, "role": order.role},
            )
            return case
        lead = _lead_order(case, order)
        if lead.pk != order.pk and lead.status != DispatchStatus.ACCEPTED:
            _event(
                case,
                actor=actor,
                action="join",
                from_status=case.status,
                to_status=case.status,
                org=order.to_org,
                note=note,
                data={"dispatch": order.pk, "role": order.role},
            )
            return case
        if lead.pk != order.pk:
            order = lead

    accepting_org = order.to_org

    def apply(c: Case) -> None:
        now = timezone.now()
        c.handling_org = accepting_org
        c.handler = actor if isinstance(actor, User) else None
        _add_due(
            c,
            kind=DueKind.MEDIATION,
            org=accepting_org,
            due_at=deadlines.mediation_deadline(c.channel, now),
        )

    return _transition(
        actor=actor,
        case_id=order.case_id,
        action=CaseAction.ACCEPT,
        perm=HANDLE,
        version=None,
        apply=apply,
        org=accepting_org,
        note=note,
        data={"dispatch": order.pk, "role": order.role},
    )


def _require_member(actor: Any, org: Organization) -> None:
    if not actor.role_grants.filter(org=org).exists():
        raise PermissionDenied(_("只有承办单位的工作人员可以受理或退回。"))


def dispatch_return(*, actor: Any, dispatch_id: int, reason: str) -> Case:
    """退回 — the receiving org sends the case back with a reason; re-dispatch follows."""
    if not reason.strip():
        raise CaseRuleError(_("退回必须说明理由。"))
    with transaction.atomic():
        order = DispatchOrder.objects.select_for_update().select_related("case").get(pk=dispatch_id)
        _require_member(actor, order.to_org)
        if order.status != DispatchStatus.PENDING and not (
            order.status == DispatchStatus.ACCEPTED
            and order.case.status == CaseStatus.ACCEPTED
            and order.case.handling_org_id == order.to_org_id
        ):
            raise CaseRuleError(
                _("该交办单已%(s)s，不能退回。") % {"s": order.get_status_display()}
            )
        order.status, order.responded_at = DispatchStatus.RETURNED, timezone.now()
        order.return_reason = reason.strip()
        order.save(update_fields=["status", "responded_at", "return_reason"])
        DueItem.objects.filter(dispatch=order, status=DueStatus.OPEN).update(
            status=DueStatus.CANCELLED, next_check_at=None
        )
        live = order.case.dispatches.filter(
            status__in=[DispatchStatus.PENDING, DispatchStatus.ACCEPTED]
        )
        if live.exists() and order.case.handling_org_id != order.to_org_id:
            case = order.case
            _event(
                case,
                actor=actor,
                action=CaseAction.RETURN,
                from_status=case.status,
                to_status=case.status,
                org=order.to_org,
                note=reason,
                data={"dispatch": order.pk},
            )
            return case

        def apply(c: Case) -> None:
            c.handling_org, c.handler = None, None
            c.dispatches.filter(status=DispatchStatus.PENDING).update(
                status=DispatchStatus.CANCELLED
            )
            _close_due_items(c)

        case = _transition(
            actor=actor,
            case_id=order.case_id,
            action=CaseAction.RETURN,
            perm=HANDLE,
            version=None,
            apply=apply,
            note=reason,
            org=order.to_org,
            data={"dispatch": order.pk},
        )
    notify(
        recipients=org_users(case.platform),
        kind=NotificationKind.RETURN,
        title=_("退回：%(n)s（%(o)s）") % {"n": case.number, "o": order.to_org.name},
        body=reason,
        url=_case_url(case),
        case=case,
    )
    return case


def case_escalate(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    """上报 — hand the case to the platform one level up (village → township → county)."""
    if not reason.strip():
        raise CaseRuleError(_("上报必须说明理由。"))
    upper: list[Organization] = []

    def apply(case: Case) -> None:
        parent = case.platform.parent
        if parent is None:
            raise CaseRuleError(_("%(p)s没有上级平台，无法上报。") % {"p": case.platform.name})
        upper.append(parent)
        case.platform = parent
        case.handling_org, case.handler = None, None
        case.dispatches.filter(status=DispatchStatus.PENDING).update(
            status=DispatchStatus.CANCELLED
        )
        _close_due_items(case)

    # Anyone handling or assessing the case may escalate it.
    perm = HANDLE if _may(actor, case_id, HANDLE) else ASSESS
    case = _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ESCALATE,
        perm=perm,
        version=version,
        apply=apply,
        note=reason,
    )
    notify(
        recipients=org_users(upper[0]),
        kind=NotificationKind.ASSIGNMENT,
        title=_("下级上报：%(n)s %(t)s") % {"n": case.number, "t": case.title},
        body=reason,
        url=_case_url(case),
        case=case,
    )
    return case


def _may(actor: Any, case_id: int, perm: str) -> bool:
    return restrict(Case.objects.filter(pk=case_id), actor, perm).exists()


# --- Mediation ---------------------------------------------------------------------------------


def mediation_start(*, actor: Any, case_id: int, version: int | None, note: str = "") -> Case:
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.START,
        perm=HANDLE,
        version=version,
        note=note,
    )


def case_suspend(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    """中止 — the mediation clock stops until resumed."""

    def apply(case: Case) -> None:
        DueItem.objects.filter(case=case, status=DueStatus.OPEN, paused_at__isnull=True).update(
            paused_at=timezone.now(), next_check_at=None
        )

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.SUSPEND,
        perm=HANDLE,
        version=version,
        note=reason,
        apply=apply,
    )


def case_resume(*, actor: Any, case_id: int, version: int | None, note: str = "") -> Case:
    """恢复 — deadlines move on by the time spent suspended."""

    def apply(case: Case) -> None:
        now = timezone.now()
        for item in DueItem.objects.select_for_update().filter(
            case=case, status=DueStatus.OPEN, paused_at__isnull=False
        ):
            paused_for = now - (item.paused_at or now)
            item.due_at += paused_for
            item.paused_at = None
            item.next_check_at = deadlines.first_check(item.due_at, now)
            item.save(update_fields=["due_at", "paused_at", "next_check_at"])

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.RESUME,
        perm=HANDLE,
        version=version,
        note=note,
        apply=apply,
    )


def case_extend(
    *,
    actor: Any,
    case_id: int,
    days: int,
    applicant_consents: bool,
    respondent_consents: bool,
    note: str = "",
) -> DueItem:
    """延长调解期限 — only with the recorded consent of both parties."""
    if not (applicant_consents and respondent_consents):
        raise CaseRuleError(_("延长调解期限须经双方当事人同意。"))
    if not 1 <= days <= 60:
        raise CaseRuleError(_("延长天数应在1至60天之间。"))
    with transaction.atomic():
        case = _locked_case(actor, case_id, HANDLE)
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED):
            raise CaseRuleError(_("只有受理后、办结前的案件可以延期。"))
        item = (
            DueItem.objects.select_for_update()
            .filter(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
            .first()
        )
        if item is None:
            raise CaseRuleError(_("该案件没有进行中的调解期限。"))
        before = item.due_at
        item.due_at = item.due_at + timedelta(days=days)
        item.reminded_at = None
        if item.paused_at is None:
            item.next_check_at = deadlines.first_check(item.due_at, timezone.now())
        item.save(update_fields=["due_at", "reminded_at", "next_check_at"])
        data = {
            "days": days,
            "from": before.isoformat(),
            "to": item.due_at.isoformat(),
            "consent": ["applicant", "respondent"],
        }
        _event(
            case,
            actor=actor,
            action="extend",
            from_status=case.status,
            to_status=case.status,
            note=note,
            data=data,
        )
        audit_record(
            actor=actor, event_type=EventType.CASE_UPDATED, obj=case, after={"extend": data}
        )
    return item


def case_agree(
    *,
    actor: Any,
    case_id: int,
    version: int | None,
    kind: str,
    terms: str,
    facts: str = "",
    disputed_points: str = "",
    responsibilities: str = "",
    performance_method: str = "",
    performance_place: str = "",
    performance_deadline: date | None = None,
) -> Case:
    """达成协议 — written (人民调解法 art. 29) or oral (art. 28)."""
    if not terms.strip():
        raise CaseRuleError(_("协议内容不能为空。"))

    def apply(case: Case) -> None:
        Agreement.objects.create(
            case=case,
            kind=kind,
            terms=terms,
            facts=facts,
            disputed_points=disputed_points,
            responsibilities=responsibilities,
            performance_method=performance_method,
            performance_place=performance_place,
            performance_deadline=performance_deadline,
        )
        if case.handling_org is not None:
            case.resolved_level = case.handling_org.region.level

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.AGREE,
        perm=HANDLE,
        version=version,
        apply=apply,
        data={"kind": kind},
    )


def case_fail(
    *, actor: Any, case_id: int, version: int | None, undisputed_facts: str, note: str = ""
) -> Case:
    """调解不成 — with the undisputed facts (无争议事实记载) for the court."""
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.FAIL,
        perm=HANDLE,
        version=version,
        note=note,
        data={"undisputed_facts": undisputed_facts},
    )


def case_refer(
    *, actor: Any, case_id: int, version: int | None, target: str, receiver: str, note: str = ""
) -> Case:
    """转出 — litigation, arbitration, administrative, police or 信访, with who receives it."""
    if not receiver.strip():
        raise CaseRuleError(_("请填写接收单位。"))
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REFER,
        perm=HANDLE,
        version=version,
        note=note,
        data={"target": target, "receiver": receiver},
    )


def case_reject(
    *, actor: Any, case_id: int, version: int | None, reason: str, receiver: str = ""
) -> Case:
    """不予受理 — not mediable (e.g. already in litigation); referred to where it belongs."""
    if not reason.strip():
        raise CaseRuleError(_("请说明不予受理的理由。"))
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REJECT,
        perm=ASSESS,
        version=version,
        note=reason,
        data={"receiver": receiver},
    )


def case_withdraw(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    """撤回 — the applicant withdraws; pending orders are cancelled."""

    def apply(case: Case) -> None:
        case.dispatches.filter(status=DispatchStatus.PENDING).update(
            status=DispatchStatus.CANCELLED
        )

    perm = HANDLE if _may(actor, case_id, HANDLE) else ASSESS
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.WITHDRAW,
        perm=perm,
        version=version,
        note=reason,
        apply=apply,
    )


def follow_up_record(*, actor: Any, case_id: int, satisfaction: int, comment: str = "") -> FollowUp:
    """回访 — satisfaction 1–5 and the parties' comments."""
    if not 1 <= satisfaction <= 5:
        raise CaseRuleError(_("满意度应为1至5分。"))
    with transaction.atomic():
        case = _locked_case(actor, case_id, HANDLE)
        if case.is_open:
            raise CaseRuleError(_("案件办结后才能回访。"))
        visit = FollowUp.objects.create(
            case=case, visitor=actor, satisfaction=satisfaction, comment=comment
        )
        _event(
            case,
            actor=actor,
            action="follow_up",
            from_status=case.status,
            to_status=case.status,
            note=comment,
            data={"satisfaction": satisfaction},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            after={"follow_up": satisfaction},
        )
    return visit


def _archive_number(org: Organization, year: int) -> str:
    counter, _created = ArchiveCounter.objects.get_or_create(org=org, year=year)
    counter = ArchiveCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    short = org.region.name[:2]
    return f"（{year}）{short}人调字第{counter.last_seq}号"


def case_archive(*, actor: Any, case_id: int, version: int | None) -> Case:
    """立卷归档 — with a file number like （2026）枫溪人调字第12号."""

    def apply(case: Case) -> None:
        org = case.handling_org or case.platform
        case.archive_number = _archive_number(org, timezone.localtime().year)

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ARCHIVE,
        perm=ARCHIVE,
        version=version,
        apply=apply,
    )
