"""/healthz: database, queue and worker heartbeat, and whether the holiday calendar knows the
years it should (this year, and next year from 1 November), for load balancers and operators.

Only a database the node cannot reach makes it ``down`` (HTTP 503): without the queue (Redis)
pages and intake keep working and the queued work waits (docs/reliability-faults.md), and
every node shares the one Redis, so a 503 then would take the whole service out for nothing.
What is wrong is said in ``problems``, in Chinese, for the operator.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
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
        store = "Redis" if settings.REDIS_URL else _("队列文件")
        info.update(
            ok=False,
            error=type(exc).__name__,
            message=_(
                "任务队列（%(store)s）无法连接：页面和登记照常可用；审计封存、到期提醒等后台任务"
                "暂停，连接恢复后自动继续。"
            )
            % {"store": store},
        )
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


def _problems(
    database: dict[str, Any], queue: dict[str, Any], calendar: dict[str, Any]
) -> list[str]:
    if not database["ok"]:
        return [_("数据库无法连接：页面和接口暂停服务，数据库恢复后自动恢复。")]
    problems = []
    if not queue["ok"]:
        problems.append(queue["message"])
    elif not queue["worker_alive"]:
        problems.append(
            _("任务执行进程（run_huey）三分钟内没有心跳：后台任务不会执行，请检查该进程。")
        )
    if not calendar["ok"]:
        years = "、".join(str(year) for year in calendar["missing_years"])
        problems.append(
            _("节假日安排缺少 %(years)s 年：期限按暂定计算，请导入。") % {"years": years}
        )
    return problems


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    queue = _queue() if database["ok"] else {"ok": False}
    calendar = _calendar() if database["ok"] else {"ok": False}
    problems = _problems(database, queue, calendar)
    # Only the database takes the node out; the rest is work for the operators.
    status = "down" if not database["ok"] else ("degraded" if problems else "ok")
    return JsonResponse(
        {
            "status": status,
            "problems": problems,
            "database": database,
            "queue": queue,
            "calendar": calendar,
        },
        status=503 if status == "down" else 200,
        json_dumps_params={"ensure_ascii": False},
    )
