from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fengqiao.core import context

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
