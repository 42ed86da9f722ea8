"""The websocket routes of the live in-app channel (mounted in ``fengqiao.asgi``)."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from fengqiao.notify.consumers import NotificationConsumer

websocket_urlpatterns = [path("ws/notify/", NotificationConsumer.as_asgi())]


def websocket_application() -> Any:
    """The websocket side: the session's user (``AuthMiddlewareStack``), and only from a page
    of an allowed host (``AllowedHostsOriginValidator``: another site cannot open it with the
    user's cookie)."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
