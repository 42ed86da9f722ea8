"""证据材料 through the case page: honest photos and scans upload and download; hostile files
(fengqiao/core/tests/hostile.py) are refused in Chinese or stored defused, and the digest of
what was handed in is kept."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fengqiao.audit.models import AuditEvent
from fengqiao.core.tests import hostile
from fengqiao.disputes.models import Case
from fengqiao.mediation.models import Evidence
from fengqiao.mediation.tests.factories import accepted_case

ClientFor = Callable[[Any], Client]


def _upload(client: Client, case: Case, name: str, data: bytes) -> list[str]:
    response = client.post(
        f"/mediation/cases/{case.pk}/evidence/",
        {
            "evidence-version": Case.objects.values_list("version", flat=True).get(pk=case.pk),
            "evidence-file": SimpleUploadedFile(
                name, data, content_type="application/octet-stream"
            ),
            "evidence-title": "材料",
        },
        follow=True,
    )
    # 200 after the redirect of an upload; 400, the case page again, for a refusal
    assert response.status_code in (200, 400)
    return [str(m) for m in response.context["messages"]]


def _download(client: Client, evidence: Evidence) -> bytes:
    response = client.get(f"/mediation/evidence/{evidence.pk}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("name", "build", "kind", "fmt"),
    [
        ("现场.jpg", hostile.jpeg, "image/jpeg", "JPEG"),
        ("现场.png", hostile.png, "image/png", "PNG"),
        ("协议.pdf", hostile.pdf, "application/pdf", None),
    ],
)
def test_an_honest_file_uploads_and_downloads(
    cast: Any,
    world: Any,
    client_for: ClientFor,
    name: str,
    build: Callable[[], bytes],
    kind: str,
    fmt: str | None,
) -> None:
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)
    data = build()

    messages = _upload(client, case, name, data)

    assert any("已上传" in m for m in messages)
    evidence = Evidence.objects.get(case=case)
    assert evidence.content_type == kind
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    stored = _download(client, evidence)
    assert evidence.stored_sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)
    if fmt is None:
        assert stored == data
    else:
        with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(data)) as original:
            assert image.format == fmt
            assert image.size == original.size
    audit = AuditEvent.objects.get(event_type="mediation.evidence")
    assert audit.after["sha256"] == evidence.sha256
    assert audit.after["stored_sha256"] == evidence.stored_sha256


def test_a_jpeg_carrying_a_web_page_is_stored_without_it(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)
    data = hostile.jpeg_with_html()

    _upload(client, case, "照片.jpg", data)

    evidence = Evidence.objects.get(case=case)
    stored = _download(client, evidence)
    assert b"<script" not in stored
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() != evidence.stored_sha256


def test_a_photo_is_stored_without_its_gps_position(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)

    _upload(client, case, "家门口.jpg", hostile.jpeg(gps=True))

    stored = _download(client, Evidence.objects.get(case=case))
    assert b"Exif" not in stored
    assert b"PhoneMaker" not in stored


@pytest.mark.parametrize(
    ("name", "build", "says"),
    [
        ("照片.jpg", hostile.jpeg_header_then_html, "图片无法解码"),
        ("图.png", lambda: hostile.png_claiming(100_000, 100_000), "图片尺寸过大"),
        ("材料.pdf", hostile.pdf_with_javascript, "含有脚本（JavaScript）"),
        ("材料.pdf", hostile.pdf_open_action_javascript, "含有脚本（JavaScript）"),
        ("材料.pdf", hostile.pdf_open_action_launch, "启动程序"),
        ("材料.pdf", hostile.pdf_with_embedded_file, "内嵌了其他文件"),
    ],
)
def test_a_hostile_file_is_refused_in_chinese_and_nothing_is_stored(
    cast: Any,
    world: Any,
    client_for: ClientFor,
    name: str,
    build: Callable[[], bytes],
    says: str,
) -> None:
    case = accepted_case(cast=cast, world=world)

    messages = _upload(client_for(cast.mediator_east), case, name, build())

    assert any(says in m for m in messages), messages
    assert not any("已上传" in m for m in messages)
    assert not Evidence.objects.exists()
    assert not case.timeline.filter(action="evidence").exists()
