"""Writing messages in bulk: each active recipient gets one row, left for the outbox to fan out
(its SMS, email and robot deliveries: test_outbox.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fengqiao.accounts.tests.factories import UserFactory
from fengqiao.notify.choices import Channel, NotificationKind
from fengqiao.notify.models import Delivery, Notification
from fengqiao.notify.outbox import fan_out
from fengqiao.notify.services import Message, notify_orgs, notify_rows


def _messages() -> tuple[list[Message], list[Any]]:
    users = [UserFactory(username=f"u{i}") for i in range(3)]
    away = UserFactory(username="away", is_active=False)
    long_title = "督办：" + "很长的标题" * 60
    return [
        # A recipient twice, an inactive one and a missing one
        Message([users[0], users[1], users[0], away, None], NotificationKind.REMINDER, "催办一"),
        Message([users[2]], NotificationKind.SUPERVISION, long_title, body="届满未办结", url="/c/"),
    ], users


def test_each_active_recipient_gets_one_message(db: None) -> None:
    messages, users = _messages()

    assert notify_rows(messages) == 3

    rows = list(Notification.objects.order_by("pk").values_list("recipient", "kind", "title"))
    assert rows[:2] == [
        (users[0].pk, NotificationKind.REMINDER, "催办一"),
        (users[1].pk, NotificationKind.REMINDER, "催办一"),
    ]
    # The title is cut to its column (200 characters), the body kept whole
    third = Notification.objects.get(recipient=users[2])
    assert len(third.title) == 200
    assert third.title.startswith("督办：")
    assert (third.body, third.url, third.read_at) == ("届满未办结", "/c/", None)


def test_bulk_rows_wait_for_the_outbox_and_ask_for_it_after_commit(
    db: None, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.FENGQIAO_NOTIFY_KICK = True
    messages, users = _messages()
    users[2].phone = "13900001111"
    users[2].save()

    with django_capture_on_commit_callbacks() as callbacks:
        assert notify_rows(messages) == 3
    # The web process only asks the worker (one queue message) and tells open pages; it sends
    # nothing itself
    assert [c.__name__ for c in callbacks if c.__name__ != "<lambda>"] == ["_kick"]
    assert Notification.objects.filter(fanned_out_at__isnull=True).count() == 3

    assert fan_out() == 3
    # The 督办 goes by SMS by default; the 催办 recipients have no phone number
    (sms,) = Delivery.objects.all()
    assert (sms.channel, sms.address, sms.address_masked) == (
        Channel.SMS,
        "13900001111",
        "139****1111",
    )
    assert not Notification.objects.filter(fanned_out_at__isnull=True).exists()


@pytest.fixture
def two_orgs(world: Any) -> tuple[list[Any], list[Any]]:
    """Users acting for the township platform and its 东村 committee: one at both, one
    inactive, and one at another org who must hear nothing."""
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.tests.factories import grant

    both, platform_only, committee_only = (UserFactory(username=f"o{i}") for i in range(3))
    away = UserFactory(username="o-away", is_active=False)
    other = UserFactory(username="o-other")
    grant(both, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(both, BuiltinRole.MEDIATOR, world.committee_east)
    grant(platform_only, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(committee_only, BuiltinRole.MEDIATOR, world.committee_east)
    grant(away, BuiltinRole.DISPATCHER, world.town_a_platform)
    grant(other, BuiltinRole.MEDIATOR, world.committee_west)
    return [world.town_a_platform, world.committee_east, None], [
        both,
        platform_only,
        committee_only,
    ]


def test_orgs_users_each_get_one_message_in_one_statement(
    two_orgs: tuple[list[Any], list[Any]], django_assert_num_queries: Any
) -> None:
    orgs, users = two_orgs
    with django_assert_num_queries(1):
        sent = notify_orgs(orgs=orgs, kind=NotificationKind.INFO, title="重复反映", url="/c/1/")
    assert sent == 3
    rows = Notification.objects.values_list("recipient", "kind", "title", "url", "read_at")
    assert sorted(rows) == sorted(
        (u.pk, NotificationKind.INFO, "重复反映", "/c/1/", None) for u in users
    )
    # Written as ``notify`` writes it: the time reads back as an aware time, newest first works
    assert Notification.objects.latest("created_at").created_at.tzinfo is not None


def test_orgs_users_rows_reach_the_outbox_too(two_orgs: tuple[list[Any], list[Any]]) -> None:
    orgs, users = two_orgs
    for i, user in enumerate(users):
        user.phone = f"1380000000{i}"
        user.save()
    assert notify_orgs(orgs=orgs, kind=NotificationKind.WARNING, title="预警") == 3
    assert fan_out() == 3
    phones = Delivery.objects.filter(channel=Channel.SMS).values_list("address", flat=True)
    assert sorted(phones) == [f"1380000000{i}" for i in range(3)]
