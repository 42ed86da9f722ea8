"""Who may schedule and run an online mediation room: one function, ``room_may``, that the case
page's panel and the room pages ask (what they offer) and the room services and the websocket
consumer ask (what they accept).

- ``SCHEDULE`` (``obj``: the case): whoever may keep the case's mediation record
  (``disputes.policy`` ``MEDIATE``: the handling org's mediators while the case is accepted,
  being mediated or suspended);
- ``HOST`` (``obj``: the room): the mediator who scheduled it, while it is not ended and while
  the mediator still may mediate the case (admit, mute, remove, end, edit the shared draft);
- ``RECORD`` (``obj``: the room): reading the room's record — the host, or anyone who may
  mediate the case.

Parties and other invited people have no account: they hold an invitation link
(``rooms.invitation_redeem``), never a policy action."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import MEDIATE, case_may
from fengqiao.mediation.choices import RoomStatus
from fengqiao.mediation.models import Room

SCHEDULE = "schedule"
HOST = "host"
RECORD = "record"


def _active(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def room_may(actor: Any, action: str, obj: Case | Room) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj`` (a case for SCHEDULE, a room else)."""
    if not _active(actor):
        return False
    if action == SCHEDULE:
        return isinstance(obj, Case) and case_may(actor, obj, MEDIATE)
    if not isinstance(obj, Room):
        return False
    if action == HOST:
        return (
            obj.status == RoomStatus.SCHEDULED
            and obj.host_id == actor.pk
            and case_may(actor, obj.case, MEDIATE)
        )
    if action == RECORD:
        return obj.host_id == actor.pk or case_may(actor, obj.case, MEDIATE)
    return False
