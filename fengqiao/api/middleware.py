"""Every answer under ``/api/`` is JSON in the one error shape (docs/api.md), also when no
endpoint produced it: an unknown path (Django's 404 page), a method the endpoint does not take
(ninja's plain-text 405), a fault outside ninja's handlers (Django's 500 page)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from fengqiao.api.schemas import as_error

API_PREFIX = "/api/"


def _replacement(status: int) -> tuple[str, str]:
    if status == 404:
        return "not_found", _("没有这个接口，请核对地址（见 /api/v1/openapi.json）。")
    if status == 405:
        return "method_not_allowed", _("该接口不支持这种请求方法。")
    if status >= 500:
        return "server_error", _("服务器内部错误，请稍后重试；如仍失败请联系系统管理员。")
    return "bad_request", _("请求有误，请检查后重试。")


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = _replacement(response.status_code)
        shaped = JsonResponse(as_error(code, message), status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After", "X-Request-ID"):
            if header in response:
                shaped[header] = response[header]
        return shaped
