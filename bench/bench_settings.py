"""Server settings for the intake scenario's "no pool" variant: the platform's base settings
with PostgreSQL connections made per request (``FENGQIAO_DB_POOL_SIZE=0``), to show what the
pool (settings/base.py) saves; see docs/performance.md."""

from fengqiao.settings.base import *  # noqa: F403
from fengqiao.settings.base import DATABASES

DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
