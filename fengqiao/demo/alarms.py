"""The demo county's 报警直通: the route of the demo ``judge``'s 人民法庭 (it sits in the
neighbouring township and serves the demo township too; its alarms go to the demo ``police``
account's 派出所, which keeps the court's 警务保障 — the admin-editable ``AlarmRoute``), and two
past alarms for that station: one from the 司法所, acknowledged within a minute and closed;
one from a village committee nobody acknowledged in time, escalated to the 公安分局 and the
county 综治中心, then acknowledged and closed. Written through the services, then dated back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.alarms import services
from fengqiao.alarms.models import Alarm, AlarmAction, AlarmRoute
from fengqiao.notify.models import Notification
from fengqiao.orgs.models import Organization


def _org_of(username: str) -> Organization | None:
    grant = RoleGrant.objects.filter(user__username=username, org__isnull=False).first()
    return grant.org if grant else None


def _date_back(alarm: Alarm, raised_at: datetime) -> None:
    """Move an alarm written now, with its log and messages, back to ``raised_at``."""
    shift = raised_at - alarm.raised_at
    fields = ("raised_at", "escalated_at", "acknowledged_at", "closed_at")
    values = {f: getattr(alarm, f) + shift for f in fields if getattr(alarm, f) is not None}
    Alarm.objects.filter(pk=alarm.pk).update(**values)
    for action in AlarmAction.objects.filter(alarm=alarm):
        AlarmAction.objects.filter(pk=action.pk).update(at=action.at + shift)
    url = f"/alarms/{alarm.pk}/"
    Notification.objects.filter(url=url).update(created_at=raised_at, read_at=raised_at)


def demo_alarms_seed() -> int:
    """Returns how many alarms were written (0 without the demo accounts)."""
    users = {u.username: u for u in User.objects.filter(username__in=["police", "justice"])}
    station, tribunal = _org_of("police"), _org_of("judge")
    if len(users) < 2 or station is None or tribunal is None:
        return 0
    AlarmRoute.objects.get_or_create(
        place=tribunal,
        defaults={
            "station": station,
            "note": "法庭同时服务相邻乡镇，由该镇派出所负责法庭警务保障",
        },
    )
    if Alarm.objects.exists():
        return 0
    police = users["police"]
    now = timezone.now()

    # 司法所: a party threatened the mediator; acknowledged in 40 seconds, closed.
    first = services.alarm_raise(
        actor=users["justice"],
        token=uuid.uuid4().hex,
        location="人民调解室",
        note="一方当事人情绪激动，扬言要动手",
    ).alarm
    services.alarm_acknowledge(actor=police, alarm=first)
    services.alarm_log(actor=police, alarm=first, kind="arrived", text="民警2人到达调解室")
    services.alarm_close(
        actor=police, alarm=first, summary="民警到场后当事人情绪平复，调解继续进行，无人受伤。"
    )
    _date_back(first, now - timedelta(days=12, hours=3))

    # A village committee's alarm nobody acknowledged in time: escalated, then handled.
    mediator = User.objects.filter(username="mediator").first()
    if mediator is None:
        return 1
    second = services.alarm_raise(
        actor=mediator,
        token=uuid.uuid4().hex,
        location="村委会一楼调解室",
        note="十余名村民聚集，阻止调解进行",
    ).alarm
    services.alarm_escalate_due(now=now + timedelta(minutes=4))
    second.refresh_from_db()
    services.alarm_acknowledge(actor=police, alarm=second)
    services.alarm_log(actor=police, alarm=second, kind="note", text="值班民警处置另一警情，迟到")
    services.alarm_close(
        actor=police, alarm=second, summary="民警到场疏散聚集村民，约定次日由镇调委会继续调解。"
    )
    _date_back(second, now - timedelta(days=5, hours=6))
    return 2
