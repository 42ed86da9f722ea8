"""Every write of alarms: keyword-only, with an ``actor``, refused by the one policy
(``policy.alarm_may``), in one transaction with its audit event; the station's users are told
after commit, in the inbox and live on every open page (``notify``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.alarms import routing
from fengqiao.alarms.choices import LOGGABLE, ActionKind, AlarmStatus
from fengqiao.alarms.models import Alarm, AlarmAction
from fengqiao.alarms.policy import (
    ACKNOWLEDGE,
    CLOSE,
    LOG,
    RAISE,
    alarm_may,
    is_responder,
    raise_orgs,
)
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.selectors import case_visible_to
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, users_by_org
from fengqiao.orgs.models import Organization

# A sweep handles at most this many due alarms a run; the rest wait a minute.
SWEEP_BATCH = 500


class AlarmRefused(Exception):
    """A write the rules refuse; the message (Chinese) says why."""


@dataclass(frozen=True)
class Raised:
    alarm: Alarm
    created: bool  # False: the same submit again (a double tap), nothing new was raised
    told: int  # how many users of the station were told


def escalate_after() -> timedelta:
    return timedelta(minutes=max(1, int(getattr(settings, "FENGQIAO_ALARM_ESCALATE_MINUTES", 3))))


def _detail_url(alarm: Alarm) -> str:
    return reverse("alarms:detail", args=[alarm.pk])


def _live(alarm: Alarm) -> dict[str, Any]:
    """What the notice on an open page offers: 确认出警 in place."""
    return {
        "alarm": alarm.pk,
        "action_url": reverse("alarms:acknowledge", args=[alarm.pk]),
        "action_label": _("确认出警"),
    }


def _place(alarm: Alarm) -> str:
    parts = [alarm.org.name]
    if alarm.address:
        parts.append(alarm.address)
    if alarm.location:
        parts.append(alarm.location)
    return "，".join(parts)


def _body(alarm: Alarm) -> str:
    lines = [
        _("地点：%(place)s") % {"place": _place(alarm)},
        _("报警人：%(name)s") % {"name": alarm.raised_by.display_name},
        _("时间：%(at)s") % {"at": timezone.localtime(alarm.raised_at).strftime("%H:%M:%S")},
    ]
    if alarm.from_case is not None:
        lines.append(_("关联案件：%(number)s") % {"number": alarm.from_case.number})
    if alarm.note:
        lines.append(_("情况：%(note)s") % {"note": alarm.note})
    return "\n".join(lines)


def _tell(alarm: Alarm, orgs: list[Organization], title: str) -> int:
    by_org = users_by_org([org.pk for org in orgs])
    recipients = [u for org in orgs for u in by_org[org.pk]]
    sent = notify(
        recipients=recipients,
        kind=NotificationKind.ALARM,
        title=title,
        body=_body(alarm),
        url=_detail_url(alarm),
        case=alarm.from_case,
        live_extra=_live(alarm),
    )
    return len(sent)


def alarm_raise(
    *,
    actor: User,
    token: str,
    org: Organization | None = None,
    case: Any = None,
    location: str = "",
    note: str = "",
) -> Raised:
    """Raise an alarm for ``org`` (the caller's first eligible org when not given) and send it
    to the station on duty for the place at once. The same ``token`` again (a double tap, a
    resent form) returns the alarm it raised."""
    if not token:
        raise AlarmRefused(_("报警请求无效，请刷新页面后重试。"))
    if org is None:
        orgs = raise_orgs(actor)
        org = orgs[0] if orgs else None
    if org is None or not alarm_may(actor, RAISE, org):
        raise AlarmRefused(_("只有人民法庭、司法所和调解组织的工作人员可以一键报警。"))
    earlier = Alarm.objects.filter(raised_by=actor, token=token).first()
    if earlier is not None:
        return Raised(earlier, False, 0)
    if case is not None and not case_visible_to(actor, case.pk):
        case = None  # a case the caller cannot see is not named on the alarm
    destination = routing.station_for(org)
    if destination is None:
        raise AlarmRefused(_("未找到本单位的接警派出所，请直接拨打110。"))
    now = timezone.now()
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                org=org,
                region=org.region,
                address=org.address,
                location=location.strip()[:100],
                note=note.strip()[:200],
                from_case=case,
                raised_by=actor,
                raised_at=now,
                token=token[:32],
                station=destination.station,
                escalate_at=now + escalate_after(),
            )
            audit_record(
                actor=actor,
                event_type=EventType.ALARM_RAISED,
                obj=alarm,
                after={
                    "org": org.pk,
                    "station": destination.station.pk,
                    "rule": destination.rule,
                    "case": getattr(case, "pk", None),
                },
            )
            told = _tell(
                alarm,
                [destination.station],
                _("【报警】%(org)s请求出警") % {"org": org.name},
            )
    except IntegrityError:
        # The same submit raced itself (two taps on two connections): the first one stands.
        return Raised(Alarm.objects.get(raised_by=actor, token=token[:32]), False, 0)
    return Raised(alarm, True, told)


def _locked(alarm: Alarm) -> Alarm:
    locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
    # The policy reads the alarm's escalation orgs: the locked row keeps them prefetched.
    return (
        Alarm.objects.prefetch_related("escalated_to")
        .select_related("org", "raised_by")
        .get(pk=locked.pk)
    )


def alarm_acknowledge(*, actor: User, alarm: Alarm) -> Alarm:
    """确认出警: the station (or, once escalated, the county) takes the alarm; it no longer
    escalates. Acknowledging an alarm someone already acknowledged changes nothing."""
    with transaction.atomic():
        current = _locked(alarm)
        if current.status != AlarmStatus.OPEN and is_responder(actor, current):
            return current
        if not alarm_may(actor, ACKNOWLEDGE, current):
            raise AlarmRefused(_("只有接警单位可以确认出警。"))
        now = timezone.now()
        current.status = AlarmStatus.ACKNOWLEDGED
        current.acknowledged_at = now
        current.acknowledged_by = actor
        current.escalate_at = None
        current.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "escalate_at"])
        AlarmAction.objects.create(alarm=current, kind=ActionKind.ACKNOWLEDGED, actor=actor, at=now)
        audit_record(
            actor=actor,
            event_type=EventType.ALARM_ACKNOWLEDGED,
            obj=current,
            before={"status": AlarmStatus.OPEN},
            after={"status": current.status},
        )
        notify(
            recipients=[current.raised_by],
            kind=NotificationKind.ALARM,
            title=_("【报警】%(station)s已确认出警") % {"station": current.station.name},
            body=_("确认人：%(name)s") % {"name": actor.display_name},
            url=_detail_url(current),
        )
    return current


def alarm_log(*, actor: User, alarm: Alarm, kind: str, text: str = "") -> AlarmAction:
    """出警记录: a responder logs what was done (出发, 到达, 处置, 说明) with the time."""
    if kind not in LOGGABLE:
        raise AlarmRefused(_("请选择记录类型。"))
    with transaction.atomic():
        current = _locked(alarm)
        if not alarm_may(actor, LOG, current):
            raise AlarmRefused(_("只有接警单位可以记录出警情况。"))
        action = AlarmAction.objects.create(
            alarm=current, kind=kind, text=text.strip()[:500], actor=actor
        )
        audit_record(
            actor=actor,
            event_type=EventType.ALARM_LOGGED,
            obj=current,
            after={"kind": kind, "text": action.text},
        )
    return action


def alarm_close(*, actor: User, alarm: Alarm, summary: str) -> Alarm:
    """处置完毕: the responder closes an acknowledged alarm with what was done."""
    summary = summary.strip()
    if not summary:
        raise AlarmRefused(_("请填写处置结果。"))
    with transaction.atomic():
        current = _locked(alarm)
        if current.status == AlarmStatus.CLOSED:
            return current
        if not alarm_may(actor, CLOSE, current):
            raise AlarmRefused(_("确认出警后，接警单位才能办结。"))
        now = timezone.now()
        current.status = AlarmStatus.CLOSED
        current.closed_at = now
        current.closed_by = actor
        current.summary = summary[:2000]
        current.save(update_fields=["status", "closed_at", "closed_by", "summary"])
        AlarmAction.objects.create(
            alarm=current, kind=ActionKind.CLOSED, text=summary[:500], actor=actor, at=now
        )
        audit_record(
            actor=actor,
            event_type=EventType.ALARM_CLOSED,
            obj=current,
            before={"status": AlarmStatus.ACKNOWLEDGED},
            after={"status": current.status},
        )
    return current


def alarm_escalate_due(*, now: datetime | None = None) -> int:
    """超时上报: every alarm still unacknowledged at its ``escalate_at`` goes to the county
    (``routing.escalation_orgs``) — exactly once: the row's ``escalate_at`` is cleared by a
    conditional UPDATE that only one sweep can win. Reads only the due rows (the partial
    index ``alarm_escalation_due``); returns how many escalated."""
    now = now or timezone.now()
    due = list(
        Alarm.objects.filter(escalate_at__lte=now)
        .order_by("escalate_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    escalated = 0
    for pk in due:
        with transaction.atomic():
            won = Alarm.objects.filter(
                pk=pk, escalate_at__isnull=False, status=AlarmStatus.OPEN
            ).update(escalate_at=None, escalated_at=now)
            if not won:
                # Acknowledged meanwhile (or another sweep won): nothing is due any more.
                Alarm.objects.filter(pk=pk).exclude(status=AlarmStatus.OPEN).update(
                    escalate_at=None
                )
                continue
            alarm = Alarm.objects.select_related(
                "org__region", "station", "raised_by", "from_case"
            ).get(pk=pk)
            targets = routing.escalation_orgs(alarm.org, alarm.station)
            alarm.escalated_to.set(targets)
            minutes = int(escalate_after().total_seconds() // 60)
            AlarmAction.objects.create(
                alarm=alarm,
                kind=ActionKind.ESCALATED,
                text=_("%(minutes)d分钟内未确认出警，已上报%(orgs)s")
                % {"minutes": minutes, "orgs": "、".join(o.name for o in targets) or "—"},
                at=now,
            )
            audit_record(
                actor=None,
                event_type=EventType.ALARM_ESCALATED,
                obj=alarm,
                after={"to": [o.pk for o in targets]},
            )
            _tell(
                alarm,
                targets,
                _("【报警超时未确认】%(org)s请求出警，%(station)s未确认")
                % {"org": alarm.org.name, "station": alarm.station.name},
            )
            escalated += 1
    return escalated
