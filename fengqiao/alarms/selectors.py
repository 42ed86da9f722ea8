"""Every read of alarms a user triggers, scoped: a station sees what was sent to it (and the
county what escalated to it), an org what it raised."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fengqiao.accounts.access import grant_org_ids
from fengqiao.alarms.choices import AlarmStatus
from fengqiao.alarms.models import Alarm
from fengqiao.alarms.policy import VIEW, alarm_may


def _related(qs: QuerySet[Alarm]) -> QuerySet[Alarm]:
    return qs.select_related(
        "org", "region", "station", "raised_by", "acknowledged_by", "closed_by", "from_case"
    ).prefetch_related("escalated_to")


def alarms_received(user: Any) -> QuerySet[Alarm]:
    """Alarms sent to an org the user acts for, or escalated to one."""
    ids = sorted(grant_org_ids(user))
    escalated = Alarm.escalated_to.through.objects.filter(organization_id__in=ids)
    return _related(
        Alarm.objects.filter(
            Q(station_id__in=ids) | Q(pk__in=escalated.values("alarm_id"))
        ).order_by("-raised_at", "-pk")
    )


def alarms_raised(user: Any) -> QuerySet[Alarm]:
    """Alarms the user raised or an org the user acts for raised."""
    ids = sorted(grant_org_ids(user))
    return _related(
        Alarm.objects.filter(Q(org_id__in=ids) | Q(raised_by=user)).order_by("-raised_at", "-pk")
    )


def open_alarms_received(user: Any) -> list[Alarm]:
    """The alarms waiting for the user's station (待出警), newest first — the banner on every
    page of the station's users."""
    return list(alarms_received(user).filter(status=AlarmStatus.OPEN)[:5])


def alarm_get_for_user(user: Any, pk: int) -> Alarm:
    alarm = _related(Alarm.objects.filter(pk=pk)).prefetch_related("actions__actor").first()
    if alarm is None or not alarm_may(user, VIEW, alarm):
        raise Http404
    return alarm
