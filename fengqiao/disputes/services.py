"""Every write to a case. Each runs in one transaction, locks the case row, applies the
workflow table, and writes a timeline event and an audit event in that transaction.

Who may act is decided on the locked row, by the side the actor stands on: the platform that
holds the case (研判, 交办, 不予受理, 上报), the org that handles it (调解 and its outcomes), or
the receiving org of a 交办单 (受理, 退回). A user who can see the case but is on no side gets
``PermissionDenied``; an action the workflow table does not allow in the current state gets
``TransitionNotAllowed`` first, whoever asks.

Locks are always taken case row first, then its orders and due items, so two services never
wait on each other in opposite order.

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

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.access import grant_org_ids, has_perm, holds_at, restrict, scope_for
from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    CourtProcedure,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    PartyKind,
    PartyRole,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Agreement,
    AgreementKind,
    ArchiveCounter,
    Case,
    CaseCounter,
    DispatchOrder,
    DueItem,
    Failure,
    FollowUp,
    Party,
    Referral,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.disputes.permissions import (
    ARCHIVE_CASE,
    ASSESS_CASE,
    HANDLE_CASE,
    REGISTER_CASE,
    VIEW_CASE,
)
from fengqiao.disputes.sweep import dispatching_platforms
from fengqiao.disputes.workflow import TransitionNotAllowed, next_status
from fengqiao.mediation.consent import mediation_blocker
from fengqiao.notify.models import NotificationKind
from fengqiao.notify.services import notify, org_users
from fengqiao.orgs.models import Organization, Person
from fengqiao.regions.models import Region

INDUSTRY_COMMITTEE = "committee_industry"


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


# Sides an actor can stand on towards a case.
PLATFORM = "platform"  # the platform holding the case, or one above it
HANDLER = "handler"  # the org handling the case (its lead org in joint mediation)
ARCHIVER = "archiver"  # whoever files the closed case: the handling org, else the platform

# Which sides may take each action. Accept and return are answered on a 交办单 by its
# receiving org (``dispatch_accept``/``dispatch_return`` check that themselves).
ACTION_SIDES: dict[str, tuple[str, ...]] = {
    CaseAction.ASSESS: (PLATFORM,),
    CaseAction.DISPATCH: (PLATFORM,),
    CaseAction.REJECT: (PLATFORM,),
    CaseAction.ESCALATE: (PLATFORM, HANDLER),
    CaseAction.WITHDRAW: (PLATFORM, HANDLER),
    CaseAction.START: (HANDLER,),
    CaseAction.SUSPEND: (HANDLER,),
    CaseAction.RESUME: (HANDLER,),
    CaseAction.AGREE: (HANDLER,),
    CaseAction.FAIL: (HANDLER,),
    CaseAction.REFER: (HANDLER,),
    CaseAction.ARCHIVE: (ARCHIVER,),
    CaseAction.ACCEPT: (),
    CaseAction.RETURN: (),
}


def _holds(actor: Any, perm: str, org_ids: Iterable[int | None]) -> bool:
    """``actor`` holds ``perm`` through a grant at one of ``org_ids`` (or everywhere)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if scope_for(actor, perm).everything:
        return True
    return holds_at(actor, perm, org_ids)


def _platform_chain(platform: Organization) -> list[int]:
    """The platform and the platforms above it (a county dispatcher may act on a township's
    case; the township no longer acts on a case it has escalated to the county)."""
    ids: list[int] = []
    org: Organization | None = platform
    while org is not None and org.pk not in ids:
        ids.append(org.pk)
        org = org.parent
    return ids


def _on_side(actor: Any, case: Case, side: str) -> bool:
    if side == PLATFORM:
        return _holds(actor, ASSESS_CASE, _platform_chain(case.platform))
    if side == HANDLER:
        return case.handling_org_id is not None and _holds(
            actor, HANDLE_CASE, [case.handling_org_id]
        )
    if side == ARCHIVER:
        if case.handling_org_id is not None:
            return _holds(actor, ARCHIVE_CASE, [case.handling_org_id])
        chain = _platform_chain(case.platform)
        return _holds(actor, ARCHIVE_CASE, chain) or _holds(actor, ASSESS_CASE, chain)
    return False


# Actions that mediate, and so need every party's consent and the rights notice first
# (人民调解法 art. 17: 当事人一方明确拒绝调解的，不得调解), with the words their refusal uses.
NEEDS_CONSENT: dict[str, Any] = {
    CaseAction.START: gettext_lazy("开始调解"),
    CaseAction.AGREE: gettext_lazy("达成调解协议"),
}


def case_may(actor: Any, case: Case, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``case`` now: the workflow table allows it from
    the case's state, the actor stands on a side that takes it, and for mediating actions the
    parties have consented and been notified of their rights. Pages use this to offer exactly
    the actions the services accept."""
    try:
        next_status(case.status, action)
    except TransitionNotAllowed:
        return False
    if not any(_on_side(actor, case, side) for side in ACTION_SIDES.get(action, ())):
        return False
    return action not in NEEDS_CONSENT or mediation_blocker(case, "") is None


def case_handled_by(actor: Any, case: Case) -> bool:
    """``actor`` acts for the org handling ``case`` (its lead org in joint mediation)."""
    return _on_side(actor, case, HANDLER)


def _require_consent(case: Case, action: str) -> None:
    blocker = mediation_blocker(case, str(NEEDS_CONSENT[action]))
    if blocker is not None:
        raise CaseRuleError(blocker)


def _lock_case(actor: Any, case_id: int) -> Case:
    """The case row, locked, if ``actor`` can see it at all (else ``PermissionDenied``, which
    says nothing about whether it exists)."""
    # With the orgs the side checks, the agreement's level and the report back read (only the
    # case row is locked).
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("platform", "handling_org__region")
        .filter(pk=case_id)
        .first()
    )
    # The sides first, the handling org's before the platforms' (which walk up the platform
    # tree): they are read from the actor's grants already loaded, while the view scope reads
    # the org's whole open caseload (Case.scope_member_q).
    if case is None or not (
        any(_on_side(actor, case, side) for side in (HANDLER, PLATFORM))
        or restrict(Case.objects.filter(pk=case_id), actor, VIEW_CASE).exists()
    ):
        raise PermissionDenied(_("您无权办理该案件。"))
    return case


def _authorize(actor: Any, case: Case, sides: Iterable[str]) -> None:
    if not any(_on_side(actor, case, side) for side in sides):
        raise PermissionDenied(_("您无权办理该案件。"))


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
    """A repeated request: the transition that left ``version`` was this actor's same action.

    Each version is left by exactly one transition event (``from_version``), so this finds it
    even when other events (a reminder from the sweep, an org joining) came after it.
    """
    if version is None:
        return False
    done = (
        case.timeline.filter(data__from_version=version)
        .exclude(from_status="")
        .order_by("-at", "-id")
        .first()
    )
    return bool(
        done is not None
        and done.action == action
        and done.actor_id is not None
        and done.actor_id == getattr(actor, "pk", None)
    )


def _apply_transition(
    case: Case,
    *,
    actor: Any,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
    apply: Callable[[Case], None] | None = None,
) -> Case:
    """Apply one workflow action to a case the caller has locked and authorized."""
    before = case.status
    after = next_status(before, action)
    if apply is not None:
        apply(case)
    case.status = after
    # The row is locked (``_lock_case``) and its version was read with the lock: no one else
    # can have moved it on, so the new version is known without reading it back.
    case.version += 1
    if after not in OPEN_STATUSES and after != CaseStatus.ARCHIVED and case.closed_at is None:
        case.closed_at = timezone.now()
    case.save()
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
        # A closed case leaves no order waiting in an org's inbox and no clock running.
        _end_orders(case, statuses=[DispatchStatus.PENDING])
        _close_due_items(
            case,
            status=DueStatus.CANCELLED if after == CaseStatus.WITHDRAWN else DueStatus.DONE,
        )
    if after in CLOSED_OUTCOMES:
        _report_back(case, actor=actor, outcome=after, note=note)
    return case


# The outcomes a dispatched case reports back to its dispatching platforms (archiving is not one).
CLOSED_OUTCOMES = (
    CaseStatus.RESOLVED,
    CaseStatus.FAILED,
    CaseStatus.REFERRED_OUT,
    CaseStatus.WITHDRAWN,
)


def _outcome_record(case: Case, name: str) -> Any:
    """The case's 协议 / 调解不成 / 转出 record (a reverse one-to-one): the one this transition
    wrote is already cached on the case, so it is not read again."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _outcome_summary(case: Case, outcome: str, note: str) -> str:
    """The result as the dispatching platform reads it."""
    if outcome == CaseStatus.RESOLVED:
        agreement = _outcome_record(case, "agreement")
        if agreement is not None:
            return _("调解成功，达成%(kind)s：%(terms)s") % {
                "kind": agreement.get_kind_display(),
                "terms": agreement.terms,
            }
    if outcome == CaseStatus.FAILED:
        failure = _outcome_record(case, "failure")
        if failure is not None:
            return _("调解不成。无争议事实记载：%(f)s") % {"f": failure.undisputed_facts}
    if outcome == CaseStatus.REFERRED_OUT:
        referral = _outcome_record(case, "referral")
        if referral is not None and referral.action == CaseAction.REJECT:
            return _("不予受理（%(why)s），告知/移送：%(r)s") % {
                "why": referral.note,
                "r": referral.receiver or "—",
            }
        if referral is not None:
            return _("已转出（%(t)s），接收单位：%(r)s") % {
                "t": referral.get_target_display(),
                "r": referral.receiver,
            }
    if outcome == CaseStatus.WITHDRAWN:
        return _("已撤回：%(why)s") % {"why": note}
    return str(CaseStatus(outcome).label)


def _report_back(case: Case, *, actor: Any, outcome: str, note: str) -> None:
    """办结反馈 — every platform that sent the case down hears its outcome (DESIGN §3; seed 004
    §26: 对上级平台交办的矛盾纠纷……办结的，及时反馈), and the timeline records that it did. A
    platform the actor acts for closed the case itself and is not told."""
    own = grant_org_ids(actor) if isinstance(actor, User) else frozenset()
    platforms = [p for p in dispatching_platforms(case) if p.pk not in own]
    if not platforms:
        return
    summary = _outcome_summary(case, outcome, note)
    names = "、".join(p.name for p in platforms)
    _event(
        case,
        actor=actor,
        action="report_back",
        from_status=outcome,
        to_status=outcome,
        org=case.handling_org,
        note=_("已向%(p)s反馈办理结果：%(s)s") % {"p": names, "s": summary},
        data={"platforms": [p.pk for p in platforms], "outcome": outcome},
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_REPORTED,
        obj=case,
        after={"platforms": [p.pk for p in platforms], "outcome": outcome, "done": True},
    )
    by = case.handling_org.name if case.handling_org is not None else case.platform.name
    notify(
        recipients=[u for p in platforms for u in org_users(p)],
        kind=NotificationKind.RESULT,
        title=_("办理结果：%(n)s %(o)s（%(by)s）")
        % {"n": case.number, "o": CaseStatus(outcome).label, "by": by},
        body=summary[:2000],
        url=_case_url(case),
        case=case,
    )


def _transition(
    *,
    actor: Any,
    case_id: int,
    action: str,
    perm: str = "",
    version: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    org: Organization | None = None,
    apply: Callable[[Case], None] | None = None,
) -> Case:
    """Lock, check the version, the table and the actor's side, then apply one action.

    ``perm`` is kept for callers of the old signature; the side table decides.
    """
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if version is not None and case.version != version:
            if _already_done(case, actor, action, version):
                return case
            raise StaleCase(case)
        next_status(case.status, action)  # the table first: a clear message for everyone
        _authorize(actor, case, ACTION_SIDES[action])
        return _apply_transition(
            case, actor=actor, action=action, note=note, data=data, org=org, apply=apply
        )


def _finish_due(items: QuerySet[DueItem], status: str) -> None:
    """Stop the clocks of open ``items`` (done or cancelled); a 督办 issued on one of them is
    closed with it, so the upper platform sees it settled."""
    ids = list(items.filter(status=DueStatus.OPEN).values_list("pk", flat=True))
    if not ids:
        return
    DueItem.objects.filter(pk__in=ids).update(status=status, next_check_at=None)
    SupervisionOrder.objects.filter(due_item_id__in=ids, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def _close_due_items(
    case: Case, kinds: Iterable[str] | None = None, *, status: str = DueStatus.DONE
) -> None:
    qs = DueItem.objects.filter(case=case)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    _finish_due(qs, status)


LIVE_ORDER = [DispatchStatus.PENDING, DispatchStatus.ACCEPTED]
# States in which a 交办单 can be answered: the case waits for its orgs, or is being handled
# and a coordinating org joins (or declines).
ORDER_ANSWERABLE = [
    CaseStatus.DISPATCHED,
    CaseStatus.ACCEPTED,
    CaseStatus.MEDIATING,
    CaseStatus.SUSPENDED,
]


def _end_orders(
    case: Case, *, statuses: Sequence[str] = tuple(LIVE_ORDER), exclude: int | None = None
) -> None:
    """Cancel the case's orders in ``statuses`` and stop their acceptance clocks. Used when the
    case goes back to a platform (return, escalation: the old team is released, so it can
    neither lead nor join the next dispatch) and when the case closes (pending orders only)."""
    orders = DispatchOrder.objects.filter(case=case, status__in=list(statuses))
    if exclude is not None:
        orders = orders.exclude(pk=exclude)
    ids = list(orders.values_list("pk", flat=True))
    if not ids:
        return
    DispatchOrder.objects.filter(pk__in=ids).update(status=DispatchStatus.CANCELLED)
    _finish_due(DueItem.objects.filter(dispatch_id__in=ids), DueStatus.CANCELLED)


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


def _take_next(counter_model: type[CaseCounter] | type[ArchiveCounter], **key: Any) -> int:
    """The next number of a counter row. The row lock makes numbers gap-free and unique under
    concurrent transactions; it is held only by those that number under the same key."""
    counter, _created = counter_model.objects.select_for_update().get_or_create(**key)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq


def _next_case_number(region: Region, year: int) -> str:
    seq = _take_next(CaseCounter, region=region, year=year)
    return f"{region.code}-{year}-{seq:06d}"


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
    """登记 — a new case, numbered by its platform's region, queued for the platform.

    Staff register with the register permission; an online application (网上申请) comes from
    the applicant themself and needs none.
    """
    if channel != IntakeChannel.PORTAL and not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))
    # No savepoint when called inside a caller's transaction (the API's): a failure here
    # rolls the caller back with it.
    with transaction.atomic(savepoint=False):
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
        # bulk_create runs the fields' pre_save, which sets the lookup hashes (core.fields).
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
    procedure: str = "",
    note: str = "",
) -> Case:
    """研判 — category, risk grade, flags and 包案领导; for a court 委托 case also its 审理程序
    (普通/简易), which sets the mediation limit once the case is accepted."""
    chosen = set(flags)
    if procedure and procedure not in CourtProcedure.values:
        raise CaseRuleError(_("请选择普通程序或简易程序。"))

    def apply(case: Case) -> None:
        if procedure and case.channel != IntakeChannel.COURT_POST:
            raise CaseRuleError(_("只有法院委托（诉中）调解的案件需要选择审理程序。"))
        if procedure:
            case.procedure = procedure
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
        version=version,
        note=note,
        apply=apply,
        data={
            "category": category,
            "grade": grade,
            "flags": sorted(chosen),
            **({"procedure": procedure} if procedure else {}),
        },
    )


def _is_industry(org: Organization) -> bool:
    return org.kind.code == INDUSTRY_COMMITTEE


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
    """交办 — to one org, or to several for joint mediation (联合调处) with coordinating orgs.

    The lead (主调方) of a joint case follows seed 000: an industry committee among the orgs
    leads (有明显行业特征的矛盾纠纷，行业单位为主调方); otherwise the dispatcher may name one,
    and if nobody is named the first org to accept leads (最先受理纠纷的单位为主调方).
    """
    if not orgs:
        raise CaseRuleError(_("请选择承办单位。"))
    targets = list(dict.fromkeys(orgs))
    joint = len(targets) > 1
    if lead is not None and lead not in targets:
        raise CaseRuleError(_("主调单位必须是承办单位之一。"))
    industry = [o for o in targets if _is_industry(o)]
    if joint and industry:
        if lead is not None and not _is_industry(lead):
            raise CaseRuleError(
                _("有明显行业特征的纠纷由行业性专业性人民调解委员会主调，请选择%(o)s为主调单位。")
                % {"o": industry[0].name}
            )
        lead = lead or industry[0]
    created: list[DispatchOrder] = []

    def apply(case: Case) -> None:
        now = timezone.now()
        for org in targets:
            # 受理时限 per the receiving org's level and the case's grade (DeadlineLimit).
            accept_by = deadlines.accept_deadline(case.grade, now, level=org.region.level)
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
        version=version,
        apply=apply,
        note=task,
        data={"orgs": [o.pk for o in targets], "lead": lead.pk if lead and joint else None},
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


def _lead_order(case: Case) -> DispatchOrder | None:
    """The live order marked lead, if any (set at dispatch, or by the first acceptance)."""
    return (
        case.dispatches.filter(status__in=LIVE_ORDER, role=DispatchRole.LEAD)
        .select_related("to_org")
        .first()
    )


def _successor_lead(case: Case) -> DispatchOrder | None:
    """Who leads once the lead has returned its order: an industry committee still on the
    case, else the first org that accepted; nobody yet if no one has accepted."""
    live = list(
        case.dispatches.filter(status__in=LIVE_ORDER)
        .select_related("to_org__kind")
        .order_by("responded_at", "pk")
    )
    for order in live:
        if _is_industry(order.to_org):
            return order
    accepted = [o for o in live if o.status == DispatchStatus.ACCEPTED]
    return accepted[0] if accepted else None


def _make_lead(order: DispatchOrder) -> None:
    if order.role == DispatchRole.COORDINATING:
        order.role = DispatchRole.LEAD
        order.save(update_fields=["role"])


def _accept_case(
    case: Case, order: DispatchOrder, *, actor: Any, handler: Any, note: str = ""
) -> Case:
    """The case is accepted by ``order``'s org: it handles the case and the mediation clock
    starts (30 days for court 委派, 15 for 委托, one month otherwise — deadlines.py)."""
    accepting_org = order.to_org

    def apply(c: Case) -> None:
        now = timezone.now()
        c.handling_org = accepting_org
        c.handler = handler if isinstance(handler, User) else None
        _add_due(
            c,
            kind=DueKind.MEDIATION,
            org=accepting_org,
            due_at=deadlines.mediation_deadline(c.channel, now, c.procedure),
        )
        # The result is owed to the platform that dispatched it (反馈时限, sweep.py).
        _add_due(
            c,
            kind=DueKind.FEEDBACK,
            org=accepting_org,
            dispatch=order,
            due_at=deadlines.feedback_deadline(c.grade, now, level=accepting_org.region.level),
        )

    return _apply_transition(
        case,
        actor=actor,
        action=CaseAction.ACCEPT,
        apply=apply,
        org=accepting_org,
        note=note,
        data={"dispatch": order.pk, "role": order.role},
    )


def _lock_order_and_case(dispatch_id: int) -> tuple[DispatchOrder, Case]:
    """The case row, then the order row, both locked (the order the other services use)."""
    case_id = DispatchOrder.objects.filter(pk=dispatch_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DispatchOrder.DoesNotExist
    case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
    order = (
        DispatchOrder.objects.select_for_update(of=("self",))
        .select_related("to_org__kind")
        .get(pk=dispatch_id)
    )
    return order, case


def _join(case: Case, order: DispatchOrder, *, actor: Any, action: str, note: str) -> None:
    _event(
        case,
        actor=actor,
        action=action,
        from_status=case.status,
        to_status=case.status,
        org=order.to_org,
        note=note,
        data={"dispatch": order.pk, "role": order.role},
    )


def dispatch_accept(
    *, actor: Any, dispatch_id: int, version: int | None = None, note: str = ""
) -> Case:
    """受理 — the receiving org accepts; the case is accepted when its lead (or sole) org does.

    In joint mediation an org that accepts while the named lead has not yet accepted joins and
    waits; the lead's acceptance then accepts the case. Without a named lead the first org to
    accept becomes the lead. An org accepting after that joins as coordinating org.
    """
    with transaction.atomic():
        order, case = _lock_order_and_case(dispatch_id)
        _require_member(actor, order.to_org)
        if order.status == DispatchStatus.ACCEPTED:
            if order.responded_by_id in (None, getattr(actor, "pk", None)):
                return case  # the same click twice
            raise CaseRuleError(
                _("该交办单已由%(name)s受理。")
                % {"name": getattr(order.responded_by, "display_name", "")}
            )
        if order.status != DispatchStatus.PENDING:
            raise CaseRuleError(
                _("该交办单状态为“%(s)s”，不能受理。") % {"s": order.get_status_display()}
            )
        if version is not None and case.version != version:
            raise StaleCase(case)
        if case.status not in ORDER_ANSWERABLE:
            raise TransitionNotAllowed(case.status, CaseAction.ACCEPT)
        order.status, order.responded_at = DispatchStatus.ACCEPTED, timezone.now()
        order.responded_by = actor if isinstance(actor, User) else None
        order.save(update_fields=["status", "responded_at", "responded_by"])
        _finish_due(DueItem.objects.filter(dispatch=order), DueStatus.DONE)
        if case.status != CaseStatus.DISPATCHED:
            # A coordinating org joining a case its lead has already accepted.
            _join(case, order, actor=actor, action="join", note=note)
            return case
        lead = _lead_order(case)
        if lead is not None and lead.pk != order.pk:
            # The named lead has not accepted yet: this org joins and the case waits for it.
            _join(case, order, actor=actor, action="join", note=note)
            return case
        _make_lead(order)
        return _accept_case(case, order, actor=actor, handler=actor, note=note)


def _require_member(actor: Any, org: Organization) -> None:
    if not _holds(actor, HANDLE_CASE, [org.pk]):
        raise PermissionDenied(_("只有承办单位的工作人员可以受理或退回。"))


def dispatch_return(*, actor: Any, dispatch_id: int, reason: str) -> Case:
    """退回 — the receiving org sends the case back with a reason; re-dispatch follows.

    A coordinating org declining leaves the case where it is. When the lead returns before
    accepting, the lead passes on (seed 000); the case goes back to the platform only when no
    org is left on it. The handling org may also return an accepted case before mediation
    starts; the whole team is then released.
    """
    if not reason.strip():
        raise CaseRuleError(_("退回必须说明理由。"))
    with transaction.atomic():
        order, case = _lock_order_and_case(dispatch_id)
        _require_member(actor, order.to_org)
        if order.status == DispatchStatus.RETURNED and order.responded_by_id == getattr(
            actor, "pk", None
        ):
            return case  # the same click twice
        # The handling org returning its accepted case is a workflow transition (allowed only
        # before mediation starts); a pending order declined is an answer to that order.
        handling = (
            order.status == DispatchStatus.ACCEPTED and case.handling_org_id == order.to_org_id
        )
        if handling:
            next_status(case.status, CaseAction.RETURN)
        elif order.status != DispatchStatus.PENDING:
            raise CaseRuleError(
                _("该交办单状态为“%(s)s”，不能退回。") % {"s": order.get_status_display()}
            )
        elif case.status not in ORDER_ANSWERABLE:
            raise TransitionNotAllowed(case.status, CaseAction.RETURN)
        was_lead = order.role == DispatchRole.LEAD
        order.status, order.responded_at = DispatchStatus.RETURNED, timezone.now()
        order.responded_by = actor if isinstance(actor, User) else None
        order.return_reason = reason.strip()
        order.save(update_fields=["status", "responded_at", "responded_by", "return_reason"])
        _finish_due(DueItem.objects.filter(dispatch=order), DueStatus.CANCELLED)

        def back_to_platform(c: Case) -> None:
            c.handling_org, c.handler = None, None
            _end_orders(c)
            _close_due_items(c, status=DueStatus.CANCELLED)

        live = case.dispatches.filter(status__in=LIVE_ORDER)
        if handling or (case.status == CaseStatus.DISPATCHED and not live.exists()):
            case = _apply_transition(
                case,
                actor=actor,
                action=CaseAction.RETURN,
                apply=back_to_platform,
                note=reason,
                org=order.to_org,
                data={"dispatch": order.pk},
            )
        else:
            _join(case, order, actor=actor, action=CaseAction.RETURN, note=reason)
            if case.status == CaseStatus.DISPATCHED and was_lead:
                successor = _successor_lead(case)
                if successor is not None:
                    _make_lead(successor)
                    if successor.status == DispatchStatus.ACCEPTED:
                        case = _accept_case(
                            case,
                            successor,
                            actor=actor,
                            handler=successor.responded_by,
                            note=_("主调单位退回，由%(o)s主调。") % {"o": successor.to_org.name},
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


def _hands_back(actor: Any, case: Case) -> bool:
    """Whether ``actor``'s 上报 hands the case back to its own platform: the actor acts for the
    handling org (not for the platform), and that org sits below the platform's level (a
    village committee handling a township's case). Escalation goes one level up from where the
    case is handled, so the township decides whether to re-dispatch it or escalate it further."""
    org = case.handling_org
    return (
        org is not None
        and org.region.level > case.platform.region.level
        and not _on_side(actor, case, PLATFORM)
        and _on_side(actor, case, HANDLER)
    )


def case_escalate(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    """上报 — one level up from where the case is handled (village → township → county).

    The org handling the case below its platform hands it back to that platform for
    re-dispatch or further escalation; the platform (or an org at the platform's level) hands
    it to the platform above. Either way the orders of the current round end and the receiving
    platform assesses and dispatches afresh.
    """
    if not reason.strip():
        raise CaseRuleError(_("上报必须说明理由。"))
    moved: list[tuple[Organization, Organization | None]] = []  # (receiving platform, from org)
    data: dict[str, Any] = {}

    def apply(case: Case) -> None:
        from_org = case.handling_org
        if _hands_back(actor, case):
            upper = case.platform
            data.update(handed_back=True, platform=upper.pk, from_org=getattr(from_org, "pk", None))
        else:
            parent = case.platform.parent
            if parent is None:
                raise CaseRuleError(_("%(p)s没有上级平台，无法上报。") % {"p": case.platform.name})
            upper = parent
            data.update(from_platform=case.platform.pk, platform=upper.pk)
        moved.append((upper, from_org))
        case.platform = upper
        case.handling_org, case.handler = None, None
        _end_orders(case)
        _close_due_items(case, status=DueStatus.CANCELLED)

    case = _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ESCALATE,
        version=version,
        apply=apply,
        note=reason,
        data=data,
    )
    if moved:  # not on a repeated click, which changed nothing
        upper, from_org = moved[0]
        if data.get("handed_back") and from_org is not None:
            title = _("承办单位上报：%(n)s（%(o)s），请重新交办或上报上级平台") % {
                "n": case.number,
                "o": from_org.name,
            }
        else:
            title = _("下级上报：%(n)s %(t)s") % {"n": case.number, "t": case.title}
        notify(
            recipients=org_users(upper),
            kind=NotificationKind.ASSIGNMENT,
            title=title,
            body=reason,
            url=_case_url(case),
            case=case,
        )
    return case


# --- Mediation ---------------------------------------------------------------------------------


def mediation_start(*, actor: Any, case_id: int, version: int | None, note: str = "") -> Case:
    """开始调解 — only once every applicant and respondent has consented and the rights notice
    has been given (人民调解法 arts. 17, 23); a refusal stops it and leaves 转出."""

    def apply(case: Case) -> None:
        _require_consent(case, CaseAction.START)

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.START,
        version=version,
        note=note,
        apply=apply,
    )


def case_suspend(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    if not reason.strip():
        raise CaseRuleError(_("中止调解须说明理由。"))
    """中止 — the mediation clock stops until resumed."""

    def apply(case: Case) -> None:
        DueItem.objects.filter(case=case, status=DueStatus.OPEN, paused_at__isnull=True).update(
            paused_at=timezone.now(), next_check_at=None
        )

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.SUSPEND,
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
        case = _lock_case(actor, case_id)
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED):
            raise CaseRuleError(_("只有受理后、办结前的案件可以延期。"))
        _authorize(actor, case, (HANDLER,))
        item = (
            DueItem.objects.select_for_update()
            .filter(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
            .first()
        )
        if item is None:
            raise CaseRuleError(_("该案件没有进行中的调解期限。"))
        before = item.due_at
        # The extended period ends like any period: off a day off (民法典 art. 203).
        item.due_at = deadlines.next_working_day_if_off(item.due_at + timedelta(days=days))
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
    """达成协议 — written (人民调解法 art. 29) or oral (art. 28), with every party's consent
    still standing and the rights notice given (a party may withdraw consent mid-way)."""
    if not terms.strip():
        raise CaseRuleError(_("协议内容不能为空。"))
    if kind == AgreementKind.WRITTEN and not (facts.strip() and disputed_points.strip()):
        # 人民调解法 art. 29: a written agreement states the facts and the points in dispute.
        raise CaseRuleError(_("书面调解协议须载明纠纷的主要事实和争议事项。"))

    def apply(case: Case) -> None:
        _require_consent(case, CaseAction.AGREE)
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
            # 化解层级: the level of the org that resolved it ("小事不出村、大事不出镇").
            case.resolved_level = case.handling_org.region.level

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.AGREE,
        version=version,
        apply=apply,
        data={"kind": kind},
    )


def case_fail(
    *, actor: Any, case_id: int, version: int | None, undisputed_facts: str, note: str = ""
) -> Case:
    """调解不成 — with the undisputed facts (无争议事实记载), kept for the court or whoever
    takes the case next."""
    facts = undisputed_facts.strip()
    if not facts:
        raise CaseRuleError(_("调解不成须填写无争议事实记载（双方均无异议的事实）。"))

    def apply(case: Case) -> None:
        Failure.objects.create(
            case=case,
            undisputed_facts=facts,
            note=note.strip(),
            recorded_by=actor if isinstance(actor, User) else None,
        )

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.FAIL,
        version=version,
        note=note,
        apply=apply,
        data={"undisputed_facts": facts},
    )


def _referral(
    case: Case, *, actor: Any, action: str, target: str, receiver: str, note: str
) -> Referral:
    return Referral.objects.create(
        case=case,
        action=action,
        target=target,
        receiver=receiver,
        note=note.strip(),
        referred_by=actor if isinstance(actor, User) else None,
    )


def case_refer(
    *, actor: Any, case_id: int, version: int | None, target: str, receiver: str, note: str = ""
) -> Case:
    """转出 — litigation, arbitration, administrative, police or 信访, with who receives it."""
    if target not in ReferralTarget.values:
        raise CaseRuleError(_("请选择转出方向（诉讼、仲裁、行政处理、公安机关或信访部门）。"))
    receiver = receiver.strip()
    if not receiver:
        raise CaseRuleError(_("请填写接收单位。"))

    def apply(case: Case) -> None:
        _referral(
            case, actor=actor, action=CaseAction.REFER, target=target, receiver=receiver, note=note
        )

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REFER,
        version=version,
        note=note,
        apply=apply,
        data={"target": target, "receiver": receiver},
    )


def case_reject(
    *, actor: Any, case_id: int, version: int | None, reason: str, receiver: str = ""
) -> Case:
    """不予受理 — not mediable (e.g. already in litigation); referred to where it belongs."""
    if not reason.strip():
        raise CaseRuleError(_("请说明不予受理的理由。"))
    receiver = receiver.strip()

    def apply(case: Case) -> None:
        _referral(
            case, actor=actor, action=CaseAction.REJECT, target="", receiver=receiver, note=reason
        )

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REJECT,
        version=version,
        note=reason,
        apply=apply,
        data={"receiver": receiver},
    )


def case_withdraw(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    if not reason.strip():
        raise CaseRuleError(_("撤回须说明理由。"))
    """撤回 — the applicant withdraws; pending orders and running deadlines are cancelled."""
    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.WITHDRAW,
        version=version,
        note=reason,
    )


def follow_up_record(*, actor: Any, case_id: int, satisfaction: int, comment: str = "") -> FollowUp:
    """回访 — satisfaction 1–5 and the parties' comments."""
    if not 1 <= satisfaction <= 5:
        raise CaseRuleError(_("满意度应为1至5分。"))
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if case.is_open:
            raise CaseRuleError(_("案件办结后才能回访。"))
        _authorize(actor, case, (HANDLER, PLATFORM))
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
    seq = _take_next(ArchiveCounter, org=org, year=year)
    return f"（{year}）{org.region.name[:2]}人调字第{seq}号"


def case_archive(*, actor: Any, case_id: int, version: int | None) -> Case:
    """立卷归档 — with a file number like （2026）枫溪人调字第12号."""

    def apply(case: Case) -> None:
        org = case.handling_org or case.platform
        case.archive_number = _archive_number(org, timezone.localtime().year)

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ARCHIVE,
        version=version,
        apply=apply,
    )


# --- Intake and dispatch as the pages offer them -------------------------------------------------


def case_dispatch_with_tasks(
    *,
    actor: Any,
    case_id: int,
    version: int | None,
    orgs: Sequence[Organization],
    tasks: dict[int, str],
    lead: Organization | None = None,
    suggested_mediator: Person | None = None,
) -> Case:
    """交办 with each org's own task (``tasks``: org id → 任务要求), as ``case_dispatch`` with
    every order carrying its org's task instead of one shared text.

    In joint mediation every org needs a task: a coordinating org (协调方) that is not told its
    part cannot take it up (seed 000: 主调方 and 协调方 each with their own duties). The dispatch
    event's note lists every org's task, so the timeline shows who was asked to do what.
    """
    targets = list(dict.fromkeys(orgs))
    own = {org.pk: (tasks.get(org.pk) or "").strip() for org in targets}
    joint = len(targets) > 1
    if joint:
        missing = [org.name for org in targets if not own[org.pk]]
        if missing:
            raise CaseRuleError(
                _("联合调处须写明每个承办单位的任务要求：%(orgs)s尚未填写。")
                % {"orgs": "、".join(missing)}
            )
        note = "\n".join(f"{org.name}：{own[org.pk]}" for org in targets)
    else:
        note = own[targets[0].pk] if targets else ""
    with transaction.atomic():
        case = case_dispatch(
            actor=actor,
            case_id=case_id,
            version=version,
            orgs=targets,
            lead=lead,
            suggested_mediator=suggested_mediator,
            task=note,
        )
        if not joint:
            return case
        # The case row is locked by case_dispatch (held to the end of this transaction); the
        # orders it just wrote are the case's pending ones for these orgs (a re-dispatch starts
        # from 已研判, where no order is live).
        orders = DispatchOrder.objects.select_for_update(of=("self",)).filter(
            case_id=case.pk, status=DispatchStatus.PENDING, to_org__in=targets
        )
        changed: dict[str, str] = {}
        for order in orders:
            wanted = own.get(order.to_org_id, "")
            if order.task != wanted:
                order.task = wanted
                order.save(update_fields=["task"])
                changed[str(order.to_org_id)] = wanted
        if changed:
            audit_record(
                actor=actor,
                event_type=EventType.CASE_UPDATED,
                obj=case,
                after={"dispatch_tasks": changed},
            )
    return case


@dataclass(frozen=True)
class IntakeResult:
    """A registered case and the duplicate check made before it (what the registrant may see
    of it: ``duplicates``, with ``duplicates.has_hidden``)."""

    case: Case
    duplicates: Any


def case_intake(
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
) -> IntakeResult:
    """登记 after the duplicate check: ``case_register``, and when the check finds cases the new
    one may repeat — the registrant saw them and confirmed it is new (确认为新纠纷), or an API
    caller registered anyway — a 疑似重复 event on the new case names them all (whatever the
    registrant's scope), so the platform sees them when it assesses the case."""
    # duplicates.py builds on this module (PartyInput), so it is imported here.
    from fengqiao.disputes.duplicates import duplicate_hits, visible_matches

    with transaction.atomic(savepoint=False):
        # Before registering, so the new case does not match itself.
        hits = duplicate_hits(category=category, region=region, parties=parties, address=address)
        case = case_register(
            actor=actor,
            platform=platform,
            region=region,
            title=title,
            category=category,
            channel=channel,
            parties=parties,
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
        )
        if hits:
            flagged = {str(pk): reasons for pk, reasons in hits.items()}
            _event(
                case,
                actor=actor,
                action="duplicate_check",
                from_status="",
                to_status="",
                note=_("登记时系统提示可能与%(n)d件案件重复，登记人确认为新纠纷。")
                % {"n": len(hits)},
                data={"possible_duplicates": flagged},
            )
            audit_record(
                actor=actor,
                event_type=EventType.CASE_UPDATED,
                obj=case,
                after={"possible_duplicates": sorted(hits)},
            )
        return IntakeResult(case=case, duplicates=visible_matches(actor, hits))


# Within this time the same report from the same user on the same case is one report.
REPEAT_REPORT_WINDOW = timedelta(minutes=10)


def _repeat_fingerprint(**content: Any) -> str:
    """A keyed digest (the content holds ID numbers and phones: a plain hash of it could be
    matched against guesses)."""
    import json

    from fengqiao.core.crypto import lookup_hash

    return lookup_hash(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str))


def case_repeat_report(
    *,
    actor: Any,
    case_id: int,
    channel: str,
    category: str,
    region: Region,
    title: str,
    parties: Sequence[PartyInput],
    facts: str = "",
    claims: str = "",
    address: str = "",
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    people_count: int | None = None,
) -> Any:
    """重复反映 — a report of a dispute that already has an open case, linked to it instead of
    registering a second case to dispatch. The report is kept whole on the earlier case
    (``RepeatReport``, parties encrypted), written to its timeline and the audit log, and the
    case's platform and handling org are told (a repeat report is a signal: the parties are
    still waiting). The case's state and version do not change. The same report sent twice by
    the same user within ``REPEAT_REPORT_WINDOW`` is kept once."""
    import json

    from fengqiao.disputes.models import RepeatReport

    if channel != IntakeChannel.PORTAL and not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))
    people = [
        {
            "role": p.role,
            "kind": p.kind,
            "name": p.name.strip(),
            "id_number": p.id_number.strip(),
            "phone": p.phone.strip(),
            "address": p.address.strip(),
        }
        for p in parties
    ]
    content: dict[str, Any] = {
        "channel": channel,
        "category": category,
        "region": region.pk,
        "title": title.strip(),
        "facts": facts,
        "claims": claims,
        "address": address,
        "occurred_at": occurred_at,
        "amount": amount,
        "people_count": people_count,
    }
    fingerprint = _repeat_fingerprint(parties=people, **content)
    is_user = getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if not case.is_open:
            raise CaseRuleError(
                _("案件%(n)s已办结（%(s)s），不能并入；如纠纷再起，请确认为新纠纷登记。")
                % {"n": case.number, "s": case.get_status_display()}
            )
        now = timezone.now()
        earlier = RepeatReport.objects.filter(
            case=case,
            reported_by=actor if is_user else None,
            fingerprint=fingerprint,
            reported_at__gte=now - REPEAT_REPORT_WINDOW,
        ).first()
        if earlier is not None:
            return earlier
        report = RepeatReport.objects.create(
            case=case,
            reported_at=now,
            reported_by=actor if is_user else None,
            channel=channel,
            category=category,
            region=region,
            title=title.strip(),
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
            parties_json=json.dumps(people, ensure_ascii=False),
            fingerprint=fingerprint,
        )
        channel_label = IntakeChannel(channel).label
        _event(
            case,
            actor=actor,
            action="repeat_report",
            from_status="",
            to_status="",
            note=_("经%(channel)s重复反映：%(title)s") % {"channel": channel_label, "title": title},
            data={"repeat_report": report.pk, "channel": channel},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            after={"repeat_report": report.pk, "channel": channel, "parties": len(people)},
        )
        holders = [case.platform, case.handling_org]
        notify(
            recipients=[u for org in holders if org is not None for u in org_users(org)],
            kind=NotificationKind.INFO,
            title=_("重复反映：%(n)s %(t)s") % {"n": case.number, "t": case.title},
            url=_case_url(case),
            case=case,
        )
    return report
