from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from fengqiao.notify.choices import STAFF_KINDS, Channel
from fengqiao.notify.models import ChannelPreference, Delivery, Notification
from fengqiao.notify.preferences import PERSONAL_CHANNELS, preferences_for


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("case")


def with_sms_status(qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """Each message with its SMS delivery (``sms``, a list of at most one): whether a text
    went out, for the inbox."""
    sms = Delivery.objects.filter(channel=Channel.SMS).only(
        "notification_id", "status", "delivered_at", "attempts"
    )
    return qs.prefetch_related(Prefetch("deliveries", queryset=sms, to_attr="sms"))


def channel_settings(user: Any) -> list[tuple[str, str, dict[str, bool]]]:
    """For 通知设置: each kind with whether it goes by SMS and by email for ``user`` now."""
    from fengqiao.accounts.models import RoleGrant

    org_ids = list(
        RoleGrant.objects.filter(user=user, org__isnull=False).values_list("org_id", flat=True)
    )
    prefs = preferences_for([user.pk], org_ids)
    return [
        (
            kind.value,
            str(kind.label),
            {c: prefs.wants(user.pk, org_ids, kind.value, c) for c in PERSONAL_CHANNELS},
        )
        for kind in STAFF_KINDS
    ]


def own_preferences(user: Any) -> QuerySet[ChannelPreference]:
    return ChannelPreference.objects.filter(user=user)


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
