"""/healthz: database, queue and worker heartbeat, for load balancers and operators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from fengqiao.core.models import Heartbeat

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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    queue = _queue() if database["ok"] else {"ok": False}
    ok = database["ok"] and queue.get("ok", False)
    status = "ok" if ok and queue.get("worker_alive") else ("degraded" if ok else "down")
    return JsonResponse(
        {"status": status, "database": database, "queue": queue},
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )
