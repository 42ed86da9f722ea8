"""The mediation under way: 开始调解 (with every party's consent), 中止, 恢复 and 延期."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseAction, CaseStatus, DueKind, DueStatus, TimelineAction
from fengqiao.disputes.models import Case, DueItem
from fengqiao.disputes.policy import EXTEND, OTHER_SIDES, require_consent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    authorize,
    bump_version,
    case_url,
    check_version,
    lock_case,
    record_event,
    transition,
)
from fengqiao.disputes.sweep import dispatching_platforms
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, org_users

# --- Mediation ---------------------------------------------------------------------------------


def mediation_start(*, actor: Any, case_id: int, version: int | None, note: str = "") -> Case:
    """开始调解 — only once every applicant and respondent has consented and the rights notice
    has been given (人民调解法 arts. 17, 23); a refusal stops it and leaves 转出."""

    def apply(case: Case) -> None:
        require_consent(case, CaseAction.START)

    return transition(
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

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.SUSPEND,
        version=version,
        note=reason,
        apply=apply,
    )


def case_resume(*, actor: Any, case_id: int, version: int | None, note: str = "") -> Case:
    """恢复 — deadlines move on by the time spent suspended; one that would then end on a day
    off ends on the next working day (民法典 art. 203)."""

    def apply(case: Case) -> None:
        now = timezone.now()
        for item in DueItem.objects.select_for_update().filter(
            case=case, status=DueStatus.OPEN, paused_at__isnull=False
        ):
            paused_at = item.paused_at or now
            paused_for = now - paused_at
            move = {"suspended": round(paused_for.total_seconds()), "from": paused_at.isoformat()}
            item.moves = [*item.moves, move]
            item.due_at = deadlines.due_at_of(item) or deadlines.next_working_day_if_off(
                item.due_at + paused_for
            )
            item.paused_at = None
            item.next_check_at = deadlines.first_check(item.due_at, now)
            item.save(update_fields=["due_at", "moves", "paused_at", "next_check_at"])

    return transition(
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
    version: int | None = None,
) -> DueItem:
    """延长调解期限 — only with the recorded consent of both parties. The feedback limit (反馈时限)
    moves with it when it would fall before the new end of mediation, the timeline entry says
    the new date, and the case's platforms are told (延期)."""
    if not (applicant_consents and respondent_consents):
        raise CaseRuleError(_("延长调解期限须经双方当事人同意。"))
    if not 1 <= days <= 60:
        raise CaseRuleError(_("延长天数应在1至60天之间。"))
    with transaction.atomic():
        case = lock_case(actor, case_id)
        check_version(case, actor, EXTEND, version, data={"days": days})
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED):
            raise CaseRuleError(_("只有受理后、办结前的案件可以延期。"))
        authorize(actor, case, OTHER_SIDES[EXTEND])
        item = (
            DueItem.objects.select_for_update()
            .filter(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
            .first()
        )
        if item is None:
            raise CaseRuleError(_("该案件没有进行中的调解期限。"))
        before = item.due_at
        # The extended period ends like any period: off a day off (民法典 art. 203).
        item.moves = [*item.moves, {"extended": days}]
        item.due_at = deadlines.due_at_of(item) or deadlines.next_working_day_if_off(
            item.due_at + timedelta(days=days)
        )
        item.reminded_at = None
        if item.paused_at is None:
            item.next_check_at = deadlines.first_check(item.due_at, timezone.now())
        item.save(update_fields=["due_at", "moves", "reminded_at", "next_check_at"])
        feedback_moved = _feedback_follows(case, item.due_at)
        new_date = timezone.localtime(item.due_at).strftime("%Y-%m-%d")
        data = {
            "from_version": bump_version(case),
            "days": days,
            "from": before.isoformat(),
            "to": item.due_at.isoformat(),
            "consent": ["applicant", "respondent"],
            **({"feedback_to": item.due_at.isoformat()} if feedback_moved else {}),
        }
        said = _("经双方当事人同意，调解期限延长%(days)d日，至%(date)s。") % {
            "days": days,
            "date": new_date,
        }
        if feedback_moved:
            said += _("反馈时限同步顺延至%(date)s。") % {"date": new_date}
        record_event(
            case,
            actor=actor,
            action=TimelineAction.EXTEND,
            from_status=case.status,
            to_status=case.status,
            note=f"{said}\n{note}".strip(),
            data=data,
        )
        audit_record(
            actor=actor, event_type=EventType.CASE_UPDATED, obj=case, after={"extend": data}
        )
        platforms = {case.platform_id: case.platform}
        platforms.update({p.pk: p for p in dispatching_platforms(case)})
        notify(
            recipients=[u for p in platforms.values() for u in org_users(p) if u != actor],
            kind=NotificationKind.EXTENSION,
            title=_("延期：%(n)s 调解期限延长至%(d)s（%(o)s）")
            % {"n": case.number, "d": new_date, "o": item.org.name},
            body=f"{said}\n{note}".strip(),
            url=case_url(case),
            case=case,
        )
    return item


def _feedback_follows(case: Case, mediation_due: Any) -> bool:
    """Move the open feedback limits that fall before the new end of mediation to it (the
    result cannot be owed before the agreed mediation time is over); re-arm their reminder and
    their report to the platform. The move is recorded as an extension of the feedback period
    by the days between the two, so a recount on a new holiday calendar keeps it."""
    items = list(
        DueItem.objects.select_for_update().filter(
            case=case, kind=DueKind.FEEDBACK, status=DueStatus.OPEN, due_at__lt=mediation_due
        )
    )
    for feedback in items:
        gap = (timezone.localdate(mediation_due) - timezone.localdate(feedback.due_at)).days
        if gap > 0:
            feedback.moves = [*feedback.moves, {"extended": gap}]
        recounted = deadlines.due_at_of(feedback)
        feedback.due_at = max(recounted or mediation_due, mediation_due)
        feedback.reminded_at = None
        feedback.reported_at = None
        if feedback.paused_at is None:
            feedback.next_check_at = deadlines.first_check(feedback.due_at, timezone.now())
        feedback.save(
            update_fields=["due_at", "moves", "reminded_at", "reported_at", "next_check_at"]
        )
    return bool(items)
