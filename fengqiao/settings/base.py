"""Settings shared by every deployment; everything that differs comes from the environment.

With no variables set the platform runs embedded: SQLite (WAL) in ``data/``, an in-process
channel layer and a SQLite-backed Huey queue. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("FENGQIAO_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _persistent_secret(filename: str, nbytes: int) -> str:
    """A random secret kept in the data folder so an embedded install needs no configuration."""
    path = DATA_DIR / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(nbytes))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _persistent_secret("secret.key", 32)
# 16-byte SM4 key, hex. Old keys stay readable through FENGQIAO_DATA_KEYS_OLD (comma-separated)
# until ``manage.py rotate_data_key`` has re-encrypted every field (docs/security.md).
FENGQIAO_DATA_KEY = os.environ.get("FENGQIAO_DATA_KEY") or _persistent_secret("data.key", 16)
FENGQIAO_DATA_KEYS_OLD = [
    k.strip() for k in os.environ.get("FENGQIAO_DATA_KEYS_OLD", "").split(",") if k.strip()
]

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "fengqiao.adminsite.FengqiaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "channels",
    "fengqiao.core",
    "fengqiao.audit",
    "fengqiao.regions",
    "fengqiao.accounts",
    "fengqiao.orgs",
    "fengqiao.notify",
    "fengqiao.documents",
    "fengqiao.ledgers",
    "fengqiao.disputes",
    "fengqiao.mediation",
    "fengqiao.court",
    "fengqiao.risk",
    "fengqiao.governance",
    "fengqiao.supervision",
    "fengqiao.stats",
    "fengqiao.assessment",
    "fengqiao.alarms",
    "fengqiao.mediators",
    "fengqiao.reports",
    "fengqiao.api",
    "fengqiao.web",
    "fengqiao.portal",
    "fengqiao.demo",
]

MIDDLEWARE = [
    # First: under WSGI nothing has read the request body yet (fengqiao.core.bodylimit).
    "fengqiao.core.bodylimit.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fengqiao.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fengqiao.core.middleware.RequestContextMiddleware",
    "fengqiao.api.middleware.ApiErrorShapeMiddleware",
    "fengqiao.core.middleware.RefuseControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fengqiao.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: its process_exception runs first, for any view that lost the database.
    "fengqiao.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
ASGI_APPLICATION = "fengqiao.asgi.application"
WSGI_APPLICATION = "fengqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fengqiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengqiao.web.context_processors.navigation",
                "fengqiao.web.context_processors.calendar_warning",
                "fengqiao.notify.context_processors.unread_notifications",
                "fengqiao.alarms.context_processors.alarm_button",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "fengqiao.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Connections per process kept open in a pool (PostgreSQL only; 0 connects per request).
FENGQIAO_DB_POOL_SIZE = int(os.environ.get("FENGQIAO_DB_POOL_SIZE", "8"))
if DATABASE_URL:
    DATABASES: dict[str, Any] = {
        # Under ASGI every request may run on another thread, so persistent connections
        # (CONN_MAX_AGE) pile up until PostgreSQL refuses clients (seen in bench/). A pool per
        # process instead: a request borrows a connection and returns it when it ends, so
        # connecting is not paid per request and the total stays bounded (processes × size).
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    }
    if FENGQIAO_DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": FENGQIAO_DB_POOL_SIZE,
            # A request that finds every connection busy waits this long, then fails clearly.
            "timeout": 10,
            # After the database went away, the pool retries connecting with a backoff that
            # doubles (1, 2, 4 … s); giving up after 10 s lets the next request start again at
            # 1 s, so a restarted database is used within seconds, not after as long again as
            # it was down (reliability/test_faults.py).
            "reconnect_timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, queue, channel layer ------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The task worker (manage.py run_huey): one per installation. A worker killed while a task held
# its lock (the deadline sweep, the scheduled backup) would leave the lock taken and the task
# refused for ever; the worker clears the locks when it starts (reliability/test_faults.py).
HUEY_CONSUMER = {"workers": 2, "worker_type": "thread", "flush_locks": True}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # A socket waits for its next message with BZPOPMIN blocking up to 5 s; redis-py's default
    # read timeout is also 5 s, which would end every page's websocket after 5 quiet seconds.
    # Reads may take the blocking wait plus this much; a Redis that stops answering still ends
    # the read, and the page reconnects.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("FENGQIAO_QUEUE_NAME", "fengqiao"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": HUEY_CONSUMER,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fengqiao",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": False,
        "consumer": HUEY_CONSUMER,
    }

# --- Auth and sessions -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Audit events name this model, and every model with a ``case`` key to it, by the case number
# (a title names the parties, and the auditor may not see them): fengqiao/audit/labels.py.
FENGQIAO_AUDIT_CASE_MODEL = "disputes.Case"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "fengqiao.accounts.backends.RolePermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fengqiao.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fengqiao.accounts.validators.ComplexityValidator"},
]
# Refuse a name from one address for 15 minutes after 5 failed logins from there within the
# window, and a name from every address after 50 failures within the window (accounts.lockout).
FENGQIAO_LOGIN_MAX_FAILURES = int(os.environ.get("FENGQIAO_LOGIN_MAX_FAILURES", "5"))
FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME = int(
    os.environ.get("FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME", "50")
)
FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES = int(
    os.environ.get("FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES", "60")
)
FENGQIAO_LOCKOUT_MINUTES = int(os.environ.get("FENGQIAO_LOCKOUT_MINUTES", "15"))
# A password reset's codes are good for this long (accounts.resets).
FENGQIAO_PASSWORD_RESET_HOURS = int(os.environ.get("FENGQIAO_PASSWORD_RESET_HOURS", "24"))
# Idle timeout: the session cookie is renewed on every request and expires after this long idle.
FENGQIAO_SESSION_IDLE_MINUTES = int(os.environ.get("FENGQIAO_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = FENGQIAO_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (fengqiao.core.middleware.SecurityHeadersMiddleware):
# scripts and styles only from the platform's own static files, nothing inline, nothing from
# another host. img-src allows data: for the SVG icons inside Bootstrap's stylesheet.
FENGQIAO_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# --- Online mediation room (docs/online-mediation.md) ------------------------------------------
# The STUN/TURN servers the browsers of a room use to reach each other, as the JSON list
# RTCPeerConnection takes: [{"urls": ["turn:turn.example.cn:3478"], "username": "…",
# "credential": "…"}]. Empty: host candidates only, enough on one machine or one LAN; across
# the internet a deployment sets a TURN server (coturn) here.
FENGQIAO_WEBRTC_ICE_SERVERS = json.loads(os.environ.get("FENGQIAO_WEBRTC_ICE_SERVERS", "[]"))
# An invitation link stays valid until this long after the room's planned end.
FENGQIAO_ROOM_LINK_MARGIN_MINUTES = int(os.environ.get("FENGQIAO_ROOM_LINK_MARGIN_MINUTES", "120"))

# --- Language and time -----------------------------------------------------------------------
# Chinese only, whatever the browser asks for: there is no English catalogue yet, and offering
# "en" (with LocaleMiddleware) gave English browsers Django's own strings in English among the
# Chinese. The msgids are the Chinese text; fengqiao/locale/zh_Hans holds only Django strings its
# own catalogue lacks. English returns with fengqiao/locale/en/, an "en" entry here and
# LocaleMiddleware.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "fengqiao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Logging: personal data never reaches the logs (core.logging filters it) ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "fengqiao.core.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "INFO"},
        # WeasyPrint logs each rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The largest form or JSON body Django reads (its default): also the largest body any URL
# accepts unless it is an upload address (fengqiao.core.bodylimit), and the reverse proxy's
# client_max_body_size must be at least the largest upload (docs/operations.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Evidence uploads (证据材料): JPEG, PNG and PDF up to this size, stored outside the web root.
# 报警直通 (docs/alarms.md): an alarm no one at the station acknowledged within this many
# minutes escalates to the county (the sweep runs every minute, so up to one minute later).
FENGQIAO_ALARM_ESCALATE_MINUTES = int(os.environ.get("FENGQIAO_ALARM_ESCALATE_MINUTES", "3"))
FENGQIAO_EVIDENCE_MAX_BYTES = int(os.environ.get("FENGQIAO_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))

# --- Backups (docs/operations.md) ------------------------------------------------------------
# Where ``manage.py backup`` and the scheduled backup write. Keep it on another disk or
# machine, and never beside FENGQIAO_DATA_KEY: whoever holds both holds the data.
FENGQIAO_BACKUP_DIR = Path(os.environ.get("FENGQIAO_BACKUP_DIR", DATA_DIR / "backups"))
# The scheduled backup, as crontab fields "minute hour day month weekday" in TIME_ZONE (Beijing
# time); an empty value turns it off. Daily at 02:30 unless set.
FENGQIAO_BACKUP_SCHEDULE = os.environ.get("FENGQIAO_BACKUP_SCHEDULE", "30 2 * * *")
# How many scheduled backups the directory keeps; older ones are deleted after each backup.
FENGQIAO_BACKUP_KEEP = int(os.environ.get("FENGQIAO_BACKUP_KEEP", "14"))
# A file holding the backup key (64 hex digits, ``openssl rand -hex 32``): the scheduled backup
# is encrypted with it (AES-256-GCM); empty: scheduled backups are not encrypted.
FENGQIAO_BACKUP_KEY_FILE = os.environ.get("FENGQIAO_BACKUP_KEY_FILE", "")

# --- Documents (docs/documents.md) ----------------------------------------------------------
# The address the platform is reached at from outside (``https://tiaojie.example.gov.cn``): a
# document's QR code links to its verification page under it. Empty: the QR code holds the
# path only.
FENGQIAO_PUBLIC_URL = os.environ.get("FENGQIAO_PUBLIC_URL", "")
# The CA certificates (PEM files, several separated by ":") that signed documents must chain to
# for the verification page to call a signature valid: in production, the CA that issued the
# courts' and committees' signing certificates. The demo seed records its demo CA in the
# database instead (docs/documents.md).
FENGQIAO_SIGNING_TRUST_ROOTS = [
    p for p in os.environ.get("FENGQIAO_SIGNING_TRUST_ROOTS", "").split(":") if p.strip()
]

# --- Notifications: SMS, email, group robots through the outbox (docs/notifications.md) ------
# The SMS gateway: "console" writes each message to the log with the number masked (and keeps
# it in ``fengqiao.notify.backends.sms_outbox`` for tests); "http" POSTs JSON to the provider's
# (or an in-house SMS relay's) address FENGQIAO_SMS_URL with the bearer token FENGQIAO_SMS_TOKEN.
FENGQIAO_SMS_BACKEND = os.environ.get("FENGQIAO_SMS_BACKEND", "console")
FENGQIAO_SMS_URL = os.environ.get("FENGQIAO_SMS_URL", "")
FENGQIAO_SMS_TOKEN = os.environ.get("FENGQIAO_SMS_TOKEN", "")
# The SMS signature (签名) the provider has approved, and the site name the messages begin with.
FENGQIAO_SMS_SIGN = os.environ.get("FENGQIAO_SMS_SIGN", "枫桥平台")
# Whether the console gateway logs a verification code's text: on a developer's machine and in
# the demo (`make run` has no SMS provider: the code a citizen or party needs is in the server's
# log), never in production (settings/production.py).
FENGQIAO_SMS_CONSOLE_SHOWS_CODES = env_bool("FENGQIAO_SMS_CONSOLE_SHOWS_CODES", True)
# Seconds an HTTP channel (SMS gateway, group robot) waits for an answer.
FENGQIAO_NOTIFY_TIMEOUT = float(os.environ.get("FENGQIAO_NOTIFY_TIMEOUT", "5"))
# Messages one drain sends at once (threads waiting on the network; the database writes stay on
# the drain's own thread).
FENGQIAO_NOTIFY_SEND_THREADS = int(os.environ.get("FENGQIAO_NOTIFY_SEND_THREADS", "8"))
# Tries before a delivery is given up (死信, listed for the administrator to retry), and the
# first wait between tries in seconds (doubled each time, at most six hours).
FENGQIAO_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("FENGQIAO_NOTIFY_MAX_ATTEMPTS", "6"))
FENGQIAO_NOTIFY_BACKOFF_SECONDS = int(os.environ.get("FENGQIAO_NOTIFY_BACKOFF_SECONDS", "30"))
# Whether a committed notice asks the worker to drain the outbox at once (besides the sweep
# every minute).
FENGQIAO_NOTIFY_KICK = os.environ.get("FENGQIAO_NOTIFY_KICK", "1") == "1"
FENGQIAO_STATS_KICK = os.environ.get("FENGQIAO_STATS_KICK", "1") == "1"
# Email through Django's mail settings (EMAIL_HOST …); the console backend in development.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
