"""Request bodies refused before they are read.

Django reads a request's whole body before any view can refuse it: under ASGI the handler
spools it to a temporary file before the first middleware runs, and ``CsrfViewMiddleware``
parses a multipart body (to temporary files again) before it refuses a forged request. A
512 MiB upload thus cost seconds and twice its size in temporary disk before "文件过大", for
anyone, logged in or not.

Here every URL has a largest body it accepts: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (what Django
itself accepts as form or JSON data) unless an app registered the URL as an upload address
with a larger limit (``register_upload``), and that larger limit holds only for a request that
carries a logged-in session — except at a public upload address (registered ``anonymous``),
whose own limit holds for anyone. A request that declares more in ``Content-Length`` is answered
413 before a byte of its body is read; one that sends more than it may without declaring it
(chunked) is cut off as the bytes arrive (``BodyLimitASGI``). ``BodyLimitMiddleware`` applies
the same rule under WSGI (and in the test client), where Django reads the body lazily.

The answer is a Chinese page, or the API's JSON error shape under ``/api/`` (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# Room for a multipart body's boundaries, part headers and the small fields beside the file
# (the form's version, a title, a choice).
MULTIPART_SLACK = 256 * 1024
DJANGO_DEFAULT_DATA_MAX = 2_621_440
JSON_PREFIXES = ("/api/",)
AUTH_SESSION_KEY = "_auth_user_id"  # django.contrib.auth's SESSION_KEY

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# URL name (with namespace) → the largest file that address accepts, in bytes, and whether a
# request without a logged-in session may send it.
_UPLOADS: dict[str, tuple[Callable[[], int], bool]] = {}


def register_upload(
    view_name: str, file_limit: Callable[[], int], *, anonymous: bool = False
) -> None:
    """Declare ``view_name`` an upload address whose files may be up to ``file_limit()`` bytes
    (read at each request, so a settings override holds). ``anonymous``: the address is public
    (the documents' verification page) and its limit, which should be small, holds for anyone —
    also when it is below the default."""
    _UPLOADS[view_name] = (file_limit, anonymous)


def default_limit() -> int:
    limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", DJANGO_DEFAULT_DATA_MAX)
    return int(limit) if limit is not None else DJANGO_DEFAULT_DATA_MAX


def _upload(path: str) -> tuple[int, bool] | None:
    """The largest body of an upload to ``path`` (a file and its form) and whether anyone may
    send it, or None when ``path`` is not an upload address."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    registered = _UPLOADS.get(match.view_name)
    if registered is None:
        return None
    file_limit, anonymous = registered
    return file_limit() + MULTIPART_SLACK, anonymous


def upload_limit(path: str) -> int | None:
    """The largest body of an upload to ``path`` (a file and its form), or None when ``path``
    is not an upload address."""
    upload = _upload(path)
    return None if upload is None else upload[0]


def session_is_logged_in(session_key: str | None) -> bool:
    """Whether the session named by the cookie belongs to a logged-in user. Not the login check
    itself (the view makes that, with the password hash and the active flag): only whether
    this request may send a body larger than an anonymous one."""
    if not session_key:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    return bool(engine.SessionStore(session_key).get(AUTH_SESSION_KEY))


@dataclass(frozen=True)
class Refusal:
    limit: int
    size: int | None
    path: str
    logged_out_upload: bool

    def response(self) -> HttpResponse:
        if self.logged_out_upload:
            detail = _("尚未登录或登录已过期：请先登录，再上传文件。")
        elif upload_limit(self.path) is not None:
            detail = _("文件过大：此处上传的内容不能超过%(limit)s。请选择较小的文件后重试。") % {
                "limit": human_size(self.limit - MULTIPART_SLACK)
            }
        else:
            detail = _("请求内容过大：不能超过%(limit)s。") % {"limit": human_size(self.limit)}
        if self.path.startswith(JSON_PREFIXES):
            response: HttpResponse = JsonResponse(
                {"code": "too_large", "detail": detail, "errors": []},
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = HttpResponse(render_to_string("413.html", {"detail": detail}), status=413)
        # The client may still be sending: tell it the connection ends with this answer.
        response["Connection"] = "close"
        # Answered outside the middleware that sets these on every other response.
        policy = str(getattr(settings, "FENGQIAO_CSP", ""))
        if policy:
            response["Content-Security-Policy"] = policy
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "DENY"
        return response


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        mb = n / (1024 * 1024)
        return f"{mb:.0f}MB" if mb == int(mb) else f"{mb:.1f}MB"
    return f"{max(1, round(n / 1024))}KB"


def check(path: str, size: int | None, session_key: str | None) -> tuple[int, Refusal | None]:
    """The largest body ``path`` accepts from this request and, when the declared ``size``
    exceeds it, the refusal. Touches the session store only for a large upload."""
    base = default_limit()
    registered = _upload(path)
    upload = None if registered is None else registered[0]
    if registered is not None and registered[1]:
        limit, logged_out = registered[0], False  # a public upload address: its own limit
    elif upload is None or (size is not None and size <= base):
        limit, logged_out = base, False
    elif session_is_logged_in(session_key):
        limit, logged_out = upload, False
    else:
        limit, logged_out = base, True
    if size is not None and size > limit:
        return limit, Refusal(limit=limit, size=size, path=path, logged_out_upload=logged_out)
    return limit, None


def _declared_length(value: str | bytes | None) -> int | None:
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


class BodyLimitMiddleware:
    """First in MIDDLEWARE: under WSGI nothing has read the body yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = _declared_length(request.META.get("CONTENT_LENGTH"))
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        _limit, refusal = check(request.path_info, size, session_key)
        if refusal is not None:
            return refusal.response()
        return self.get_response(request)


class BodyLimitASGI:
    """Wraps Django's ASGI handler, which reads the whole body before the middleware runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _path_info(scope)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        size = _declared_length(headers.get(b"content-length"))
        session_key = _cookie(headers.get(b"cookie"), settings.SESSION_COOKIE_NAME)
        limit, refusal = await sync_to_async(check)(path, size, session_key)
        if refusal is not None:
            await _send_response(send, await sync_to_async(refusal.response)())
            return
        received = 0
        cut_off = False

        async def counted() -> Message:
            nonlocal received, cut_off
            if cut_off:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django takes a disconnect while reading the body as the end of the
                    # request and answers nothing; the refusal is sent below.
                    cut_off = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)
        if cut_off:
            refusal = Refusal(limit=limit, size=None, path=path, logged_out_upload=False)
            await _send_response(send, await sync_to_async(refusal.response)())


def _path_info(scope: Scope) -> str:
    path = str(scope.get("path", "/"))
    root = str(scope.get("root_path", ""))
    return path[len(root) :] or "/" if root and path.startswith(root) else path


def _cookie(header: bytes | None, name: str) -> str | None:
    # Django's own lenient parser, as the request will read the cookie.
    return parse_cookie(header.decode("latin-1")).get(name) if header else None


async def _send_response(send: Send, response: HttpResponse) -> None:
    headers = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in response.items()]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})
