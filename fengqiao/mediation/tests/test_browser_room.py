"""The online mediation room through the real ASGI server and two real Chromium instances with
fake camera and microphone: the village mediator (logged in, a laptop) and a party (no account,
a phone, by the invitation link). The party consents at entry and waits; the mediator admits
them; both pages receive the other's media (``RTCPeerConnection.getStats()``: inbound bytes
> 0 on both sides), exchange a chat message and see the shared draft; the mediator ends the
room and the party's page says so. An expired link is refused in plain Chinese."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.disputes.models import TimelineEvent
from fengqiao.mediation.choices import MediationAction, RoomEventKind, RoomStatus
from fengqiao.mediation.models import RoomEvent, RoomParticipant
from fengqiao.mediation.tests.room_helpers import scheduled_room
from fengqiao.web.tests.conftest import CHROMIUM_ARGS, chromium_path
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def inbound_bytes(page: Any) -> int:
    return int(page.evaluate("window.fqRoom ? window.fqRoom.inboundBytes() : 0"))


def wait_for_media(page: Any, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        received = inbound_bytes(page)
        if received > 0:
            return received
        time.sleep(0.2)
    return 0


def test_a_mediator_and_a_party_meet_in_the_room(
    browser: Any, asgi_live_server: str, demo_small: None
) -> None:
    base = asgi_live_server
    room, invitations, _mediator = scheduled_room()
    party_link = base + invitations[0].path
    expired_link = base + invitations[1].path
    RoomParticipant.objects.filter(pk=invitations[1].participant.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    launch = {"executable_path": chromium_path(), "args": [*CHROMIUM_ARGS, *MEDIA_ARGS]}
    mediator_browser = browser.browser_type.launch(**launch)
    party_browser = browser.browser_type.launch(**launch)
    try:
        host = mediator_browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}
        ).new_page()
        host.set_default_timeout(15000)
        login(host, base, "mediator")
        host.goto(f"{base}/mediation/rooms/{room.pk}/")
        host.wait_for_selector("#fq-room[data-socket=open]")

        party = party_browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        ).new_page()
        party.set_default_timeout(15000)
        party.goto(party_link)
        assert "《人民法院在线调解规则》第四条" in party.inner_text("#room-consent")
        party.click("#room-consent-yes")
        party.wait_for_selector("#waiting:visible")
        party.wait_for_selector("#fq-room[data-socket=open]")

        # The mediator sees the party waiting and admits them.
        pid = invitations[0].participant.pk
        row = host.locator(f'#roster li[data-pid="{pid}"][data-state="waiting"]')
        row.wait_for()
        started = time.monotonic()
        row.get_by_role("button", name="准许进入").click()
        party.wait_for_selector("#stage:visible")
        admitted_in = time.monotonic() - started
        assert admitted_in < 1.0, (
            f"the party's page heard it was admitted after {admitted_in:.2f} s"
        )

        # Media flows both ways, peer to peer.
        party_bytes = wait_for_media(party)
        host_bytes = wait_for_media(host)
        elapsed = time.monotonic() - started
        assert party_bytes > 0, "the party's page received no media from the mediator"
        assert host_bytes > 0, "the mediator's page received no media from the party"
        host.locator(f'#roster li[data-pid="{pid}"][data-state="present"]').wait_for()

        # Chat, both ways.
        party.fill("#chat-text", "调解员您好，我能听到。")
        sent = time.monotonic()
        party.click("#chat-form button[type=submit]")
        host.locator("#chat-log", has_text="调解员您好，我能听到。").wait_for()
        chat_in = time.monotonic() - sent
        assert chat_in < 1.0, f"the chat message reached the mediator after {chat_in:.2f} s"
        host.fill("#chat-text", "好的，我们开始。")
        host.click("#chat-form button[type=submit]")
        party.locator("#chat-log", has_text="好的，我们开始。").wait_for()

        # The shared draft, live.
        draft = "一、被申请人于2026年12月31日前修复排水沟；\n二、双方不再就此事争议。"
        host.fill("#draft", draft)
        party.locator("#draft-view", has_text="双方不再就此事争议").wait_for()

        # Another party's link, expired: refused with a clear message.
        late = party_browser.new_context(locale="zh-CN").new_page()
        late.goto(expired_link)
        assert "邀请链接已过期，请联系调解员重新发送。" in late.inner_text("#room-refused")

        # The end: the party's page is told, the record closed.
        host.click("#room-end")
        host.click("#room-end-yes")
        party.locator("#room-status", has_text="调解员已结束本次在线调解。").wait_for()
        host.locator("#room-status", has_text="调解员已结束本次在线调解。").wait_for()

        print(  # noqa: T201
            f"admit → party's page admitted in {admitted_in * 1000:.0f} ms; "
            f"admit → media on both pages in {elapsed * 1000:.0f} ms "
            f"(party received {party_bytes} B, mediator {host_bytes} B at first reading); "
            f"chat party → mediator in {chat_in * 1000:.0f} ms"
        )
    finally:
        party_browser.close()
        mediator_browser.close()

    room.refresh_from_db()
    assert room.status == RoomStatus.ENDED
    assert room.draft.startswith("一、被申请人")
    chats = list(
        RoomEvent.objects.filter(room=room, kind=RoomEventKind.CHAT).values_list("text", flat=True)
    )
    assert chats == ["调解员您好，我能听到。", "好的，我们开始。"]
    assert RoomEvent.objects.filter(room=room, kind=RoomEventKind.CONSENT).count() == 1
    assert TimelineEvent.objects.filter(case=room.case, action=MediationAction.ROOM_END).exists()
