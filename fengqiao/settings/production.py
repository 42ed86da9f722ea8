"""Production settings: secrets must come from the environment, never from the data folder."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from fengqiao.settings.base import *  # noqa: F403
from fengqiao.settings.base import env_bool

for _name in ("SECRET_KEY", "FENGQIAO_DATA_KEY", "DATABASE_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production")

DEBUG = False
# Verification codes never reach the log, whatever the SMS gateway.
FENGQIAO_SMS_CONSOLE_SHOWS_CODES = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only: plain HTTP is redirected (behind the reverse proxy, which sets X-Forwarded-Proto),
# and browsers are told to use HTTPS for a year (HSTS). An install that must serve plain HTTP
# for a while sets FENGQIAO_HTTPS_ONLY=0 and fails `check --deploy` until it stops.
_HTTPS_ONLY = env_bool("FENGQIAO_HTTPS_ONLY", True)
SECURE_SSL_REDIRECT = _HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("FENGQIAO_HSTS_SECONDS", "31536000")) if _HTTPS_ONLY else 0
# The platform's host name and its subdomains are HTTPS only; ``preload`` lets the domain be
# submitted to the browsers' preload list (docs/operations.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FENGQIAO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("FENGQIAO_HSTS_PRELOAD", True)
# /healthz is probed by the load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
