"""风险预警 — every write of a warning (docs/risk.md, "Early warning").

A case whose grade rises to 高 or 重大 raises a warning in the transaction that graded it
(``warning_raise``, from ``services.risk_grade``): pushed to the 属地 platform of the case's
place (and the platform holding the case, if another) and to the 属事 orgs the routing rules
find (``disputes.routing.subject_orgs``), each with the grade's deadline to acknowledge
(``WarningLimit``). The warning carries the facts, the reasons and the suggested measures;
the orgs record what they did (``warning_record``) and a platform closes it.

``sweep_warnings`` (every minute, ``tasks.py``) escalates each notice whose deadline passed
unacknowledged one level up — to the platform over the org (its own 属地 platform for an org
that is not one, the platform above for a platform) — exactly once: the notice is row-locked
(``skip_locked``) and leaves the sweep's partial index as it escalates. It reads only notices
that are due, so its cost grows with due acknowledgements, not with open cases. The same
sweep tells an emergency task's owner once that its deadline passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import platform_above, upper_platform
from fengqiao.disputes.routing import subject_orgs
from fengqiao.disputes.services.errors import CaseRuleError, required_note
from fengqiao.disputes.services.transitions import record_event
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify_orgs
from fengqiao.orgs.models import Organization
from fengqiao.risk.choices import Measure, RiskAction, WarningBasis, WarningStatus
from fengqiao.risk.engine import Facts
from fengqiao.risk.models import (
    EmergencyTask,
    RiskWarning,
    WarningAction,
    WarningLimit,
    WarningNotice,
)
from fengqiao.risk.policy import ACKNOWLEDGE, CLOSE, RECORD, warning_may

# The grades that warn, lowest first; a grade missing from the admin's table warns with these
# limits (docs/risk.md) rather than not at all.
WARNING_GRADES = (RiskGrade.HIGH, RiskGrade.MAJOR)
DEFAULT_MINUTES: dict[str, int] = {RiskGrade.HIGH: 120, RiskGrade.MAJOR: 60}
RANK: dict[str, int] = {
    RiskGrade.LOW: 0,
    RiskGrade.MEDIUM: 1,
    RiskGrade.HIGH: 2,
    RiskGrade.MAJOR: 3,
}
BATCH = 500
FACTS_EXCERPT = 300


def rises_to_warning(before: str | None, after: str) -> bool:
    """Whether a grade going from ``before`` (None: a new case) to ``after`` warns."""
    return after in WARNING_GRADES and (before is None or RANK[after] > RANK[before])


def _limit(grade: str) -> tuple[int, list[str]]:
    row = WarningLimit.objects.filter(grade=grade).first()
    if row is None:
        return DEFAULT_MINUTES[grade], []
    return row.ack_minutes, row.measure_lines


def _facts_text(case: Case, facts: Facts) -> str:
    lines = [
        _("案件：%(n)s %(t)s") % {"n": case.number, "t": case.title},
        _("类别：%(c)s；涉及人数：%(p)s人")
        % {"c": case.get_category_display(), "p": facts.people_count},
    ]
    if facts.amount is not None:
        lines.append(_("涉及金额：%(a)s元") % {"a": facts.amount})
    place = " ".join(p for p in (case.region.name if case.region_id else "", case.address) if p)
    if place:
        lines.append(_("地点：%(p)s") % {"p": place})
    excerpt = case.facts.strip()
    if len(excerpt) > FACTS_EXCERPT:
        excerpt = excerpt[:FACTS_EXCERPT] + "…"
    if excerpt:
        lines.append(_("事实：%(f)s") % {"f": excerpt})
    return "\n".join(lines)


def _territory_orgs(case: Case) -> list[Organization]:
    """The 属地 platform of the case's place, and the platform holding the case if another."""
    found = [platform_above(case.region)]
    if case.platform_id is not None:
        found.append(case.platform)
    return [org for org in dict.fromkeys(found) if org is not None]


def _title(warning: RiskWarning, case: Case, prefix: str) -> str:
    return _("%(prefix)s：%(grade)s风险 %(n)s %(t)s") % {
        "prefix": prefix,
        "grade": warning.get_grade_display(),
        "n": case.number,
        "t": case.title,
    }


def warning_url(warning: RiskWarning) -> str:
    return f"/risk/warnings/{warning.pk}/"


def warning_raise(
    case: Case, *, grade: str, reasons: list[str], facts: Facts, actor: Any
) -> RiskWarning | None:
    """Raise a ``grade`` warning for ``case`` (in the grading transaction, the case new or
    locked): pushed to its 属地 and 属事 orgs, each told. An open warning of a lower grade is
    superseded; one of this grade already open is kept (None returned)."""
    if RiskWarning.objects.filter(case=case, grade=grade, status=WarningStatus.OPEN).exists():
        return None
    now = timezone.now()
    minutes, measures = _limit(grade)
    RiskWarning.objects.filter(case=case, status=WarningStatus.OPEN).update(
        status=WarningStatus.SUPERSEDED, closed_at=now
    )
    WarningNotice.objects.filter(warning__case=case, warning_open=True).update(
        awaiting=False, warning_open=False
    )
    warning = RiskWarning.objects.create(
        case=case,
        grade=grade,
        region_path=case.region_path,
        reasons=reasons,
        facts=_facts_text(case, facts),
        measures=measures,
        raised_at=now,
    )
    due = now + timedelta(minutes=minutes)
    territory = _territory_orgs(case)
    targets = [(org, WarningBasis.TERRITORY) for org in territory]
    seen = {org.pk for org in territory}
    targets += [(org, WarningBasis.SUBJECT) for org in subject_orgs(case) if org.pk not in seen]
    WarningNotice.objects.bulk_create(
        [
            WarningNotice(warning=warning, org=org, basis=basis, sent_at=now, due_at=due)
            for org, basis in targets
        ]
    )
    names = "、".join(org.name for org, _basis in targets)
    record_event(
        case,
        actor=actor,
        action=RiskAction.WARNING,
        from_status="",
        to_status="",
        note=_("风险等级为%(g)s，已向%(orgs)s推送预警，须在%(m)s分钟内签收")
        % {"g": warning.get_grade_display(), "orgs": names or _("（无可推送单位）"), "m": minutes},
        data={"warning": warning.pk, "orgs": [org.pk for org, _b in targets]},
    )
    notify_orgs(
        orgs=[org for org, _basis in targets],
        kind=NotificationKind.WARNING,
        title=_title(warning, case, _("风险预警")),
        body=_("请于%(due)s前签收。") % {"due": timezone.localtime(due).strftime("%m-%d %H:%M")},
        url=warning_url(warning),
        case=case,
    )
    audit_record(
        actor=actor,
        event_type=EventType.RISK_WARNING,
        obj=warning,
        after={"case": case.pk, "grade": grade, "orgs": [org.pk for org, _b in targets]},
    )
    return warning


def _locked_notice(pk: int) -> WarningNotice:
    notice = (
        WarningNotice.objects.select_for_update(of=("self",))
        .select_related("warning__case", "org")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise CaseRuleError(_("该预警推送不存在。"))
    return notice


def warning_acknowledge(*, actor: Any, notice_id: int) -> WarningNotice:
    """签收: the org the notice went to has the warning in hand; it no longer escalates."""
    with transaction.atomic():
        notice = _locked_notice(notice_id)
        if notice.acknowledged_at is not None:
            raise CaseRuleError(_("该预警已由%(org)s签收。") % {"org": notice.org.name})
        if not warning_may(actor, ACKNOWLEDGE, notice):
            raise CaseRuleError(_("您无权为该单位签收此预警。"))
        now = timezone.now()
        notice.acknowledged_at, notice.acknowledged_by, notice.awaiting = now, actor, False
        notice.save(update_fields=["acknowledged_at", "acknowledged_by", "awaiting"])
        late = now > notice.due_at
        record_event(
            notice.warning.case,
            actor=actor,
            action=RiskAction.WARNING_ACK,
            from_status="",
            to_status="",
            note=(_("%(org)s已签收风险预警（超时）") if late else _("%(org)s已签收风险预警"))
            % {"org": notice.org.name},
            data={"warning": notice.warning_id, "notice": notice.pk, "late": late},
            org=notice.org,
        )
        audit_record(
            actor=actor,
            event_type=EventType.RISK_WARNING_ACK,
            obj=notice.warning,
            after={"notice": notice.pk, "org": notice.org_id, "late": late},
        )
    return notice


def _locked_warning(pk: int) -> RiskWarning:
    warning = (
        RiskWarning.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise CaseRuleError(_("该预警不存在。"))
    return warning


def notice_org_ids(warning: RiskWarning) -> set[int]:
    return set(WarningNotice.objects.filter(warning=warning).values_list("org_id", flat=True))


def acting_org(actor: Any, warning: RiskWarning, org_ids: set[int]) -> Organization | None:
    """The org ``actor`` records for on ``warning``: one it was pushed to that they act for,
    else their platform over the case."""
    from fengqiao.accounts.access import grant_org_ids
    from fengqiao.risk.policy import platforms_for

    mine = sorted(grant_org_ids(actor) & org_ids)
    if mine:
        return Organization.objects.filter(pk=mine[0]).first()
    for org in platforms_for(actor):
        if warning.region_path.startswith(org.region.path):
            return org
    return None


def warning_record(*, actor: Any, warning_id: int, measure: str, note: str) -> WarningAction:
    """处置记录: a measure taken on the warning (稳控, 疏导, 重大矛盾纠纷报告…)."""
    if measure not in Measure.values:
        raise CaseRuleError(_("请选择处置措施。"))
    note = required_note(note, missing=_("请填写处置情况。"))
    with transaction.atomic():
        warning = _locked_warning(warning_id)
        orgs = notice_org_ids(warning)
        if not warning_may(actor, RECORD, warning, notice_org_ids=orgs):
            raise CaseRuleError(_("该预警已办结，或您无权记录处置情况。"))
        org = acting_org(actor, warning, orgs)
        if org is None:
            raise CaseRuleError(_("您无权记录处置情况。"))
        action = WarningAction.objects.create(
            warning=warning, org=org, actor=actor, measure=measure, note=note
        )
        record_event(
            warning.case,
            actor=actor,
            action=RiskAction.WARNING_ACTION,
            from_status="",
            to_status="",
            note=_("预警处置（%(m)s）：%(n)s") % {"m": Measure(measure).label, "n": note},
            data={"warning": warning.pk, "measure": measure},
            org=org,
        )
        audit_record(
            actor=actor,
            event_type=EventType.RISK_WARNING_ACTION,
            obj=warning,
            after={"measure": measure, "org": org.pk},
        )
    return action


def warning_close(*, actor: Any, warning_id: int, note: str) -> RiskWarning:
    """办结: the platform over the case closes the warning with what was done; notices still
    awaiting acknowledgement stop escalating."""
    note = required_note(note, missing=_("请填写办结说明。"))
    with transaction.atomic():
        warning = _locked_warning(warning_id)
        if not warning_may(actor, CLOSE, warning):
            raise CaseRuleError(_("该预警已办结，或您无权办结。"))
        now = timezone.now()
        warning.status, warning.closed_at, warning.closed_by = WarningStatus.CLOSED, now, actor
        warning.closing_note = note
        warning.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])
        WarningNotice.objects.filter(warning=warning).update(awaiting=False, warning_open=False)
        record_event(
            warning.case,
            actor=actor,
            action=RiskAction.WARNING_CLOSE,
            from_status="",
            to_status="",
            note=_("风险预警办结：%(n)s") % {"n": note},
            data={"warning": warning.pk},
        )
        audit_record(
            actor=actor,
            event_type=EventType.RISK_WARNING_CLOSED,
            obj=warning,
            after={"status": warning.status},
        )
    return warning


# --- The sweep -----------------------------------------------------------------------------------


@dataclass
class WarningSweep:
    examined: int = 0
    escalated: int = 0
    tasks_overdue: int = 0


def escalation_target(org: Organization) -> Organization | None:
    """One level up from ``org``: the platform over it when it is not one (the county
    综治中心 over a county committee), the platform above it when it is (a township 平安办 → the
    county 综治中心)."""
    above = platform_above(org)
    if above is not None and above.pk != org.pk:
        return above
    return upper_platform(org)


def _escalate(notice: WarningNotice, now: datetime, result: WarningSweep) -> None:
    warning, case = notice.warning, notice.warning.case
    notice.awaiting, notice.escalated_at = False, now
    notice.save(update_fields=["awaiting", "escalated_at"])
    target = escalation_target(notice.org)
    created = None
    if target is not None and warning.status == WarningStatus.OPEN:
        minutes, _measures = _limit(warning.grade)
        try:
            with transaction.atomic():
                created = WarningNotice.objects.create(
                    warning=warning,
                    org=target,
                    basis=WarningBasis.ESCALATED,
                    escalated_from=notice,
                    sent_at=now,
                    due_at=now + timedelta(minutes=minutes),
                )
        except IntegrityError:
            created = None  # the org above has this warning already
    result.escalated += 1
    note = _("%(org)s未在时限内签收风险预警，已升级至%(up)s") % {
        "org": notice.org.name,
        "up": target.name
        if created is not None and target is not None
        else _("上级平台（已推送）"),
    }
    if target is None:
        note = _("%(org)s未在时限内签收风险预警，无上一级平台可升级") % {"org": notice.org.name}
    record_event(
        case,
        actor=None,
        action=RiskAction.WARNING_ESCALATE,
        from_status="",
        to_status="",
        note=note,
        data={"warning": warning.pk, "notice": notice.pk, "to": getattr(target, "pk", None)},
        org=notice.org,
    )
    if created is not None and target is not None:
        notify_orgs(
            orgs=[target],
            kind=NotificationKind.WARNING,
            title=_title(warning, case, _("预警升级")),
            body=_("%(org)s未在时限内签收，请于%(due)s前签收并督促处置。")
            % {
                "org": notice.org.name,
                "due": timezone.localtime(created.due_at).strftime("%m-%d %H:%M"),
            },
            url=warning_url(warning),
            case=case,
        )
    audit_record(
        actor=None,
        event_type=EventType.RISK_WARNING_ESCALATED,
        obj=warning,
        after={"notice": notice.pk, "org": notice.org_id, "to": getattr(target, "pk", None)},
    )


def _task_overdue(task: EmergencyTask, now: datetime, result: WarningSweep) -> None:
    task.overdue_notified_at = now
    task.save(update_fields=["overdue_notified_at"])
    result.tasks_overdue += 1
    notify_orgs(
        orgs=[task.owner_org],
        kind=NotificationKind.EMERGENCY,
        title=_("应急任务逾期：%(t)s（%(r)s）") % {"t": task.title, "r": task.response.title},
        url=f"/risk/emergencies/{task.response_id}/",
        case=task.response.case,
    )


def sweep_warnings(now: datetime | None = None) -> WarningSweep:
    """Escalate every notice whose deadline passed unacknowledged, and tell the owner of every
    emergency task whose deadline passed — each exactly once."""
    now = now or timezone.now()
    result = WarningSweep()
    while True:
        with transaction.atomic():
            notices = list(
                WarningNotice.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(awaiting=True, due_at__lte=now)
                .select_related("warning__case", "org__region", "org__kind")
                .order_by("due_at", "pk")[:BATCH]
            )
            for notice in notices:
                _escalate(notice, now, result)
            result.examined += len(notices)
        if len(notices) < BATCH:
            break
    while True:
        with transaction.atomic():
            tasks = list(
                EmergencyTask.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status="open", overdue_notified_at__isnull=True, due_at__lte=now)
                .select_related("response__case", "owner_org")
                .order_by("due_at", "pk")[:BATCH]
            )
            for task in tasks:
                _task_overdue(task, now, result)
        if len(tasks) < BATCH:
            break
    return result
