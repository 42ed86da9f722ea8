"""Production settings: secrets must come from the environment, never from the data folder."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from fengqiao.settings.base import *  # noqa: F403

for _name in ("SECRET_KEY", "FENGQIAO_DATA_KEY", "DATABASE_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
