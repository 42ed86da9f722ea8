"""Writing messages in bulk: each active recipient gets one row; delivery channels, when one is
registered, are handed each row after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fengqiao.accounts.tests.factories import UserFactory
from fengqiao.notify import channels
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.notify.services import Message, notify_rows


@pytest.fixture
def delivered() -> Iterator[list[Notification]]:
    """A delivery channel (an SMS gateway, say) registered for the test, recording each row."""
    seen: list[Notification] = []
    channels.register(seen.append)
    yield seen
    channels.unregister(seen.append)


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


def test_a_registered_channel_gets_each_row_after_commit(
    db: None, delivered: list[Notification], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messages, users = _messages()

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_rows(messages) == 3
        assert delivered == []

    assert sorted(n.recipient_id for n in delivered) == sorted(u.pk for u in users)
    assert all(n.pk for n in delivered)
