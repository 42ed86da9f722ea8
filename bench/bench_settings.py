"""Server settings for the intake scenario's "no persistent connections" variant: the platform's
base settings with ``CONN_MAX_AGE = 0``. Under ASGI each request runs in a worker thread, so
``conn_max_age=60`` (settings/base.py) leaves one idle PostgreSQL connection per thread used
until ``max_connections`` is exhausted (see docs/performance.md)."""

from fengqiao.settings.base import *  # noqa: F403
from fengqiao.settings.base import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
