"""The websocket of an online mediation room (``/ws/room/<id>/``): who is in it, the mediator's
controls, chat, the shared draft, and the WebRTC signalling (offer, answer, ICE candidates)
relayed between the room's members only — the media itself goes peer to peer.

Who connects: the room's host by the staff session (``room_policy.HOST``), anyone else by the
binding their invitation link made in this browser's session (``rooms.SESSION_KEY``) after
they accepted the consent at entry. Everything a page sends is bounded: the frame's size, the
rate of messages, chat and draft lengths, and the signalling's target (a present, admitted
member of the same room)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.mediation import rooms
from fengqiao.mediation.choices import RoomRole
from fengqiao.mediation.models import Room, RoomParticipant
from fengqiao.mediation.room_policy import HOST, room_may

logger = logging.getLogger(__name__)

FRAME_MAX = 32 * 1024  # an SDP offer with many candidates stays well below
# A token bucket per socket: signalling sends bursts of ICE candidates, then little.
BUCKET_SIZE = 60
BUCKET_RATE = 20.0  # messages per second
CHAT_BUCKET_SIZE = 5
CHAT_BUCKET_RATE = 1.0
MAX_DROPPED = 200
CLOSE_REFUSED = 4403
CLOSE_REMOVED = 4001
CLOSE_ENDED = 4000
CLOSE_ABUSE = 4008


def room_group(room_id: int) -> str:
    """The admitted members (chat, draft, who left)."""
    return f"room-{int(room_id)}"


def all_group(room_id: int) -> str:
    """Everyone connected, waiting or admitted (the end of the room)."""
    return f"room-{int(room_id)}-all"


def host_group(room_id: int) -> str:
    return f"room-{int(room_id)}-host"


def participant_group(participant_id: int) -> str:
    return f"room-member-{int(participant_id)}"


class Bucket:
    def __init__(self, size: int, rate: float) -> None:
        self.size, self.rate = size, rate
        self.level = float(size)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.level = min(self.size, self.level + (now - self.at) * self.rate)
        self.at = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


@database_sync_to_async
def _who(scope: dict[str, Any], room_id: int) -> RoomParticipant | None:
    """The participant this socket speaks for, or ``None`` (a stranger)."""
    room = Room.objects.select_related("case").filter(pk=room_id).first()
    if room is None:
        return None
    user = scope.get("user")
    if getattr(user, "is_authenticated", False) and room_may(user, HOST, room):
        return RoomParticipant.objects.filter(room=room, role=RoomRole.HOST).first()
    session = scope.get("session")
    held = (session.get(rooms.SESSION_KEY) if session is not None else None) or {}
    pk = held.get(str(room_id)) if isinstance(held, dict) else None
    if not isinstance(pk, int):
        return None
    return (
        RoomParticipant.objects.filter(room=room, pk=pk)
        .exclude(role=RoomRole.HOST)
        .exclude(consented_at=None)
        .first()
    )


@database_sync_to_async
def _connect(participant_id: int) -> RoomParticipant:
    return rooms.room_connect(participant_id=participant_id)


@database_sync_to_async
def _disconnect(participant_id: int) -> None:
    rooms.room_disconnect(participant_id=participant_id)


@database_sync_to_async
def _state(participant_id: int) -> RoomParticipant | None:
    return RoomParticipant.objects.select_related("room").filter(pk=participant_id).first()


@database_sync_to_async
def _welcome(participant: RoomParticipant) -> dict[str, Any]:
    room = participant.room
    admitted = participant.admitted_at is not None
    return {
        "type": "welcome",
        "me": participant.pk,
        "host": participant.role == RoomRole.HOST,
        "admitted": admitted,
        "draft": room.draft if admitted else "",
        "chat": rooms.chat_history(room) if admitted else [],
        "ice": rooms.ice_servers(),
        "names": {
            str(pk): name
            for pk, name in RoomParticipant.objects.filter(room=room, revoked_at=None).values_list(
                "pk", "name"
            )
        }
        if admitted
        else {},
    }


@database_sync_to_async
def _peers(room_id: int, me: int) -> list[int]:
    """Members a newcomer offers a connection to: admitted, connected, not removed."""
    return list(
        RoomParticipant.objects.filter(room_id=room_id, connected__gt=0, revoked_at=None)
        .exclude(admitted_at=None)
        .exclude(pk=me)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@database_sync_to_async
def _is_member(room_id: int, pk: Any) -> bool:
    return (
        isinstance(pk, int)
        and RoomParticipant.objects.filter(room_id=room_id, pk=pk, revoked_at=None)
        .exclude(admitted_at=None)
        .exists()
    )


@database_sync_to_async
def _roster(room_id: int) -> list[dict[str, Any]]:
    room = Room.objects.get(pk=room_id)
    return rooms.roster(room)


def _valid_signal(data: Any) -> bool:
    """An SDP description or an ICE candidate, nothing else."""
    if not isinstance(data, dict):
        return False
    if set(data) == {"sdp"}:
        sdp = data["sdp"]
        return (
            isinstance(sdp, dict)
            and sdp.get("type") in ("offer", "answer")
            and isinstance(sdp.get("sdp"), str)
        )
    if set(data) == {"candidate"}:
        c = data["candidate"]
        return c is None or (isinstance(c, dict) and isinstance(c.get("candidate", ""), str))
    return False


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """One page of one participant in one room."""

    participant_id: int | None = None
    room_id: int = 0
    is_host: bool = False
    admitted: bool = False
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        self.bucket = Bucket(BUCKET_SIZE, BUCKET_RATE)
        self.chat_bucket = Bucket(CHAT_BUCKET_SIZE, CHAT_BUCKET_RATE)
        self.dropped = 0
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        participant = await _who(self.scope, self.room_id)
        if participant is None:
            await self.close(code=CLOSE_REFUSED)
            return
        try:
            participant = await _connect(participant.pk)
        except rooms.RoomRefused:
            await self.close(code=CLOSE_REFUSED)
            return
        self.participant_id = participant.pk
        self.is_host = participant.role == RoomRole.HOST
        self.admitted = participant.admitted_at is not None
        await self._join(participant_group(participant.pk), all_group(self.room_id))
        if self.is_host:
            await self._join(host_group(self.room_id))
        if self.admitted:
            await self._join(room_group(self.room_id))
        await self.accept()
        await self.send_json(await _welcome(participant))
        await self._roster_changed()

    async def _join(self, *groups: str) -> None:
        for group in groups:
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []
        if self.participant_id is None:
            return
        pid, self.participant_id = self.participant_id, None
        await _disconnect(pid)
        await self.channel_layer.group_send(
            room_group(self.room_id), {"type": "room.left", "pid": pid}
        )
        await self._roster_changed()

    async def _roster_changed(self) -> None:
        await self.channel_layer.group_send(host_group(self.room_id), {"type": "room.roster"})

    # --- From the page ------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > FRAME_MAX:
            await self.close(code=CLOSE_ABUSE)
            return
        if not self.bucket.take():
            self.dropped += 1
            if self.dropped > MAX_DROPPED:
                await self.close(code=CLOSE_ABUSE)
                return
            await self._error(_("发送过于频繁，请稍后再试。"))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        if isinstance(content, dict):
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.participant_id is None:
            return
        kind = content.get("type")
        try:
            if kind == "signal":
                await self._signal(content)
            elif kind == "ready":
                await self._ready()
            elif kind == "chat":
                await self._chat(content)
            elif self.is_host and kind in ("admit", "mute", "remove", "end", "draft"):
                await self._control(kind, content)
        except (CaseRuleError, rooms.RoomRefused) as refused:
            await self._error(str(refused))
        except PermissionDenied:
            await self._error(_("只有主持本次在线调解的调解员可以操作。"))

    async def _error(self, message: str) -> None:
        await self.send_json({"type": "error", "message": message})

    async def _ready(self) -> None:
        if not self.admitted or self.participant_id is None:
            return
        peers = await _peers(self.room_id, self.participant_id)
        await self.send_json({"type": "peers", "peers": peers})

    async def _signal(self, content: dict[str, Any]) -> None:
        to, data = content.get("to"), content.get("data")
        if not isinstance(to, int) or to == self.participant_id or not self.admitted:
            return
        if not _valid_signal(data) or not await _is_member(self.room_id, to):
            return
        await self.channel_layer.group_send(
            participant_group(to),
            {"type": "room.signal", "from": self.participant_id, "data": data},
        )

    async def _chat(self, content: dict[str, Any]) -> None:
        if not self.chat_bucket.take():
            await self._error(_("消息发送过于频繁，请稍后再试。"))
            return
        text = content.get("text")
        if not isinstance(text, str):
            return
        event = await database_sync_to_async(rooms.chat_post)(
            participant_id=self.participant_id, text=text
        )
        payload = await database_sync_to_async(rooms.chat_payload)(event)
        await self.channel_layer.group_send(
            room_group(self.room_id), {"type": "room.relay", "payload": payload}
        )

    async def _control(self, kind: str, content: dict[str, Any]) -> None:
        user = self.scope["user"]
        pid = content.get("pid")
        call = database_sync_to_async
        if kind == "admit":
            target = await call(rooms.room_admit)(
                actor=user, room_id=self.room_id, participant_id=pid
            )
            await self.channel_layer.group_send(
                room_group(self.room_id),
                {
                    "type": "room.relay",
                    "payload": {"type": "names", "names": {str(target.pk): target.name}},
                },
            )
            await self.channel_layer.group_send(
                participant_group(target.pk), {"type": "room.admitted"}
            )
        elif kind == "mute":
            target = await call(rooms.room_mute)(
                actor=user, room_id=self.room_id, participant_id=pid
            )
            await self.channel_layer.group_send(
                participant_group(target.pk), {"type": "room.muted"}
            )
        elif kind == "remove":
            target = await call(rooms.room_remove)(
                actor=user, room_id=self.room_id, participant_id=pid
            )
            await self.channel_layer.group_send(
                participant_group(target.pk), {"type": "room.removed"}
            )
        elif kind == "draft":
            text = content.get("text")
            if not isinstance(text, str):
                return
            room = await call(rooms.draft_update)(actor=user, room_id=self.room_id, text=text)
            await self.channel_layer.group_send(
                room_group(self.room_id),
                {"type": "room.relay", "payload": {"type": "draft", "text": room.draft}},
            )
            return
        elif kind == "end":
            await call(rooms.room_end)(actor=user, room_id=self.room_id)
            await self.channel_layer.group_send(all_group(self.room_id), {"type": "room.ended"})
            return
        await self._roster_changed()

    # --- From the channel layer -----------------------------------------------------------------

    async def room_signal(self, event: dict[str, Any]) -> None:
        if self.admitted:
            await self.send_json({"type": "signal", "from": event["from"], "data": event["data"]})

    async def room_relay(self, event: dict[str, Any]) -> None:
        if self.admitted:
            await self.send_json(event["payload"])

    async def room_left(self, event: dict[str, Any]) -> None:
        if event["pid"] != self.participant_id:
            await self.send_json({"type": "peer-left", "pid": event["pid"]})

    async def room_roster(self, event: dict[str, Any]) -> None:
        if self.is_host:
            await self.send_json({"type": "roster", "roster": await _roster(self.room_id)})

    async def room_admitted(self, event: dict[str, Any]) -> None:
        if self.participant_id is None or self.admitted:
            return
        participant = await _state(self.participant_id)
        if participant is None or participant.admitted_at is None:
            return
        self.admitted = True
        await self._join(room_group(self.room_id))
        welcome = await _welcome(participant)
        welcome["type"] = "admitted"
        await self.send_json(welcome)

    async def room_muted(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "mute"})

    async def room_removed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "removed", "message": _("您已被调解员移出本次在线调解。")})
        await self.close(code=CLOSE_REMOVED)

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "ended", "message": _("调解员已结束本次在线调解。")})
        await self.close(code=CLOSE_ENDED)
