"""503 instead of a 500 while the database cannot be reached (restarting, failing over, its
connections cut): a Chinese page or, under /api/, the API's JSON error, with Retry-After. The
connection pool reconnects by itself once the database is back (docs/reliability-faults.md)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# An error of the connection, not of the statement (OperationalError: cannot connect, connection
# lost, pool timeout; InterfaceError: the connection is already closed).
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 503 for ``request``, which failed with ``exception`` (one of ``UNAVAILABLE``)."""
    logger.error("database unavailable: %s %s: %r", request.method, request.path, exception)
    message = _(
        "数据库暂时无法连接，请稍后重试。刚才提交的内容如未显示成功，请先查看是否已经保存，"
        "再决定是否重新提交。"
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "unavailable", "detail": message, "errors": []},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message}, request=None), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view (or its template) that failed for want of the database with 503. Under
    ASGI only this sees the exception of a view: Django turns it into a response in another
    thread, where ``server_error`` cannot read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE):
            return None
        return database_unavailable(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: what no view caught (a middleware that lost the database reading the
    session, say) is a 503 too when it was the database; anything else is the 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, UNAVAILABLE):
        return database_unavailable(request, exception)
    return defaults.server_error(request)
