"""The websocket every page of a logged-in user opens (``/ws/notify/``): it joins the user's
group and the groups of the orgs the user acts for (``live``), and passes on each push with
the user's unread count, so the badge and an alarm's notice change without a reload."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from fengqiao.notify import live
from fengqiao.notify.selectors import unread_count


@database_sync_to_async
def _groups_and_count(user: Any) -> tuple[list[str], int]:
    from fengqiao.accounts.models import RoleGrant

    org_ids = (
        RoleGrant.objects.filter(user=user, org__isnull=False)
        .values_list("org_id", flat=True)
        .distinct()
    )
    groups = [live.user_group(user.pk), *(live.org_group(pk) for pk in sorted(set(org_ids)))]
    return groups, unread_count(user)


@database_sync_to_async
def _unread(user: Any) -> int:
    return unread_count(user)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One open page of one user; anonymous or inactive users, and users who must change their
    password first, are refused. An expired session is anonymous (the session store does not
    load it), so the socket follows the session's idle timeout at connect time."""

    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.groups_joined = []
        if (
            user is None
            or not user.is_authenticated
            or not user.is_active
            # The first-login password change comes before anything else (accounts.middleware).
            or getattr(user, "must_change_password", False)
        ):
            await self.close()
            return
        groups, count = await _groups_and_count(user)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        await self.send_json({"event": "unread", "unread": count})

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page says nothing over this socket; whatever it sends is ignored."""

    async def notify_push(self, event: dict[str, Any]) -> None:
        payload = dict(event.get("payload") or {})
        payload["unread"] = await _unread(self.scope["user"])
        await self.send_json(payload)
