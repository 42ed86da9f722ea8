import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings.base")
application = get_wsgi_application()

from fengqiao.core.startup import freeze_startup_objects  # noqa: E402  (after Django setup)

freeze_startup_objects()
