"""应急联动 — every write of an on-site response (docs/risk.md, "Emergency linkage"): opened by
a platform from a case or its warning, with a lead, the orgs on the team and their tasks;
actions are logged; tasks are done with what was done; the response is closed with a summary
once every task is done. It stays on the county's board (``selectors.open_emergencies``) until
then, and an overdue task's owner is told once (``alerts.sweep_warnings``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import grant_org_ids
from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import CaseRuleError, required_note
from fengqiao.disputes.services.transitions import record_event
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, notify_orgs
from fengqiao.orgs.models import Organization
from fengqiao.risk.choices import EmergencyStatus, EmergencyTaskStatus, RiskAction
from fengqiao.risk.models import EmergencyLog, EmergencyResponse, EmergencyTask, RiskWarning
from fengqiao.risk.policy import (
    ADD_TASK,
    CLOSE,
    LOG,
    OPEN_EMERGENCY,
    TASK_DONE,
    emergency_may,
    platforms_for,
    warning_may,
)

# A task's deadline: from now, at most this far ahead (an on-site response is a matter of days).
TASK_HORIZON = timedelta(days=90)


@dataclass(frozen=True)
class TaskInput:
    title: str
    owner_org_id: int
    due_at: datetime
    owner_user_id: int | None = None


def emergency_url(response: EmergencyResponse) -> str:
    return f"/risk/emergencies/{response.pk}/"


def _check_task(task: TaskInput, team: set[int], now: datetime) -> str:
    title = required_note(task.title, missing=_("请填写任务内容。"), limit=200)
    if task.owner_org_id not in team:
        raise CaseRuleError(_("任务的责任单位须是参与应急联动的单位。"))
    if not now - timedelta(minutes=5) <= task.due_at <= now + TASK_HORIZON:
        raise CaseRuleError(_("完成时限须在现在之后的90日以内。"))
    if (
        task.owner_user_id is not None
        and not User.objects.filter(
            pk=task.owner_user_id, is_active=True, role_grants__org_id=task.owner_org_id
        ).exists()
    ):
        raise CaseRuleError(_("责任人须是责任单位的工作人员。"))
    return title


def _add_task(response: EmergencyResponse, task: TaskInput, *, actor: Any, now: datetime) -> None:
    team = set(response.orgs.values_list("pk", flat=True))
    title = _check_task(task, team, now)
    row = EmergencyTask.objects.create(
        response=response,
        title=title,
        owner_org_id=task.owner_org_id,
        owner_user_id=task.owner_user_id,
        due_at=task.due_at,
    )
    org = Organization.objects.get(pk=task.owner_org_id)
    message = _("应急任务：%(t)s（%(r)s），请于%(d)s前完成") % {
        "t": row.title,
        "r": response.title,
        "d": timezone.localtime(row.due_at).strftime("%m-%d %H:%M"),
    }
    if row.owner_user_id is not None:
        notify(
            recipients=[row.owner_user],  # type: ignore[list-item]
            kind=NotificationKind.EMERGENCY,
            title=message,
            url=emergency_url(response),
            case=response.case,
        )
    else:
        notify_orgs(
            orgs=[org],
            kind=NotificationKind.EMERGENCY,
            title=message,
            url=emergency_url(response),
            case=response.case,
        )
    audit_record(
        actor=actor,
        event_type=EventType.EMERGENCY_TASK,
        obj=response,
        after={"task": row.pk, "owner_org": task.owner_org_id, "due_at": row.due_at.isoformat()},
    )


def emergency_open(
    *,
    actor: Any,
    case_id: int,
    warning_id: int | None,
    title: str,
    place: str,
    situation: str,
    lead_id: int,
    org_ids: list[int],
    tasks: list[TaskInput],
) -> EmergencyResponse:
    """启动应急联动 on a case (from its warning, if given): the team is told at once."""
    title = required_note(title, missing=_("请填写事件名称。"), limit=200)
    place = required_note(place, missing=_("请填写现场地点。"), limit=200)
    situation = required_note(situation, missing=_("请填写现场情况。"))
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise CaseRuleError(_("案件不存在。"))
        if not warning_may(actor, OPEN_EMERGENCY, case):
            raise CaseRuleError(_("只有案发地的综治中心（平安办）可以启动应急联动。"))
        warning = None
        if warning_id is not None:
            warning = RiskWarning.objects.filter(pk=warning_id, case=case).first()
            if warning is None:
                raise CaseRuleError(_("该预警不属于此案件。"))
        platform = next(
            org for org in platforms_for(actor) if case.region_path.startswith(org.region.path)
        )
        team = set(org_ids) | {platform.pk}
        orgs = list(Organization.objects.filter(pk__in=team, is_active=True))
        if len(orgs) != len(team):
            raise CaseRuleError(_("参与单位中有已停用或不存在的单位。"))
        lead = User.objects.filter(pk=lead_id, is_active=True, role_grants__org__in=orgs).first()
        if lead is None:
            raise CaseRuleError(_("现场负责人须是参与单位的工作人员。"))
        response = EmergencyResponse.objects.create(
            case=case,
            warning=warning,
            platform=platform,
            region_path=case.region_path,
            title=title,
            place=place,
            situation=situation,
            lead=lead,
            opened_at=now,
            opened_by=actor,
        )
        response.orgs.set(orgs)
        for task in tasks:
            _add_task(response, task, actor=actor, now=now)
        names = "、".join(o.name for o in sorted(orgs, key=lambda o: o.pk))
        record_event(
            case,
            actor=actor,
            action=RiskAction.EMERGENCY_OPEN,
            from_status="",
            to_status="",
            note=_("启动应急联动“%(t)s”，现场负责人%(lead)s，参与单位：%(orgs)s")
            % {"t": title, "lead": lead.display_name, "orgs": names},
            data={"emergency": response.pk},
            org=platform,
        )
        notify_orgs(
            orgs=orgs,
            kind=NotificationKind.EMERGENCY,
            title=_("应急联动：%(t)s（%(p)s）") % {"t": title, "p": place},
            body=situation[:200],
            url=emergency_url(response),
            case=case,
        )
        audit_record(
            actor=actor,
            event_type=EventType.EMERGENCY_OPENED,
            obj=response,
            after={"case": case.pk, "orgs": sorted(team), "lead": lead.pk},
        )
    return response


def _locked(pk: int) -> EmergencyResponse:
    response = (
        EmergencyResponse.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=pk)
        .first()
    )
    if response is None:
        raise CaseRuleError(_("该应急联动不存在。"))
    return response


def team_org_ids(response: EmergencyResponse) -> set[int]:
    return set(response.orgs.values_list("pk", flat=True))


def emergency_add_task(*, actor: Any, response_id: int, task: TaskInput) -> None:
    with transaction.atomic():
        response = _locked(response_id)
        if not emergency_may(actor, ADD_TASK, response):
            raise CaseRuleError(_("该应急联动已结束，或您无权分派任务。"))
        _add_task(response, task, actor=actor, now=timezone.now())


def emergency_log(*, actor: Any, response_id: int, text: str) -> EmergencyLog:
    """现场处置记录: one action, for the org the user acts for on the team."""
    text = required_note(text, missing=_("请填写处置情况。"))
    with transaction.atomic():
        response = _locked(response_id)
        team = team_org_ids(response)
        if not emergency_may(actor, LOG, response, team_org_ids=team):
            raise CaseRuleError(_("该应急联动已结束，或您无权记录。"))
        mine = sorted(grant_org_ids(actor) & team)
        entry = EmergencyLog.objects.create(
            response=response,
            actor=actor,
            actor_name=actor.display_name,
            org_id=mine[0] if mine else response.platform_id,
            text=text,
        )
        audit_record(
            actor=actor,
            event_type=EventType.EMERGENCY_LOG,
            obj=response,
            after={"log": entry.pk},
        )
    return entry


def emergency_task_done(*, actor: Any, task_id: int, result: str) -> EmergencyTask:
    """A task done, with what was done (logged on the response too)."""
    result = required_note(result, missing=_("请填写完成情况。"))
    with transaction.atomic():
        task = (
            EmergencyTask.objects.select_for_update(of=("self",))
            .select_related("response__case", "owner_org")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise CaseRuleError(_("该任务不存在。"))
        if task.status == EmergencyTaskStatus.DONE:
            raise CaseRuleError(_("该任务已完成。"))
        if not emergency_may(actor, TASK_DONE, task):
            raise CaseRuleError(_("该应急联动已结束，或您无权办结此任务。"))
        now = timezone.now()
        task.status, task.done_at, task.done_by, task.result = (
            EmergencyTaskStatus.DONE,
            now,
            actor,
            result,
        )
        task.save(update_fields=["status", "done_at", "done_by", "result"])
        EmergencyLog.objects.create(
            response=task.response,
            actor=actor,
            actor_name=actor.display_name,
            org=task.owner_org,
            text=_("完成任务“%(t)s”：%(r)s") % {"t": task.title, "r": result},
        )
        record_event(
            task.response.case,
            actor=actor,
            action=RiskAction.EMERGENCY_TASK_DONE,
            from_status="",
            to_status="",
            note=_("应急任务“%(t)s”已完成（%(org)s）：%(r)s")
            % {"t": task.title, "org": task.owner_org.name, "r": result},
            data={"emergency": task.response_id, "task": task.pk},
            org=task.owner_org,
        )
        audit_record(
            actor=actor,
            event_type=EventType.EMERGENCY_TASK,
            obj=task.response,
            after={"task": task.pk, "status": task.status},
        )
    return task


def emergency_close(*, actor: Any, response_id: int, summary: str) -> EmergencyResponse:
    """结束: every task done, the lead or the platform closes it with a summary."""
    summary = required_note(summary, missing=_("请填写处置总结。"))
    with transaction.atomic():
        response = _locked(response_id)
        if not emergency_may(actor, CLOSE, response):
            raise CaseRuleError(_("该应急联动已结束，或您无权结束。"))
        open_tasks = response.tasks.filter(status=EmergencyTaskStatus.OPEN).count()
        if open_tasks:
            raise CaseRuleError(
                _("还有%(n)s项任务未完成，完成后才能结束应急联动。") % {"n": open_tasks}
            )
        response.status, response.closed_at, response.summary = (
            EmergencyStatus.CLOSED,
            timezone.now(),
            summary,
        )
        response.save(update_fields=["status", "closed_at", "summary"])
        record_event(
            response.case,
            actor=actor,
            action=RiskAction.EMERGENCY_CLOSE,
            from_status="",
            to_status="",
            note=_("应急联动“%(t)s”结束：%(s)s") % {"t": response.title, "s": summary},
            data={"emergency": response.pk},
        )
        audit_record(
            actor=actor,
            event_type=EventType.EMERGENCY_CLOSED,
            obj=response,
            after={"status": response.status},
        )
    return response
