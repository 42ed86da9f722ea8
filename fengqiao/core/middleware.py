from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fengqiao.core import context
from fengqiao.core.validators import validate_no_control_characters

# The id is copied into audit rows and logs: ASCII letters, digits, "-" and "_" only (a UUID
# from a load balancer passes; str.isalnum() would also pass Chinese and full-width text).
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def client_ip(request: HttpRequest) -> str:
    # Only REMOTE_ADDR: a forwarded header is trusted only behind a configured proxy.
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = context.bind(context.RequestContext(request_id=request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (``FENGQIAO_CSP``) on every response that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = str(getattr(settings, "FENGQIAO_CSP", ""))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RefuseControlCharactersMiddleware:
    """A URL whose path or query holds a control character (a NUL above all, which PostgreSQL
    can neither store nor compare) is refused before any view reads it, with the one check of
    ``core.validators``: 400, the Chinese error page, or under ``/api/`` the API's error shape
    (docs/api.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _bad_url_part(request)
        if field is None:
            return self.get_response(request)
        message = _("请求地址含有不可见的控制字符。")
        if request.path.startswith("/api/"):
            error = {"field": field, "msg": message, "type": "text_control"}
            body = {"code": "bad_request", "detail": message, "errors": [error]}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", status=400)


def _bad_url_part(request: HttpRequest) -> str | None:
    """``path``, or the name of the first query parameter with a control character."""
    try:
        validate_no_control_characters(request.path)
    except ValidationError:
        return "path"
    for name, values in request.GET.lists():
        for text in (name, *values):
            try:
                validate_no_control_characters(text)
            except ValidationError:
                return name
    return None
