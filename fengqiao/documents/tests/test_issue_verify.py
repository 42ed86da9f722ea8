"""Issuing a 调解协议书 and checking it on the public verification page."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core import bodylimit
from fengqiao.core.crypto import sm3_hex
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import document_issue, document_pdf
from fengqiao.documents.tests.conftest import agreement_context
from fengqiao.documents.views import VERIFY_MAX_BYTES
from fengqiao.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("demo_county", "db")

NAMES = ("欧阳明轩", "司马静怡")


def _issue(**overrides: Any) -> IssuedDocument:
    committee = Organization.objects.filter(kind__is_mediation_committee=True).order_by("pk")[0]
    context = agreement_context()
    for key in ("public_id", "version", "verify_url", "qr", "committee", "date"):
        context.pop(key)
    return document_issue(
        actor=User.objects.get(username="mediator"),
        doc_type=DocumentType.MEDIATION_AGREEMENT,
        case_number=overrides.get("case_number", "FQ-TEST-0001"),
        issuer_org=committee,
        context=context,
        party_names=NAMES,
    )


@pytest.fixture
def issued() -> IssuedDocument:
    return _issue()


def _verify(document: IssuedDocument, data: bytes, name: str = "协议书.pdf") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return Client().post(reverse("documents:verify", args=[document.public_id]), {"file": upload})


def test_issue_stores_the_pdf_with_its_digests_and_audits_it(issued: IssuedDocument) -> None:
    pdf = document_pdf(issued)
    assert default_storage.exists(issued.file_name)
    assert issued.sha256 == hashlib.sha256(pdf).hexdigest()
    assert issued.sm3 == sm3_hex(pdf)
    assert issued.version == 1
    assert issued.masked_parties == ["欧***", "司***"]
    assert issued.issued_by == User.objects.get(username="mediator")
    # The PDF names the committee and links to the verification page in its text and QR code.
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert issued.issuer_org.name in "".join(text.split())
    assert f"/verify/{issued.public_id}" in text
    event = AuditEvent.objects.get(event_type=EventType.DOCUMENT_ISSUED, object_id=str(issued.pk))
    assert event.after["sha256"] == issued.sha256
    assert event.after["sm3"] == issued.sm3
    assert not any(name in str(event.after) + event.object_repr for name in NAMES)


def test_a_second_issue_is_the_next_version_with_its_own_id(issued: IssuedDocument) -> None:
    again = _issue()
    assert again.version == 2
    assert again.public_id != issued.public_id
    assert len(issued.public_id) >= 20
    assert _issue(case_number="FQ-TEST-0002").version == 1


def test_the_verify_page_shows_the_document_without_names(issued: IssuedDocument) -> None:
    response = Client().get(reverse("documents:verify", args=[issued.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("调解协议书", issued.issuer_org.name, "欧***", "司***", "版本"):
        assert shown in page
    for name in NAMES:
        assert name not in page
    assert "<script>" not in page
    assert "style=" not in page


def test_the_stored_pdf_is_genuine(issued: IssuedDocument) -> None:
    response = _verify(issued, document_pdf(issued))
    assert response.status_code == 200
    page = response.content.decode()
    assert "真实有效" in page
    assert "已被改动" not in page


def test_one_changed_byte_is_not_genuine(issued: IssuedDocument) -> None:
    pdf = bytearray(document_pdf(issued))
    at = pdf.index(b"\n%") + 2  # the binary comment after the header: still a valid PDF
    assert pdf[at] >= 0x80
    pdf[at] ^= 0x01
    response = _verify(issued, bytes(pdf))
    page = response.content.decode()
    assert "已被改动" in page
    assert "真实有效" not in page


def test_another_document_is_not_genuine(issued: IssuedDocument) -> None:
    other = _issue(case_number="FQ-TEST-0003")
    assert "已被改动" in _verify(issued, document_pdf(other)).content.decode()


def test_a_file_that_is_not_a_pdf_is_refused_by_the_upload_checks(issued: IssuedDocument) -> None:
    page = _verify(issued, b"\x89PNG\r\n\x1a\n" + b"0" * 100, "协议书.png").content.decode()
    assert "请上传PDF文件" in page
    assert "真实有效" not in page
    assert "已被改动" not in page
    scripted = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>>>endobj"
    page = _verify(issued, scripted).content.decode()
    assert "真实有效" not in page
    assert "已被改动" not in page


def test_an_unknown_id_is_404() -> None:
    assert Client().get(reverse("documents:verify", args=["no-such-document"])).status_code == 404


def test_anyone_may_upload_up_to_the_small_verify_limit(issued: IssuedDocument) -> None:
    path = reverse("documents:verify", args=[issued.public_id])
    within = VERIFY_MAX_BYTES  # above Django's 2.5 MB default, no session
    assert bodylimit.check(path, within, None)[1] is None
    refusal = bodylimit.check(path, VERIFY_MAX_BYTES + bodylimit.MULTIPART_SLACK + 1, None)[1]
    assert refusal is not None
    assert not refusal.logged_out_upload
    response = Client().post(
        path, b"x", content_type="application/pdf", CONTENT_LENGTH=str(20 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "文件过大" in response.content.decode()


def test_a_failed_record_leaves_no_stored_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the audit log failing when the document is recorded
    from fengqiao.documents import services

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    saved: list[str] = []
    real_save = default_storage.save

    def spy(name: str, content: Any) -> str:
        saved.append(real_save(name, content))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", spy)

    # when a document is issued, it fails as a whole: no row and no file left behind
    with pytest.raises(RuntimeError):
        _issue(case_number="FQ-TEST-FAIL")
    assert saved
    assert not default_storage.exists(saved[0])
    assert not IssuedDocument.objects.filter(case_number="FQ-TEST-FAIL").exists()
