"""Who may do what with an alarm: one function, ``alarm_may``, that the pages ask (what they
offer: the alarm button, the 确认出警 form) and the services ask (what they accept).

- ``RAISE``: someone who works cases (``disputes.view_case``) at an active 人民法院/人民法庭,
  司法所/司法局 or mediation org (人民调解委员会, 派驻调解室, 行政调解, 律师调解工作室, 商事调解,
  特邀调解) — at the org given (``obj``) or at any (no ``obj``). A 平安办, a 派出所 or an
  administrator does not raise alarms here: the police are the ones called;
- ``ACKNOWLEDGE`` (确认出警): while the alarm is 待出警, someone acting for its station (a grant
  there) or, once it escalated, for an org it escalated to;
- ``LOG`` (出警记录): the same responders while the alarm is not closed;
- ``CLOSE`` (处置完毕): the same responders once it was acknowledged;
- ``VIEW``: the responders, the caller and whoever acts for the caller's org.

``ACKNOWLEDGE``, ``LOG``, ``CLOSE`` and ``VIEW`` read the alarm's ``escalated_to`` (prefetch it:
``selectors``)."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.access import grant_org_ids, orgs_with
from fengqiao.alarms.choices import AlarmStatus
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.orgs.choices import OrgFamily

RAISE = "raise"
ACKNOWLEDGE = "acknowledge"
LOG = "log"
CLOSE = "close"
VIEW = "view"

RAISE_FAMILIES = frozenset(
    {
        OrgFamily.COURT,
        OrgFamily.JUSTICE,
        OrgFamily.COMMITTEE,
        OrgFamily.DISPATCHED_ROOM,
        OrgFamily.ADMIN_MEDIATION,
        OrgFamily.LAWYER_STUDIO,
        OrgFamily.COMMERCIAL,
        OrgFamily.INVITED,
    }
)


def raise_orgs(actor: Any) -> list[Any]:
    """The orgs ``actor`` may raise an alarm for, in the order of the grants (no query: the
    request's grants)."""
    return [
        org
        for org in orgs_with(actor, VIEW_CASE)
        if org.is_active and org.kind.family in RAISE_FAMILIES
    ]


def responder_org_ids(alarm: Any) -> set[int]:
    """The station and, once escalated, the orgs the alarm escalated to."""
    ids = {alarm.station_id}
    if alarm.escalated_at is not None:
        ids |= {org.pk for org in alarm.escalated_to.all()}
    return ids


def is_responder(actor: Any, alarm: Any) -> bool:
    """``actor`` acts for the alarm's station or an org it escalated to (whatever its state)."""
    return bool(grant_org_ids(actor) & responder_org_ids(alarm))


def alarm_may(actor: Any, action: str, obj: Any = None) -> bool:
    """Whether ``actor`` may take ``action`` (on ``obj``: an org for RAISE, else an alarm)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action == RAISE:
        ids = {org.pk for org in raise_orgs(actor)}
        return obj.pk in ids if obj is not None else bool(ids)
    if obj is None:
        return False
    mine = grant_org_ids(actor)
    responder = is_responder(actor, obj)
    if action == ACKNOWLEDGE:
        return responder and obj.status == AlarmStatus.OPEN
    if action == LOG:
        return responder and obj.status != AlarmStatus.CLOSED
    if action == CLOSE:
        return responder and obj.status == AlarmStatus.ACKNOWLEDGED
    if action == VIEW:
        return responder or obj.raised_by_id == actor.pk or obj.org_id in mine
    return False
