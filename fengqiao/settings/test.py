"""Test settings: the same platform, with a fixed data key and a queue that runs in-process."""

from __future__ import annotations

from fengqiao.settings.base import *  # noqa: F403
from fengqiao.settings.base import DATABASES, HUEY

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
