"""/healthz: database, queue and worker heartbeat, and whether the holiday calendar knows the
years it should (this year, and next year from 1 November), for load balancers and operators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from fengqiao.core.models import Heartbeat
from fengqiao.disputes import deadlines

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _queue() -> dict[str, Any]:
    info: dict[str, Any] = {"backend": type(HUEY).__name__}
    try:
        info["pending"] = HUEY.pending_count()
        info["ok"] = True
    except Exception as exc:
        info.update(ok=False, error=type(exc).__name__)
    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        info["heartbeat"] = None
        info["worker_alive"] = False
    else:
        info["heartbeat"] = timezone.localtime(beat.last_run).isoformat()
        info["worker_alive"] = timezone.now() - beat.last_run < HEARTBEAT_STALE_AFTER
    return info


def _calendar() -> dict[str, Any]:
    known = deadlines.known_years()
    missing = deadlines.missing_years(known=known)
    this_year = timezone.localdate().year
    return {
        "ok": not missing,
        "known_years": sorted(year for year in known if year >= this_year),
        "missing_years": missing,
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    queue = _queue() if database["ok"] else {"ok": False}
    ok = database["ok"] and queue.get("ok", False)
    calendar = _calendar() if database["ok"] else {"ok": False}
    # A missing year is work for the administrators, not a reason to take the node out.
    healthy = ok and queue.get("worker_alive") and calendar["ok"]
    status = "ok" if healthy else ("degraded" if ok else "down")
    return JsonResponse(
        {"status": status, "database": database, "queue": queue, "calendar": calendar},
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )
