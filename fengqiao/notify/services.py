from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.notify import channels
from fengqiao.notify.models import Notification


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    case: Any = None,
) -> list[Notification]:
    """Write one in-app message per recipient; other channels deliver after commit."""
    unique = {u.pk: u for u in recipients if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=u, kind=kind, title=title[:200], body=body, url=url, case=case)
            for u in unique.values()
        ]
    )
    for row in rows:
        transaction.on_commit(partial(channels.deliver, row))
    return rows


def notification_mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def org_users(org: Any) -> list[User]:
    """The users who act for an organization: those holding a role granted at it."""
    if org is None:
        return []
    return list(User.objects.filter(role_grants__org=org, is_active=True).distinct())
