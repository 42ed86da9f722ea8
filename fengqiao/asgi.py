"""ASGI entry point: HTTP through Django, and the websockets
(``fengqiao.routing``: the live in-app channel of notify and the online mediation room, from
an allowed host only)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings.base")
django_asgi = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django setup)

from fengqiao.core.bodylimit import BodyLimitASGI  # noqa: E402
from fengqiao.core.startup import freeze_startup_objects  # noqa: E402
from fengqiao.routing import websocket_application  # noqa: E402

# Django reads a whole body before its middleware runs: too large a one is refused first.
application = ProtocolTypeRouter(
    {"http": BodyLimitASGI(django_asgi), "websocket": websocket_application()}
)
freeze_startup_objects()
