"""Test settings: the same platform, with a fixed data key and a queue that runs in-process."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

# Under pytest-xdist every worker process has a test database of its own (pytest-django adds
# "_gw0", "_gw1", …) and, here, a Redis database of its own: the URL's number minus the worker's
# (15, 14, …), so one worker's rate-limit counters and channel groups never reach another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _url = urlsplit(os.environ["REDIS_URL"])
    _db = int(_url.path.strip("/") or 0) - int(_worker[2:])
    if _db < 0:
        raise RuntimeError("REDIS_URL's database number is below the number of test workers")
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))

from fengqiao.settings.base import *  # noqa: E402, F403
from fengqiao.settings.base import DATABASES, HUEY  # noqa: E402

FENGQIAO_DATA_KEY = "00112233445566778899aabbccddeeff"
FENGQIAO_DATA_KEYS_OLD = []
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"
# Argon2 stays the hasher; cheaper parameters keep the suite fast.
PASSWORD_HASHERS = ["fengqiao.accounts.hashers.FastArgon2PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory for the SQLite run
# The outbox is drained by the tests that test it, not after every commit of every test.
FENGQIAO_NOTIFY_KICK = False
FENGQIAO_STATS_KICK = False
FENGQIAO_SMS_BACKEND = "console"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
