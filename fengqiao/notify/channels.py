"""Delivery channels. In-app delivery is the notification row itself; other channels (SMS,
email, 企业微信/钉钉/飞书 robots) register here and run after commit, never inside a
transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Channel = Callable[[Any], None]
_channels: list[Channel] = []


def register(channel: Channel) -> Channel:
    _channels.append(channel)
    return channel


def unregister(channel: Channel) -> None:
    _channels.remove(channel)


def registered() -> bool:
    """Whether any channel besides in-app delivery is registered."""
    return bool(_channels)


def deliver(notification: Any) -> None:
    for channel in _channels:
        channel(notification)
