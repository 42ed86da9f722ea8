"""研判, 交办 (to one org or several for joint mediation), 受理 and 退回 on a 交办单, and 上报
(escalation one level up from where the case is handled)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import clocks, deadlines
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    CourtProcedure,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    TimelineAction,
)
from fengqiao.disputes.hooks import risk_grade
from fengqiao.disputes.models import Case, DispatchOrder, DueItem
from fengqiao.disputes.permissions import HANDLE_CASE
from fengqiao.disputes.policy import (
    HANDLER,
    ORDER_ANSWERABLE,
    PLATFORM,
    holds,
    on_side,
    own_refusal,
    require_assignable,
    upper_platform,
)
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    LIVE_ORDER,
    add_clock,
    add_due,
    apply_transition,
    case_url,
    check_version,
    close_due_items,
    end_orders,
    finish_due,
    order_answered,
    record_event,
    transition,
)
from fengqiao.disputes.workflow import TransitionNotAllowed, next_status
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, org_users
from fengqiao.orgs.models import Organization, Person

INDUSTRY_COMMITTEE = "committee_industry"


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

    data: dict[str, Any] = {
        "category": category,
        "grade": grade,
        "flags": sorted(chosen),
        **({"procedure": procedure} if procedure else {}),
    }

    def apply(case: Case) -> None:
        if procedure and case.channel != IntakeChannel.COURT_POST:
            raise CaseRuleError(_("只有法院委托（诉中）调解的案件需要选择审理程序。"))
        if procedure:
            case.procedure = procedure
        # What the timeline shows as "中 → 低": the values before, read under the lock.
        if case.grade != grade:
            data["from_grade"] = case.grade
        if case.category != category:
            data["from_category"] = case.category
        case.category, case.grade = category, grade
        if people_count is not None:
            case.people_count = people_count
        if amount is not None:
            case.amount = amount
        for flag in ("group", "criminal_risk", "petition_risk", "vulnerable", "sensitive"):
            setattr(case, f"flag_{flag}", flag in chosen)
        case.lead_leader = lead_leader
        # Graded again on the new facts; a grade other than the computed one is an override
        # the grader refuses without a reason (the 研判意见).
        risk_grade(case, actor=actor, chosen=grade, reason=note)

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.ASSESS,
        version=version,
        note=note,
        apply=apply,
        data=data,
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
        created.extend(
            issue_orders(
                case,
                actor=actor,
                targets=targets,
                lead=lead if joint else None,
                suggested_mediator=suggested_mediator,
                task=task,
            )
        )

    case = transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.DISPATCH,
        version=version,
        apply=apply,
        note=task,
        data={"orgs": [o.pk for o in targets], "lead": lead.pk if lead and joint else None},
    )
    notify_orders(case, created)
    return case


def issue_orders(
    case: Case,
    *,
    actor: Any,
    targets: Sequence[Organization],
    lead: Organization | None = None,
    suggested_mediator: Person | None = None,
    task: str = "",
) -> list[DispatchOrder]:
    """The 交办单 of a dispatch on the locked ``case``, each with its 受理时限 per the receiving
    org's level and the case's grade (DeadlineLimit). Used by 交办 and by a court's 委派/委托
    (the court app), which choose the orgs differently and issue the same orders."""
    # A suspended mediator (暂停调解工作) is not named on a 交办单: the page does not offer one,
    # and a request naming one anyway (a stale form, a court's roster) is refused here.
    require_assignable(suggested_mediator)
    now = timezone.now()
    joint = len(targets) > 1
    created: list[DispatchOrder] = []
    for org in targets:
        accept_period = deadlines.limit_period(DueKind.ACCEPT, case.grade, level=org.region.level)
        accept_by = deadlines.period_end(now, accept_period)
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
        add_due(
            case,
            kind=DueKind.ACCEPT,
            org=org,
            start=now,
            period=accept_period,
            due_at=accept_by,
            dispatch=order,
        )
    return created


def notify_orders(case: Case, orders: Sequence[DispatchOrder]) -> None:
    """Tell each receiving org of its 交办单 and by when to accept it (after commit)."""
    for order in orders:
        notify(
            recipients=org_users(order.to_org),
            kind=NotificationKind.ASSIGNMENT,
            title=_("交办：%(n)s %(t)s，请于%(d)s前受理")
            % {
                "n": case.number,
                "t": case.title,
                "d": timezone.localtime(order.accept_by).strftime("%m-%d %H:%M"),
            },
            url=case_url(case),
            case=case,
        )


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
    starts (the court's period, a category's own, or one month — clocks.py), with any other
    clock of its category (劳动争议: 15 days to arbitration)."""
    accepting_org = order.to_org

    def apply(c: Case) -> None:
        now = timezone.now()
        c.handling_org = accepting_org
        c.handler = handler if isinstance(handler, User) else None
        add_clock(
            c,
            clocks.mediation_clock(c.channel, c.procedure, c.category),
            org=accepting_org,
            start=now,
        )
        for clock in clocks.other_clocks(c.category):
            add_clock(c, clock, org=accepting_org, start=now)
        # The result is owed to the platform that dispatched it (反馈时限, sweep.py).
        add_due(
            c,
            kind=DueKind.FEEDBACK,
            org=accepting_org,
            dispatch=order,
            start=now,
            period=deadlines.limit_period(
                DueKind.FEEDBACK, c.grade, level=accepting_org.region.level
            ),
        )

    return apply_transition(
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
    record_event(
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
        if order.status != DispatchStatus.PENDING:
            # Answered already (by this click before, or by a colleague) or closed.
            raise order_answered(case, order, actor, CaseAction.ACCEPT)
        suspended = own_refusal(actor)
        if suspended is not None:
            raise CaseRuleError(suspended)
        check_version(case, actor, CaseAction.ACCEPT, version, data={"dispatch": order.pk})
        if case.status not in ORDER_ANSWERABLE:
            raise TransitionNotAllowed(case.status, CaseAction.ACCEPT)
        order.status, order.responded_at = DispatchStatus.ACCEPTED, timezone.now()
        order.responded_by = actor if isinstance(actor, User) else None
        order.save(update_fields=["status", "responded_at", "responded_by"])
        finish_due(DueItem.objects.filter(dispatch=order), DueStatus.DONE)
        if case.status != CaseStatus.DISPATCHED:
            # A coordinating org joining a case its lead has already accepted.
            _join(case, order, actor=actor, action=TimelineAction.JOIN, note=note)
            return case
        lead = _lead_order(case)
        if lead is not None and lead.pk != order.pk:
            # The named lead has not accepted yet: this org joins and the case waits for it.
            _join(case, order, actor=actor, action=TimelineAction.JOIN, note=note)
            return case
        _make_lead(order)
        return _accept_case(case, order, actor=actor, handler=actor, note=note)


def _require_member(actor: Any, org: Organization) -> None:
    if not holds(actor, HANDLE_CASE, [org.pk]):
        raise PermissionDenied(_("只有承办单位的工作人员可以受理或退回。"))


def dispatch_return(
    *, actor: Any, dispatch_id: int, reason: str, version: int | None = None
) -> Case:
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
        # The handling org returning its accepted case is a workflow transition (allowed only
        # before mediation starts); a pending order declined is an answer to that order.
        handling = (
            order.status == DispatchStatus.ACCEPTED and case.handling_org_id == order.to_org_id
        )
        if not handling and order.status != DispatchStatus.PENDING:
            raise order_answered(case, order, actor, CaseAction.RETURN, reason=reason)
        check_version(
            case, actor, CaseAction.RETURN, version, note=reason, data={"dispatch": order.pk}
        )
        if handling:
            next_status(case.status, CaseAction.RETURN)
        elif case.status not in ORDER_ANSWERABLE:
            raise TransitionNotAllowed(case.status, CaseAction.RETURN)
        was_lead = order.role == DispatchRole.LEAD
        order.status, order.responded_at = DispatchStatus.RETURNED, timezone.now()
        order.responded_by = actor if isinstance(actor, User) else None
        order.return_reason = reason.strip()
        order.save(update_fields=["status", "responded_at", "responded_by", "return_reason"])
        finish_due(DueItem.objects.filter(dispatch=order), DueStatus.CANCELLED)

        def back_to_platform(c: Case) -> None:
            c.handling_org, c.handler = None, None
            end_orders(c)
            close_due_items(c, status=DueStatus.CANCELLED)

        live = case.dispatches.filter(status__in=LIVE_ORDER)
        if handling or (case.status == CaseStatus.DISPATCHED and not live.exists()):
            case = apply_transition(
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
        url=case_url(case),
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
        and not on_side(actor, case, PLATFORM)
        and on_side(actor, case, HANDLER)
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
            above = upper_platform(case.platform)
            if above is None:
                raise CaseRuleError(_("%(p)s没有上级平台，无法上报。") % {"p": case.platform.name})
            upper = above
            data.update(from_platform=case.platform.pk, platform=upper.pk)
        moved.append((upper, from_org))
        case.platform = upper
        case.handling_org, case.handler = None, None
        end_orders(case)
        close_due_items(case, status=DueStatus.CANCELLED)

    case = transition(
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
            kind=NotificationKind.ESCALATION,
            title=title,
            body=reason,
            url=case_url(case),
            case=case,
        )
    return case


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
