"""Which kinds of message go by SMS and by email: one rule, read by the fan-out and shown on a
user's 通知设置 page. A user's own choice wins; else their orgs' (the org default of any org they
act for that turns the channel on, else off if one turns it off); else the built-in default
below."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fengqiao.notify.choices import Channel, NotificationKind
from fengqiao.notify.models import ChannelPreference

# A dispatch, a warning and a 督办 reach the staff they concern on their phones (the issue's
# "every dispatch, warning and 督办"), as do emergencies, alarms and overdue cases; the rest is
# in-app only. Email is off until a user or org turns it on.
DEFAULTS: dict[str, frozenset[str]] = {
    Channel.SMS: frozenset(
        {
            NotificationKind.ASSIGNMENT,
            NotificationKind.WARNING,
            NotificationKind.SUPERVISION,
            NotificationKind.EMERGENCY,
            NotificationKind.ALARM,
            NotificationKind.OVERDUE,
        }
    ),
    Channel.EMAIL: frozenset(),
}
PERSONAL_CHANNELS = (Channel.SMS, Channel.EMAIL)


@dataclass
class Preferences:
    """The choices that bear on a set of users, read in two queries."""

    by_user: dict[tuple[int, str, str], bool] = field(default_factory=dict)
    by_org: dict[tuple[int, str, str], bool] = field(default_factory=dict)

    def wants(self, user_id: int, org_ids: Iterable[int], kind: str, channel: str) -> bool:
        own = self.by_user.get((user_id, kind, channel))
        if own is not None:
            return own
        org_choices = [self.by_org.get((org_id, kind, channel)) for org_id in org_ids]
        if True in org_choices:
            return True
        if False in org_choices:
            return False
        return kind in DEFAULTS[channel]


def preferences_for(user_ids: Iterable[int], org_ids: Iterable[int]) -> Preferences:
    prefs = Preferences()
    rows = ChannelPreference.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "kind", "channel", "enabled"
    )
    prefs.by_user = {(u, k, c): e for u, k, c, e in rows}
    org_rows = ChannelPreference.objects.filter(org_id__in=list(org_ids)).values_list(
        "org_id", "kind", "channel", "enabled"
    )
    prefs.by_org = {(o, k, c): e for o, k, c, e in org_rows}
    return prefs
