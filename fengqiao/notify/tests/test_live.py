"""The live in-app channel: what the services push after commit, and who may listen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import InMemoryChannelLayer, get_channel_layer

from fengqiao.notify import live
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.routing import websocket_application
from fengqiao.notify.services import notify, notify_orgs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_channel_layer")]


def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _received(channel: str) -> dict[str, Any]:
    event: dict[str, Any] = async_to_sync(get_channel_layer().receive)(channel)
    return event


def test_a_message_is_pushed_to_its_recipients_group_after_commit(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _listen(live.user_group(cast.police.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (row,) = notify(
            recipients=[cast.police],
            kind=NotificationKind.ALARM,
            title="【报警】甲镇人民法庭请求出警",
            url="/alarms/1/",
            live_extra={"action_url": "/alarms/1/acknowledge/", "action_label": "确认出警"},
        )
    # The push waits for the commit, like every other delivery.
    assert callbacks
    for callback in callbacks:
        callback()
    event = _received(channel)
    assert event["type"] == live.EVENT_TYPE
    payload = event["payload"]
    assert payload["id"] == row.pk
    assert payload["kind"] == "alarm"
    assert payload["kind_label"] == "报警"
    assert payload["title"] == "【报警】甲镇人民法庭请求出警"
    assert payload["action_url"] == "/alarms/1/acknowledge/"


def test_an_org_wide_message_refreshes_the_orgs_open_pages(
    cast: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _listen(live.org_group(world.police_station_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_orgs(orgs=[world.police_station_a], kind="info", title="通知") == 1
    assert _received(channel)["payload"] == {"event": "unread"}


def _open(origin: bytes) -> dict[str, Any]:
    """What the server answers a page of ``origin`` without a session opening the socket."""
    scope = {
        "type": "websocket",
        "path": "/ws/notify/",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"origin", origin)],
        "subprotocols": [],
    }

    async def run() -> dict[str, Any]:
        communicator = ApplicationCommunicator(websocket_application(), scope)
        await communicator.send_input({"type": "websocket.connect"})
        answer: dict[str, Any] = await communicator.receive_output(timeout=5)
        # The consumer still listens on the channel layer until the server says the socket
        # went away, as the server does when the page goes.
        await communicator.send_input({"type": "websocket.disconnect", "code": 1006})
        await communicator.wait(timeout=10)
        return answer

    return async_to_sync(run)()


def test_an_anonymous_page_cannot_open_the_channel() -> None:
    assert _open(b"http://127.0.0.1")["type"] == "websocket.close"


def test_another_site_cannot_open_the_channel() -> None:
    assert _open(b"http://evil.example")["type"] == "websocket.close"


def test_a_page_left_quiet_longer_than_a_redis_wait_still_gets_its_push() -> None:
    """A page's socket waits on the Redis layer with BZPOPMIN, 5 s at a time; redis-py's
    default read timeout is also 5 s, which ended every quiet socket with a TimeoutError (the
    page's badge stopped updating, the online room dropped its peers) until the layer's reads
    were given longer (settings: CHANNEL_LAYERS)."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        pytest.skip("the embedded in-memory layer has no Redis read to time out")

    async def run() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add("notify-test-quiet-page", channel)
        waiting = asyncio.ensure_future(layer.receive(channel))
        # Quiet for longer than one blocking wait plus the default read timeout.
        await asyncio.sleep(6.5)
        assert not waiting.done(), waiting.exception()
        await layer.group_send("notify-test-quiet-page", {"type": live.EVENT_TYPE, "n": 1})
        event: dict[str, Any] = await asyncio.wait_for(waiting, 5)
        return event

    assert async_to_sync(run)()["n"] == 1
