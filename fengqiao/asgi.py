"""ASGI entry point: HTTP through Django; websockets arrive with the online mediation room."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings.base")
django_asgi = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django setup)

from fengqiao.core.startup import freeze_startup_objects  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi})
freeze_startup_objects()
