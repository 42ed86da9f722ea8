"""Every websocket route of the platform, in one application (mounted by ``fengqiao.asgi`` and
the ``asgi_live_server`` test fixture): the live in-app channel of ``notify`` and the online
mediation room of ``mediation``. Each app declares its own ``websocket_urlpatterns``; this is
only where they meet."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from fengqiao.mediation.routing import websocket_urlpatterns as room_patterns
from fengqiao.notify.routing import websocket_urlpatterns as notify_patterns


def websocket_application() -> Any:
    """The websocket side: the session and its user (``AuthMiddlewareStack``: the staff user,
    or an invited party's binding to a room), and only from a page of an allowed host
    (``AllowedHostsOriginValidator``: another site cannot open it with the browser's cookie)."""
    return AllowedHostsOriginValidator(
        AuthMiddlewareStack(URLRouter([*notify_patterns, *room_patterns]))
    )
