"""The live in-app channel: what a page already open learns at once over its websocket
(``consumers.NotificationConsumer`` at ``/ws/notify/``), through the Channels layer
(``CHANNEL_LAYERS``: in-memory embedded, Redis when ``REDIS_URL`` is set).

Every page of a logged-in user listens on two kinds of group: the user's own
(``user_group``) and one per org the user holds a grant at (``org_group``). Senders push after
the transaction commits (``transaction.on_commit``): a message that was rolled back is never
shown, and a push never runs inside a transaction. A push is best effort — the row is the
message; a page that was closed or lost its connection finds it in 消息 and in the badge.

With the in-memory layer only the web process that serves the page can push to it: a push
from the task worker (an escalation sweep) reaches open pages only on the Redis layer, and
otherwise at the next page load (docs/alarms.md)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The consumer's handler for every push (``type`` ``notify.push`` → ``notify_push``).
EVENT_TYPE = "notify.push"


def user_group(user_id: int) -> str:
    return f"notify-user-{int(user_id)}"


def org_group(org_id: int) -> str:
    return f"notify-org-{int(org_id)}"


def notification_payload(notification: Any, **extra: Any) -> dict[str, Any]:
    """What a page is told of one message (no personal data beyond what its title says)."""
    return {
        "event": "notification",
        "id": notification.pk,
        "kind": str(notification.kind),
        "kind_label": str(notification.get_kind_display()),
        "title": notification.title,
        "body": notification.body[:500],
        "url": notification.url,
        **extra,
    }


def push_after_commit(sends: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Send each ``(group, payload)`` once the current transaction commits (at once outside
    one)."""
    batch = list(sends)
    if batch:
        transaction.on_commit(lambda: push_now(batch))


def push_now(batch: list[tuple[str, dict[str, Any]]]) -> None:
    """Send the batch through the channel layer in one event-loop round; never raises (a push
    that fails leaves the message in the inbox)."""
    layer = get_channel_layer()
    if layer is None or not batch:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # In-process layer: only the groups someone listens to in this process matter, and
        # a process without listeners (the task worker, a command) needs no event loop.
        batch = [(group, payload) for group, payload in batch if layer.groups.get(group)]
        if not batch:
            return

    async def send_all() -> None:
        for group, payload in batch:
            await layer.group_send(group, {"type": EVENT_TYPE, "payload": payload})

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        running = False
    else:
        running = True
    try:
        if running:
            # Called from a thread that runs an event loop itself (a test driving a browser):
            # async_to_sync refuses that thread, so the sends run on one of their own.
            thread = threading.Thread(target=async_to_sync(send_all), daemon=True)
            thread.start()
            thread.join(timeout=5)
        else:
            async_to_sync(send_all)()
    except Exception:  # the push is best effort: the message row is already committed
        logger.warning("live push failed for %d group(s)", len(batch), exc_info=True)
