"""委派/委托 and their return, and the 特邀调解 roster.

- ``referral_send``: a court user sends a case their court registered (by the one intake,
  channel 法院委派/委托) to an org or 特邀调解员 on the court's roster; the case is assessed and
  dispatched to it at once (the court, not the platform, chooses who mediates);
- ``follow_case``: disputes tells us of every workflow action on a case; the referral follows
  (accepted → 调解中, agreed → 调解成功, failed → 调解不成已退回 with the undisputed facts, …);
  a case the platform dispatched the ordinary way gets its referral record then;
- ``return_expired``: the sweep hands over the cases whose 委派 period ran out; each goes back
  to its court once (case row and referral locked, status checked under the lock);
- ``referral_file``: the court records 已立案 with its 案号;
- ``referral_number``: the court adds its 案号 and procedure to a 委托 the platform dispatched
  (the mediation period follows the procedure: 15 or 7 days from acceptance);
- ``referral_withdraw``: the court withdraws an open 委派/委托 (撤回); the case is withdrawn by
  the workflow's 撤回, its clocks stop and the mediation side is told;
- the roster: ``roster_apply``, ``roster_approve``, ``roster_reject``, ``roster_review``,
  ``roster_remove``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.court.case_numbers import clean_court_case_number
from fengqiao.court.choices import CourtAction
from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.models.referral import (
    OPEN_REFERRAL,
    ReferralKind,
    ReferralStatus,
    RosterStatus,
)
from fengqiao.court.referral_policy import (
    FILE,
    NUMBER,
    ROSTER_APPLY,
    ROSTER_DECIDE,
    SEND,
    WITHDRAW,
    court_ids,
    referral_may,
)
from fengqiao.disputes import clocks, deadlines
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    CourtProcedure,
    DueKind,
    DueStatus,
    IntakeChannel,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models import Case, DueItem, Referral
from fengqiao.disputes.services.dispatch import issue_orders, notify_orders
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    apply_transition,
    bump_version,
    case_url,
    check_version,
    lock_case,
    record_event,
)
from fengqiao.mediation.models import Failure
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify_orgs
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization, Person

# A roster entry is reviewed each year (年度复核).
REVIEW_AFTER_DAYS = 365


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _kind_of(case: Case) -> str:
    return ReferralKind.PRE if case.channel == IntakeChannel.COURT_PRE else ReferralKind.POST


# --- 委派 / 委托 ---------------------------------------------------------------------------


def referral_send(
    *,
    actor: Any,
    case_id: int,
    member_id: int,
    court_case_number: str = "",
    procedure: str = "",
    note: str = "",
    version: int | None = None,
) -> CourtReferral:
    """委派 (诉前) or 委托 (诉中) of a case the actor's court registered, to a member of the
    court's roster. A 委托 carries the court's 案号 and procedure (15 or 7 days, clocks.py)."""
    court_case_number = court_case_number.strip()
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if version is not None and case.version != version:
            raise CaseRuleError(_("案件已有新的变化，请刷新后重试。"))
        if not referral_may(actor, SEND, case):
            raise PermissionDenied(
                _("只有登记该案件的法院（法庭）可以在案件登记后委派或委托调解。")
            )
        court = case.source_org
        if court is None:  # pragma: no cover - referral_may asks for a registering court
            raise PermissionDenied
        member = (
            RosterMember.objects.select_related("org__region", "mediator")
            .filter(pk=member_id, court=court, status=RosterStatus.APPROVED)
            .first()
        )
        if member is None:
            raise CaseRuleError(_("只能委派给本院特邀调解名册中已入册的调解组织或调解员。"))
        kind = _kind_of(case)
        if kind == ReferralKind.POST:
            if not court_case_number:
                raise CaseRuleError(_("委托调解须填写法院案号。"))
            court_case_number = clean_court_case_number(court_case_number)
            _require_procedure(procedure)
        else:
            procedure = ""
        referral = CourtReferral.objects.create(
            case=case,
            court=court,
            kind=kind,
            court_case_number=court_case_number,
            procedure=procedure,
            org=member.org,
            mediator=member.mediator,
            note=note.strip(),
            sent_by=_user(actor),
        )

        def assess(c: Case) -> None:
            if procedure:
                c.procedure = procedure

        # The court's referral is the case's assessment and dispatch: the court chose who
        # mediates (from its roster), the platform still sees the case as before.
        apply_transition(
            case,
            actor=actor,
            action=CaseAction.ASSESS,
            apply=assess,
            data={"category": case.category, "grade": case.grade or RiskGrade.LOW},
        )
        orders: list[Any] = []

        def dispatch(c: Case) -> None:
            orders.extend(
                issue_orders(
                    c,
                    actor=actor,
                    targets=[member.org],
                    suggested_mediator=member.mediator,
                    task=note.strip(),
                )
            )

        apply_transition(
            case,
            actor=actor,
            action=CaseAction.DISPATCH,
            apply=dispatch,
            note=note.strip(),
            data={"orgs": [member.org.pk], "lead": None, "court_referral": True},
        )
        said = _("%(court)s%(kind)s至%(org)s%(who)s") % {
            "court": court.name,
            "kind": referral.get_kind_display(),
            "org": member.org.name,
            "who": f"（{member.mediator.name}）" if member.mediator else "",
        }
        if court_case_number:
            said += _("，法院案号%(n)s") % {"n": court_case_number}
        record_event(
            case,
            actor=actor,
            action=CourtAction.REFER,
            from_status=case.status,
            to_status=case.status,
            note=said,
            data={"referral": referral.pk, "kind": kind, "org": member.org.pk},
            org=court,
        )
        audit_record(
            actor=actor,
            event_type=EventType.COURT_REFERRAL,
            obj=referral,
            after={"case": case.pk, "kind": kind, "org": member.org.pk, "status": "sent"},
        )
        notify_orders(case, orders)
    return referral


def _require_procedure(procedure: str) -> None:
    if procedure not in CourtProcedure.values:
        raise CaseRuleError(_("请选择普通程序或简易程序。"))


def follow_case(case: Case, action: str, actor: Any) -> None:
    """The referral of ``case`` follows the workflow action just applied to it (disputes calls
    this in the action's transaction, the case row locked)."""
    if case.channel not in (IntakeChannel.COURT_PRE, IntakeChannel.COURT_POST):
        return
    referral = CourtReferral.objects.select_for_update().filter(case=case).first()
    if referral is None:
        if action == CaseAction.DISPATCH and case.source_org_id is not None:
            _record_platform_referral(case, actor)
        return
    now = timezone.now()
    changed: dict[str, Any] = {}
    if action == CaseAction.ACCEPT and referral.status == ReferralStatus.SENT:
        changed = {"status": ReferralStatus.MEDIATING, "accepted_at": now}
        if case.handling_org_id and case.handling_org_id != referral.org_id:
            changed["org_id"] = case.handling_org_id
    elif action == CaseAction.RETURN and referral.status in OPEN_REFERRAL:
        # The org declined or handed it back: waiting for the next org again.
        changed = {"status": ReferralStatus.SENT, "accepted_at": None}
    elif action == CaseAction.AGREE and referral.status in OPEN_REFERRAL:
        changed = {"status": ReferralStatus.SUCCEEDED, "returned_at": now}
    elif action in (CaseAction.FAIL, CaseAction.REFER) and referral.status in OPEN_REFERRAL:
        facts, note = _failure_of(case)
        changed = {
            "status": ReferralStatus.RETURNED,
            "returned_at": now,
            "undisputed_facts": facts,
            "return_note": note,
        }
    elif action == CaseAction.WITHDRAW and referral.status in OPEN_REFERRAL:
        changed = {"status": ReferralStatus.WITHDRAWN, "returned_at": now}
    if not changed:
        return
    before = referral.status
    for field, value in changed.items():
        setattr(referral, field, value)
    referral.save(update_fields=[f.removesuffix("_id") for f in changed])
    audit_record(
        actor=actor,
        event_type=EventType.COURT_REFERRAL,
        obj=referral,
        before={"status": before},
        after={"status": referral.status, "action": action},
    )
    if referral.status == ReferralStatus.RETURNED:
        _tell_court(
            referral,
            title=_("调解不成已退回：%(n)s %(t)s，请登记立案")
            % {"n": case.number, "t": case.title},
            body=referral.undisputed_facts,
        )
    elif referral.status == ReferralStatus.SUCCEEDED:
        _tell_court(
            referral, title=_("调解成功：%(n)s %(t)s") % {"n": case.number, "t": case.title}
        )


def _record_platform_referral(case: Case, actor: Any) -> None:
    """A court's case the platform dispatched the ordinary way: its referral is recorded at
    dispatch, to the org it went to, so the court's queues hold it too."""
    court = case.source_org
    order = case.dispatches.order_by("-dispatched_at", "-pk").first()
    if court is None or order is None:
        return
    kind = _kind_of(case)
    CourtReferral.objects.create(
        case=case,
        court=court,
        kind=kind,
        procedure=case.procedure,
        org_id=order.to_org_id,
        sent_at=order.dispatched_at,
        sent_by=_user(actor),
    )


def _failure_of(case: Case) -> tuple[str, str]:
    """The undisputed facts and the mediator's note of a failed case (mediation's Failure
    record, read by its table: court sits above mediation and may read it), or the referral
    out's note."""
    failure = Failure.objects.filter(case=case).first()
    if failure is not None:
        return failure.undisputed_facts, failure.note
    referral = Referral.objects.filter(case=case).first()
    return "", referral.note if referral is not None else ""


def _tell_court(referral: CourtReferral, *, title: str, body: str = "") -> None:
    notify_orgs(
        orgs=[referral.court],
        kind=NotificationKind.RESULT,
        title=title,
        body=body,
        url=case_url(referral.case),
        case=referral.case,
    )


def return_expired(case_ids: Iterable[int], now: datetime | None = None) -> int:
    """期满退回 — each case whose 委派 period has run out goes back to its court: the case is
    closed as 转出 to the court (litigation), the referral 期满退回, the court and the
    mediators told. One transaction per case; the case row and the referral are locked and the
    period read again under the lock, so a second sweep, a second worker or an extension made
    meanwhile returns nothing twice. How many cases went back."""
    now = now or timezone.now()
    returned = 0
    for case_id in dict.fromkeys(case_ids):
        with transaction.atomic():
            if _return_one(case_id, now):
                returned += 1
    return returned


def _return_one(case_id: int, now: datetime) -> bool:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("platform", "handling_org__region", "source_org")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return False
    # The case's open deadlines are locked without waiting (SKIP LOCKED): a sweep holding one
    # of them in its batch may be writing timeline rows of this case, which wait on our case
    # lock, and closing the case below updates them all — waiting here would deadlock. If any
    # is held, the case is left for now: the sweep looks at the item again (``RETURN_RETRY``),
    # and a sweep that held the mediation item hands the case over once its batch commits.
    open_items = DueItem.objects.filter(case=case, status=DueStatus.OPEN)
    locked = set(open_items.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if locked != set(open_items.values_list("pk", flat=True)):
        return False
    item = (
        open_items.filter(
            pk__in=locked,
            kind=DueKind.MEDIATION,
            clock=clocks.COURT_PRE.key,
            due_at__lte=now,
            paused_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if item is None:
        return False  # extended, suspended or closed since the sweep saw it
    referral = CourtReferral.objects.select_for_update().filter(case=case).first()
    court = referral.court if referral is not None else case.source_org
    if court is None or case.status not in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING):
        # Nobody to return it to, or a state that cannot be closed as 转出: stop looking.
        DueItem.objects.filter(pk=item.pk).update(reported_at=now, next_check_at=None)
        return False
    due = timezone.localtime(item.due_at).strftime("%Y-%m-%d")
    note = _(
        "委派调解期限已于%(due)s届满，未达成调解协议，案件退回%(court)s登记立案"
        "（祥法〔2021〕143号 四(六)；特邀调解规定）。"
    ) % {"due": due, "court": court.name}
    if referral is None:
        referral = CourtReferral(
            case=case, court=court, kind=ReferralKind.PRE, org=case.handling_org or court
        )
    referral.status = ReferralStatus.EXPIRED
    referral.returned_at = now
    referral.return_note = note
    referral.save()

    def refer(c: Case) -> None:
        Referral.objects.create(
            case=c,
            action=CaseAction.REFER,
            target=ReferralTarget.LITIGATION,
            receiver=court.name,
            note=note,
        )

    apply_transition(
        case,
        actor=None,
        action=CaseAction.REFER,
        apply=refer,
        note=note,
        data={"target": ReferralTarget.LITIGATION, "receiver": court.name, "expired": True},
    )
    record_event(
        case,
        actor=None,
        action=CourtAction.RETURN,
        from_status=case.status,
        to_status=case.status,
        note=note,
        data={"referral": referral.pk, "due_item": item.pk},
        org=court,
    )
    audit_record(
        actor=None,
        event_type=EventType.COURT_REFERRAL,
        obj=referral,
        after={"status": ReferralStatus.EXPIRED, "case": case.pk, "due_item": item.pk},
    )
    title = _("期满退回：%(n)s %(t)s") % {"n": case.number, "t": case.title}
    notify_orgs(
        orgs=[court, *([case.handling_org] if case.handling_org else [])],
        kind=NotificationKind.RETURN,
        title=title,
        body=note,
        url=case_url(case),
        case=case,
    )
    return True


def referral_file(*, actor: Any, referral_id: int, filed_number: str) -> CourtReferral:
    """已立案 — the court files a returned case under its own 案号."""
    filed_number = filed_number.strip()
    if not filed_number:
        raise CaseRuleError(_("请填写立案案号。"))
    with transaction.atomic():
        referral = (
            CourtReferral.objects.select_for_update(of=("self",))
            .select_related("case", "court")
            .filter(pk=referral_id)
            .first()
        )
        if referral is None or not referral_may(actor, FILE, referral):
            if referral is not None and referral.filed_at is not None:
                raise CaseRuleError(
                    _("该案件已于%(d)s立案（%(n)s）。")
                    % {
                        "d": timezone.localtime(referral.filed_at).strftime("%Y-%m-%d"),
                        "n": referral.filed_number,
                    }
                )
            raise PermissionDenied(_("只有委派法院可以为退回的案件登记立案。"))
        # The same 案号 check as a 委托's (court/case_numbers.py).
        filed_number = clean_court_case_number(filed_number)
        referral.filed_at = timezone.now()
        referral.filed_number = filed_number
        referral.filed_by = _user(actor)
        referral.save(update_fields=["filed_at", "filed_number", "filed_by"])
        record_event(
            referral.case,
            actor=actor,
            action=CourtAction.FILE,
            from_status=referral.case.status,
            to_status=referral.case.status,
            note=_("%(court)s已立案，案号%(n)s。")
            % {"court": referral.court.name, "n": filed_number},
            data={"referral": referral.pk, "number": filed_number},
            org=referral.court,
        )
        audit_record(
            actor=actor,
            event_type=EventType.COURT_REFERRAL,
            obj=referral,
            after={"filed_number": filed_number},
        )
    return referral


def _lock_case_and_referral(actor: Any, referral_id: int) -> tuple[Case, CourtReferral]:
    """The referral's case row, then the referral, both locked (case first: the order every
    case service and ``follow_case`` take them in). ``PermissionDenied`` for a referral that
    does not exist or whose case the actor cannot see."""
    case_id = CourtReferral.objects.filter(pk=referral_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise PermissionDenied(_("您无权办理该案件。"))
    case = lock_case(actor, case_id)
    referral = (
        CourtReferral.objects.select_for_update(of=("self",))
        .select_related("court", "org", "mediator")
        .get(pk=referral_id)
    )
    return case, referral


def referral_number(
    *, actor: Any, referral_id: int, court_case_number: str, procedure: str
) -> CourtReferral:
    """补录案号 — the court adds its 案号 and procedure to a 委托 the platform dispatched the
    ordinary way (its record has neither). The case takes the procedure, so its mediation
    period is the court's: 15 days (普通程序) or 7 (简易程序) from acceptance, counted as the
    clock table counts it (``clocks.mediation_clock``, the acceptance's own rule) — a running
    period is counted again from its start, keeping any extension or suspension; one not
    started yet starts right at acceptance.

    The same 案号 and procedure sent again (a double click, a second tab) change nothing; a
    different one after another clerk saved is refused, naming what is recorded."""
    number = clean_court_case_number(court_case_number)
    _require_procedure(procedure)
    with transaction.atomic():
        case, referral = _lock_case_and_referral(actor, referral_id)
        courts = court_ids(actor)
        if referral.court_id not in courts:
            raise PermissionDenied(_("只有委托法院可以补录法院案号。"))
        if referral.court_case_number:
            if (referral.court_case_number, referral.procedure) == (number, procedure):
                return referral
            raise CaseRuleError(
                _("该委托已录入法院案号%(n)s（%(p)s），本次提交未保存。请刷新页面查看。")
                % {"n": referral.court_case_number, "p": referral.get_procedure_display()}
            )
        if referral.kind != ReferralKind.POST:
            raise CaseRuleError(_("委派调解（诉前）尚未立案，无需录入法院案号。"))
        if not referral_may(actor, NUMBER, referral, courts=courts):
            raise CaseRuleError(
                _("该委托调解已“%(s)s”，不能再补录案号。") % {"s": referral.get_status_display()}
            )
        before = {"court_case_number": "", "procedure": referral.procedure}
        referral.court_case_number, referral.procedure = number, procedure
        referral.save(update_fields=["court_case_number", "procedure"])
        from_version = bump_version(case)
        case.procedure = procedure
        case.save(update_fields=["procedure"])
        item = _recount_mediation_period(case)
        clock = clocks.mediation_clock(case.channel, procedure, case.category)
        said = _("%(court)s补录法院案号%(n)s，%(p)s，委托调解期限%(d)d日") % {
            "court": referral.court.name,
            "n": number,
            "p": referral.get_procedure_display(),
            "d": clock.period.amount,
        }
        data: dict[str, Any] = {
            "from_version": from_version,
            "referral": referral.pk,
            "number": number,
            "procedure": procedure,
        }
        if item is not None:
            due = timezone.localtime(item.due_at).strftime("%Y-%m-%d")
            said += _("，自受理之日起计算，至%(d)s。") % {"d": due}
            data["due_at"] = item.due_at.isoformat()
        else:
            said += _("，自调解组织受理之日起计算。")
        record_event(
            case,
            actor=actor,
            action=CourtAction.NUMBER,
            from_status=case.status,
            to_status=case.status,
            note=said,
            data=data,
            org=referral.court,
        )
        audit_record(
            actor=actor,
            event_type=EventType.COURT_REFERRAL,
            obj=referral,
            before=before,
            after={k: v for k, v in data.items() if k != "from_version"},
        )
        # The mediators must know the court's number and, above all, their deadline.
        notify_orgs(
            orgs=[case.handling_org or referral.org],
            kind=NotificationKind.INFO,
            title=_("法院补录案号：%(n)s %(t)s") % {"n": case.number, "t": case.title},
            body=said,
            url=case_url(case),
            case=case,
        )
    return referral


def _recount_mediation_period(case: Case) -> DueItem | None:
    """The running mediation period of ``case`` set to the clock its channel and procedure
    give (``clocks.mediation_clock``, as at acceptance) and counted again from its start
    (holidays, extensions and suspensions as ``deadlines.due_at_of`` counts them); ``None``
    when no period runs yet (acceptance will start the right one)."""
    item = (
        DueItem.objects.select_for_update()
        .filter(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
        .order_by("-pk")
        .first()
    )
    if item is None:
        return None
    clock = clocks.mediation_clock(case.channel, case.procedure, case.category)
    if (item.clock, item.period_unit, item.period_amount) == (
        clock.key,
        clock.period.unit,
        clock.period.amount,
    ):
        return item
    item.clock = clock.key
    item.period_unit, item.period_amount = clock.period.unit, clock.period.amount
    if item.started_at is not None:
        item.due_at = deadlines.due_at_of(item) or item.due_at
    # A reminder sent for the old end is sent again for the new one (the sweep's own rule).
    item.reminded_at = None
    item.next_check_at = deadlines.next_check_of(item, timezone.now())
    item.save(
        update_fields=[
            "clock",
            "period_unit",
            "period_amount",
            "due_at",
            "reminded_at",
            "next_check_at",
        ]
    )
    return item


def referral_withdraw(
    *, actor: Any, referral_id: int, reason: str, version: int | None = None
) -> CourtReferral:
    """撤回 — the court takes back an open 委派/委托 (当事人申请撤回, 法院决定自行审理 …). The
    case is withdrawn by the workflow's own 撤回 (its pending orders and clocks cancelled, its
    platforms told), the referral follows it (``follow_case``: 撤回) and keeps the reason; the
    org and mediator handling it are told. ``version``: the case version the page showed — the
    same request again is ``AlreadyDone``, nothing saved twice."""
    reason = reason.strip()
    if not reason:
        raise CaseRuleError(_("撤回须说明理由。"))
    with transaction.atomic():
        case, referral = _lock_case_and_referral(actor, referral_id)
        courts = court_ids(actor)
        if referral.court_id not in courts:
            raise PermissionDenied(_("只有委派/委托法院可以撤回。"))
        said = _("%(court)s撤回%(kind)s：%(reason)s") % {
            "court": referral.court.name,
            "kind": referral.get_kind_display(),
            "reason": reason,
        }
        check_version(case, actor, CaseAction.WITHDRAW, version, note=said)
        if not referral_may(actor, WITHDRAW, referral, courts=courts):
            raise CaseRuleError(
                _("该委派委托调解已“%(s)s”，不能撤回。") % {"s": referral.get_status_display()}
            )
        handling = case.handling_org or referral.org
        apply_transition(
            case,
            actor=actor,
            action=CaseAction.WITHDRAW,
            note=said,
            data={"court_referral": referral.pk},
            org=referral.court,
        )
        # ``follow_case`` has set 撤回 on its own copy of the row: read it back, keep the reason.
        referral.refresh_from_db()
        referral.return_note = reason
        referral.save(update_fields=["return_note"])
        notify_orgs(
            orgs=[handling],
            kind=NotificationKind.RETURN,
            title=_("法院撤回：%(n)s %(t)s") % {"n": case.number, "t": case.title},
            body=said,
            url=case_url(case),
            case=case,
        )
    return referral


# --- 特邀调解名册 ----------------------------------------------------------------------------


def roster_apply(
    *, actor: Any, court: Organization, org: Organization, mediator: Person | None = None
) -> RosterMember:
    """入册申请 — by the org's administrator, or by the mediator for themselves."""
    if court.kind.family != OrgFamily.COURT:
        raise CaseRuleError(_("只能申请加入人民法院（法庭）的特邀调解名册。"))
    if (
        mediator is not None
        and not mediator.memberships.filter(org=org, ended_on__isnull=True).exists()
    ):
        raise CaseRuleError(_("该调解员不是本组织的在职人员。"))
    entry = RosterMember(court=court, org=org, mediator=mediator)
    if not referral_may(actor, ROSTER_APPLY, entry):
        raise PermissionDenied(_("只有本组织的管理员或调解员本人可以申请入册。"))
    with transaction.atomic():
        live = RosterMember.objects.select_for_update().filter(
            court=court,
            status__in=[RosterStatus.APPLIED, RosterStatus.APPROVED],
            **({"mediator": mediator} if mediator else {"org": org, "mediator__isnull": True}),
        )
        if live.exists():
            raise CaseRuleError(_("已在该法院的名册中或申请正在审核。"))
        entry.applied_by = _user(actor)
        entry.save()
        audit_record(
            actor=actor,
            event_type=EventType.COURT_ROSTER,
            obj=entry,
            after={"status": entry.status, "court": court.pk, "org": org.pk},
        )
        notify_orgs(
            orgs=[court],
            kind=NotificationKind.INFO,
            title=_("特邀调解入册申请：%(who)s") % {"who": _entry_name(entry)},
            url="/court/roster/",
        )
    return entry


def _entry_name(entry: RosterMember) -> str:
    return f"{entry.org.name}·{entry.mediator.name}" if entry.mediator else entry.org.name


def _decide(actor: Any, entry_id: int, expect: tuple[str, ...]) -> RosterMember:
    entry = (
        RosterMember.objects.select_for_update(of=("self",))
        .select_related("org", "mediator", "court")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not referral_may(actor, ROSTER_DECIDE, entry):
        raise PermissionDenied(_("只有该名册所属法院可以审核。"))
    if entry.status not in expect:
        raise CaseRuleError(
            _("该名册记录当前为“%(s)s”，不能执行此操作。") % {"s": entry.get_status_display()}
        )
    return entry


def _save_decision(actor: Any, entry: RosterMember, before: str, fields: list[str]) -> None:
    entry.decided_at, entry.decided_by = timezone.now(), _user(actor)
    entry.save(update_fields=[*fields, "status", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        event_type=EventType.COURT_ROSTER,
        obj=entry,
        before={"status": before},
        after={"status": entry.status, **{f: str(getattr(entry, f)) for f in fields}},
    )


def roster_approve(*, actor: Any, entry_id: int, review_due: date | None = None) -> RosterMember:
    """入册 — approved by the court, with the date of its annual review."""
    with transaction.atomic():
        entry = _decide(actor, entry_id, (RosterStatus.APPLIED,))
        before = entry.status
        entry.status = RosterStatus.APPROVED
        entry.review_due = review_due or (timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS))
        _save_decision(actor, entry, before, ["review_due"])
    return entry


def roster_reject(*, actor: Any, entry_id: int, reason: str) -> RosterMember:
    if not reason.strip():
        raise CaseRuleError(_("请说明不予入册的理由。"))
    with transaction.atomic():
        entry = _decide(actor, entry_id, (RosterStatus.APPLIED,))
        before = entry.status
        entry.status = RosterStatus.REJECTED
        entry.removed_reason = reason.strip()
        _save_decision(actor, entry, before, ["removed_reason"])
    return entry


def roster_review(*, actor: Any, entry_id: int, review_due: date) -> RosterMember:
    """年度复核 — kept on the roster until the next review date."""
    if review_due <= timezone.localdate():
        raise CaseRuleError(_("下次复核日期应晚于今天。"))
    with transaction.atomic():
        entry = _decide(actor, entry_id, (RosterStatus.APPROVED,))
        entry.review_due = review_due
        _save_decision(actor, entry, entry.status, ["review_due"])
    return entry


def roster_remove(*, actor: Any, entry_id: int, reason: str) -> RosterMember:
    """除名 — with its reason; cases already referred stay where they are."""
    if not reason.strip():
        raise CaseRuleError(_("除名须说明理由。"))
    with transaction.atomic():
        entry = _decide(actor, entry_id, (RosterStatus.APPROVED,))
        before = entry.status
        entry.status = RosterStatus.REMOVED
        entry.removed_reason = reason.strip()
        _save_decision(actor, entry, before, ["removed_reason"])
    return entry
