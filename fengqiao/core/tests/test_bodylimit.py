"""Too large a request body is refused before it is read: on its Content-Length under WSGI (the
test client) and ASGI (the server's path), and as it streams in when it declares none."""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from fengqiao.api.services import api_key_create
from fengqiao.core.bodylimit import BodyLimitASGI, default_limit
from fengqiao.mediation.models import Evidence
from fengqiao.mediation.tests.factories import accepted_case

MiB = 1024 * 1024
DECLARED = 512 * MiB
ClientFor = Callable[[Any], Client]


class BodyThatMustNotBeRead(io.RawIOBase):
    """A request body stream that fails the test if more than ``allowed`` bytes are read."""

    def __init__(self, allowed: int = 0) -> None:
        self.allowed = allowed
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.read_bytes += len(buffer)
        if self.read_bytes > self.allowed:
            raise AssertionError(f"the body was read ({self.read_bytes} bytes)")
        buffer[: len(buffer)] = b"\0" * len(buffer)
        return len(buffer)


def _post_declared(client: Client, path: str, size: int, **extra: Any) -> tuple[Any, Any]:
    body = BodyThatMustNotBeRead()
    response = client.generic(
        "POST",
        path,
        content_type="multipart/form-data; boundary=xyz",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size)},
        **extra,
    )
    return response, body


def _logged_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_an_anonymous_upload_of_512_mib_is_refused_unread_before_the_csrf_check(
    cast: Any, world: Any
) -> None:
    # given a case with an evidence upload address, and nobody logged in
    case = accepted_case(cast=cast, world=world)
    client = Client(enforce_csrf_checks=True)
    # when 512 MiB are announced to it (no CSRF token either)
    response, body = _post_declared(client, f"/mediation/cases/{case.pk}/evidence/", DECLARED)
    # then the answer is 413 in Chinese, and not one byte was read
    assert response.status_code == 413
    text = response.content.decode()
    assert "请先登录，再上传文件" in text
    assert "内容过大，未被受理" in text
    assert body.read_bytes == 0
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "default-src" in response["Content-Security-Policy"]
    # an anonymous body just above what any form takes is refused alike on the upload address
    response, body = _post_declared(
        client, f"/mediation/cases/{case.pk}/evidence/", default_limit() + 1
    )
    assert response.status_code == 413
    assert body.read_bytes == 0


def test_a_logged_in_mediator_512_mib_evidence_is_refused_unread(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    client = _logged_in(cast.mediator_east)
    response, body = _post_declared(client, f"/mediation/cases/{case.pk}/evidence/", DECLARED)
    assert response.status_code == 413
    assert "文件过大：此处上传的内容不能超过10MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not Evidence.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/orgs/import/", "不能超过10MB"),
        ("/admin/disputes/holidayschedule/import/", "不能超过256KB"),
        ("/accounts/login/", "请求内容过大：不能超过2.5MB"),
        ("/cases/new/", "请求内容过大：不能超过2.5MB"),
    ],
)
def test_every_address_refuses_512_mib_unread_logged_in_or_not(
    cast: Any, path: str, says: str
) -> None:
    for client in (Client(enforce_csrf_checks=True), _logged_in(cast.system_admin)):
        response, body = _post_declared(client, path, DECLARED)
        assert response.status_code == 413, path
        assert body.read_bytes == 0
    assert says in response.content.decode()


def test_the_api_refuses_512_mib_unread_with_its_json_error(cast: Any, world: Any) -> None:
    _key, token = api_key_create(
        actor=None,
        name="测试对接",
        org=world.committee_east,
        user=cast.mediator_east,
        scopes=["cases:read", "cases:write"],
    )
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {token}"}):
        body = BodyThatMustNotBeRead()
        response = Client().generic(
            "POST",
            "/api/v1/cases",
            content_type="application/json",
            **{"wsgi.input": body, "CONTENT_LENGTH": str(DECLARED)},
            **headers,
        )
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        data = json.loads(response.content)
        assert data == {
            "code": "too_large",
            "detail": "请求内容过大：不能超过2.5MB。",
            "errors": [],
        }
        assert body.read_bytes == 0


def _noise_png(width: int, height: int) -> bytes:
    """A real PNG of random pixels: it does not compress, so its size is about 3·w·h bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rng = random.Random(13)
    rows = b"".join(b"\0" + rng.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def test_a_logged_in_mediator_still_uploads_a_photo_larger_than_a_form(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    # given a 3 MiB photo: more than any form takes, less than the evidence limit
    data = _noise_png(1100, 1000)
    assert default_limit() < len(data) < 10 * MiB
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)
    response = client.post(
        f"/mediation/cases/{case.pk}/evidence/",
        {
            "evidence-version": case.version,
            "evidence-file": SimpleUploadedFile("现场.png", data, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(case=case).count() == 1


# --- ASGI: the server's own path, where Django reads the body before any middleware ---------


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """As Django's test client does: a request's end must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class AsgiCall:
    """One HTTP request through ``BodyLimitASGI(ASGIHandler())``; ``chunks`` is what the
    client would send, read only as the application asks for it."""

    def __init__(self, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> None:
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.chunks = chunks
        self.received = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        try:
            chunk = next(self.chunks)
        except StopIteration:
            return {"type": "http.disconnect"}
        self.received += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def run(self) -> AsgiCall:
        async_to_sync(BodyLimitASGI(ASGIHandler()))(self.scope, self.receive, self.send)
        return self

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def text(self) -> str:
        return b"".join(m.get("body", b"") for m in self.sent[1:]).decode()


def _never() -> Iterator[bytes]:
    raise AssertionError("the body was read")
    yield b""  # pragma: no cover


def _endless(size: int) -> Iterator[bytes]:
    """A client that keeps sending (bounded, so a broken limit fails instead of hanging)."""
    for _ in range(10_000):
        yield b"\0" * size
    raise AssertionError("the body was read to the end")


def test_asgi_refuses_a_declared_512_mib_without_receiving_a_byte(
    cast: Any, world: Any, keep_test_connection: None
) -> None:
    case = accepted_case(cast=cast, world=world)
    client = _logged_in(cast.mediator_east)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    path = f"/mediation/cases/{case.pk}/evidence/"
    for headers, says in (
        ({}, "请先登录，再上传文件"),
        ({"cookie": cookie}, "文件过大：此处上传的内容不能超过10MB"),
    ):
        call = AsgiCall(
            path,
            {
                "content-type": "multipart/form-data; boundary=xyz",
                "content-length": str(DECLARED),
                **headers,
            },
            _never(),
        ).run()
        assert call.status == 413
        assert says in call.text
        assert call.received == 0


def test_asgi_cuts_off_an_undeclared_body_as_it_passes_the_limit(
    keep_test_connection: None, db: None
) -> None:
    # given a client that sends 64 KiB chunks without a Content-Length
    chunk = 64 * 1024
    call = AsgiCall("/api/v1/cases", {"content-type": "application/json"}, _endless(chunk)).run()
    # then it is answered 413 in the API's shape right after the limit, not at its end
    assert call.status == 413
    assert json.loads(call.text)["code"] == "too_large"
    assert default_limit() < call.received <= default_limit() + chunk
