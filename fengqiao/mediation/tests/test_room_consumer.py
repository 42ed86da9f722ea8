"""The room's websocket through the platform's websocket application (origin check, session,
routing) with channels' WebsocketCommunicator: a stranger cannot join, a waiting party hears
nothing of the room until admitted, signalling reaches only the member it names in the same
room, a removed participant is cut off and cannot come back, the end disconnects everyone.

Each test runs its coroutine through ``async_to_sync``: the consumer's database calls
(``database_sync_to_async``, thread-sensitive) then run on the test's own thread, inside the
demo county's transaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import channels.db
import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.mediation import rooms
from fengqiao.mediation.choices import RoomEventKind, RoomRole
from fengqiao.mediation.models import Room, RoomEvent, RoomParticipant
from fengqiao.mediation.tests.room_helpers import scheduled_room
from fengqiao.routing import websocket_application

pytestmark = pytest.mark.usefixtures("demo_county", "db", "fresh_channel_layer")


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """``database_sync_to_async`` closes "old" connections around each call; inside the test's
    transaction PostgreSQL's connection looks old (autocommit off) and would be dropped, so the
    next query would need a new connection inside the atomic block. The server closes
    connections between requests; here the test's one stays open."""
    monkeypatch.setattr(channels.db, "close_old_connections", lambda **kwargs: None)


ORIGIN = (b"origin", b"http://localhost")


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """A websocket client for an ASGI application (channels' own ``WebsocketCommunicator``
    lives in ``channels.testing``, whose package imports daphne, which the platform does not
    use)."""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {
            "type": "websocket",
            "path": path,
            "headers": headers,
            "query_string": b"",
            "subprotocols": [],
            "client": ("127.0.0.1", 50000),
            "server": ("localhost", 80),
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 2) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(test: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(test)()


def cookie_of(client: Client) -> list[tuple[bytes, bytes]]:
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())]


def party_client(room: Room, invitation: rooms.Invitation, *, consent: bool = True) -> Client:
    """A browser that opened the link and, with ``consent``, accepted it (which uses it)."""
    client = Client()
    url = reverse("mediation:room_join", args=[invitation.token])
    if consent:
        client.post(url)
    else:
        client.get(url)
    return client


def host_client(room: Room) -> Client:
    client = Client()
    client.force_login(room.host)
    return client


def socket(room: Room, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    return WebsocketCommunicator(websocket_application(), f"/ws/room/{room.pk}/", headers=headers)


async def receive_type(ws: WebsocketCommunicator, kind: str, timeout: float = 2) -> dict[str, Any]:
    """The next message of ``kind`` (skipping roster updates and the like)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await ws.receive_json_from(timeout=max(0.05, deadline - loop.time()))
        if message.get("type") == kind:
            return message


async def roster_shows(host: WebsocketCommunicator, pid: int, state: str) -> None:
    """The host's list comes to show ``pid`` in ``state`` (each change sends the whole list)."""
    while True:
        roster = await receive_type(host, "roster")
        if {r["id"]: r["state"] for r in roster["roster"]}.get(pid) == state:
            return


async def drain(ws: WebsocketCommunicator) -> list[dict[str, Any]]:
    got = []
    while not await ws.receive_nothing(timeout=0.2):
        got.append(await ws.receive_json_from())
    return got


def test_a_stranger_another_mediator_and_a_party_of_another_room_are_refused() -> None:
    room, invitations, _mediator = scheduled_room()
    other_staff = Client()
    other_staff.force_login(User.objects.get(username="mediator2"))
    staff_headers = cookie_of(other_staff)
    # A party who only opened the link (did not accept) has no binding; one of another room
    # has a binding to that room only.
    assert (
        settings.SESSION_COOKIE_NAME
        not in party_client(room, invitations[0], consent=False).cookies
    )
    other_room, other_invitations, _host = scheduled_room()
    elsewhere_headers = cookie_of(party_client(other_room, other_invitations[0]))
    foreign = cookie_of(host_client(room))
    foreign[0] = (b"origin", b"http://evil.example.com")

    async def scenario() -> None:
        assert not (await socket(room, [ORIGIN]).connect())[0]
        assert not (await socket(room, staff_headers).connect())[0]
        assert not (await socket(room, elsewhere_headers).connect())[0]
        own = socket(other_room, elsewhere_headers)
        assert (await own.connect())[0]
        await own.disconnect()
        # The host's own session from another site is refused by the origin check.
        assert not (await socket(room, foreign).connect())[0]

    run(scenario)


def test_a_party_waits_until_admitted_and_signalling_reaches_only_the_named_member() -> None:
    room, invitations, mediator = scheduled_room()
    host_headers = cookie_of(host_client(room))
    a_headers = cookie_of(party_client(room, invitations[0]))
    b_headers = cookie_of(party_client(room, invitations[1]))
    a_id, b_id = invitations[0].participant.pk, invitations[1].participant.pk

    async def scenario() -> None:
        host, a, b = socket(room, host_headers), socket(room, a_headers), socket(room, b_headers)
        assert (await host.connect())[0]
        welcome = await receive_type(host, "welcome")
        assert welcome["host"]
        assert welcome["admitted"]
        host_id = welcome["me"]
        assert (await a.connect())[0]
        assert (await receive_type(a, "welcome"))["admitted"] is False
        await roster_shows(host, a_id, "waiting")
        assert (await b.connect())[0]
        await receive_type(b, "welcome")

        # A waiting party cannot chat nor signal, and hears no chat.
        await a.send_json_to({"type": "chat", "text": "喂？"})
        assert (await receive_type(a, "error"))["message"] == "请等待调解员准许进入后再发言。"
        await host.send_json_to({"type": "admit", "pid": a_id})
        admitted = await receive_type(a, "admitted")
        assert str(host_id) in {str(k) for k in admitted["names"]}
        await a.send_json_to({"type": "ready"})
        assert (await receive_type(a, "peers"))["peers"] == [host_id]

        offer = {"sdp": {"type": "offer", "sdp": "v=0\r\n"}}
        await a.send_json_to({"type": "signal", "to": host_id, "data": offer})
        relayed = await receive_type(host, "signal")
        assert relayed == {"type": "signal", "from": a_id, "data": offer}
        # To a member still waiting, or outside the room, or of a strange shape: nothing moves.
        await host.send_json_to({"type": "signal", "to": b_id, "data": offer})
        await host.send_json_to({"type": "signal", "to": 999999, "data": offer})
        await host.send_json_to({"type": "signal", "to": a_id, "data": {"sdp": "x", "js": 1}})
        assert all(m["type"] != "signal" for m in await drain(b))
        assert all(m["type"] != "signal" for m in await drain(a))

        await host.send_json_to({"type": "chat", "text": "各位好，现在开始调解。"})
        assert (await receive_type(a, "chat"))["text"] == "各位好，现在开始调解。"
        assert all(m["type"] != "chat" for m in await drain(b))
        await host.send_json_to({"type": "draft", "text": "一、甲方于本月底前修复排水沟。"})
        assert (await receive_type(a, "draft"))["text"] == "一、甲方于本月底前修复排水沟。"

        # A party cannot use the mediator's controls.
        await a.send_json_to({"type": "remove", "pid": b_id})
        await a.send_json_to({"type": "end"})
        assert all(m["type"] not in ("removed", "ended") for m in await drain(b))

        await host.send_json_to({"type": "end"})
        for ws in (host, a, b):
            assert (await receive_type(ws, "ended"))["message"] == "调解员已结束本次在线调解。"
            await ws.disconnect()

    run(scenario)
    assert RoomEvent.objects.filter(room=room, kind=RoomEventKind.CHAT).count() == 1
    assert RoomEvent.objects.filter(room=room, kind=RoomEventKind.JOIN).count() == 3
    room.refresh_from_db()
    assert room.draft == "一、甲方于本月底前修复排水沟。"
    assert mediator.pk == room.host_id


def test_a_removed_participant_is_cut_off_and_cannot_return() -> None:
    room, invitations, _mediator = scheduled_room()
    host_headers = cookie_of(host_client(room))
    a_headers = cookie_of(party_client(room, invitations[0]))
    a_id = invitations[0].participant.pk

    async def scenario() -> None:
        host, a = socket(room, host_headers), socket(room, a_headers)
        assert (await host.connect())[0]
        assert (await a.connect())[0]
        await host.send_json_to({"type": "admit", "pid": a_id})
        await receive_type(a, "admitted")
        await host.send_json_to({"type": "mute", "pid": a_id})
        await receive_type(a, "mute")
        await host.send_json_to({"type": "remove", "pid": a_id})
        assert "移出" in (await receive_type(a, "removed"))["message"]
        closed = await a.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": 4001}
        await a.disconnect()
        assert (await receive_type(host, "peer-left"))["pid"] == a_id
        again = socket(room, a_headers)
        assert not (await again.connect())[0]
        await host.disconnect()

    run(scenario)
    participant = RoomParticipant.objects.get(pk=a_id)
    assert participant.revoked_at is not None
    kinds = list(
        RoomEvent.objects.filter(room=room, participant=participant).values_list("kind", flat=True)
    )
    assert RoomEventKind.MUTE in kinds
    assert RoomEventKind.REMOVE in kinds
    assert room.participants.get(role=RoomRole.HOST).connected == 0


def test_an_oversized_frame_or_a_flood_closes_the_socket() -> None:
    room, invitations, _mediator = scheduled_room()
    a_headers = cookie_of(party_client(room, invitations[0]))

    async def scenario() -> None:
        a = socket(room, a_headers)
        assert (await a.connect())[0]
        await receive_type(a, "welcome")
        await a.send_to(text_data="x" * (40 * 1024))
        assert (await a.receive_output(timeout=2))["type"] == "websocket.close"
        await a.disconnect()
        b = socket(room, a_headers)
        assert (await b.connect())[0]
        for _ in range(80):
            await b.send_json_to({"type": "ready"})
        errors = [m for m in await drain(b) if m["type"] == "error"]
        assert errors
        assert errors[0]["message"] == "发送过于频繁，请稍后再试。"
        await b.disconnect()

    run(scenario)
