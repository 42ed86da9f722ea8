from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fengqiao.notify.models import Notification


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("case")


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
