"""Signed documents: a 调解协议书 is issued signed with its committee's credential behind a
visible Chinese seal; pyHanko, poppler's pdfsig and the verification page all accept it and
all notice a one-byte change; an org without a credential cannot issue one."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.demo.signing import DEMO_CA_NAME
from fengqiao.documents.choices import SIGNED_TYPES, DocumentType
from fengqiao.documents.models import IssuedDocument, SigningCredential, SigningTrustRoot
from fengqiao.documents.selectors import credential_active_for, trust_roots
from fengqiao.documents.services import DocumentRefused, document_issue, document_pdf
from fengqiao.documents.signing import SEAL_FIELD, seal_html, seal_pdf, validate_pdf
from fengqiao.documents.tests.conftest import agreement_context
from fengqiao.documents.tests.test_render import _render_without_cjk_font
from fengqiao.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("demo_county", "db")

NAMES = ("欧阳明轩", "司马静怡")
SCALE = 2


def _committee() -> Organization:
    return Organization.objects.filter(kind__is_mediation_committee=True).order_by("pk")[0]


def _issue(org: Organization | None = None, case_number: str = "FQ-SIGN-0001") -> IssuedDocument:
    context = agreement_context()
    for key in ("public_id", "version", "verify_url", "qr", "committee", "date"):
        context.pop(key)
    return document_issue(
        actor=User.objects.get(username="mediator"),
        doc_type=DocumentType.MEDIATION_AGREEMENT,
        case_number=case_number,
        issuer_org=org or _committee(),
        context=context,
        party_names=NAMES,
    )


@pytest.fixture
def issued() -> IssuedDocument:
    return _issue()


def _tampered(pdf: bytes) -> bytes:
    """One byte changed inside the signed range (the binary comment after the header), the
    file still a well-formed PDF."""
    data = bytearray(pdf)
    at = data.index(b"\n%") + 2
    assert data[at] >= 0x80
    data[at] ^= 0x01
    return bytes(data)


def _verify_page(document: IssuedDocument, data: bytes) -> str:
    upload = io.BytesIO(data)
    upload.name = "协议书.pdf"
    response = Client().post(
        reverse("documents:verify", args=[document.public_id]), {"file": upload}
    )
    assert response.status_code == 200
    return response.content.decode()


# --- Signing at issue -------------------------------------------------------------------------


def test_the_agreement_is_a_signed_type() -> None:
    assert DocumentType.MEDIATION_AGREEMENT in SIGNED_TYPES


def test_every_court_and_committee_of_the_demo_holds_a_credential() -> None:
    signing = Organization.objects.filter(kind__is_mediation_committee=True) | (
        Organization.objects.filter(kind__family="court")
    )
    assert signing.exists()
    for org in signing:
        credential = credential_active_for(org)
        assert credential is not None, org.name
        assert credential.subject == org.name
        assert credential.issuer == DEMO_CA_NAME
    assert SigningTrustRoot.objects.filter(is_demo=True, name=DEMO_CA_NAME).count() == 1


def test_the_issued_pdf_is_signed_by_the_committee_and_pyhanko_trusts_it(
    issued: IssuedDocument,
) -> None:
    pdf = document_pdf(issued)
    committee = _committee()
    assert issued.signed_with == credential_active_for(committee)
    assert issued.signed_at is not None
    check = validate_pdf(pdf, trust_roots(), moment=issued.signed_at)
    assert check is not None
    assert check.intact
    assert check.trusted
    assert check.whole_file
    assert check.valid
    assert check.signer == committee.name
    # The seal is on the last page, over the template's seal block.
    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    assert signature.field_name == SEAL_FIELD
    pages = PdfReader(io.BytesIO(pdf)).pages
    annotations = [a.get_object() for a in pages[-1].get("/Annots", [])]
    assert any(a.get("/T") == SEAL_FIELD for a in annotations)


def test_a_validator_without_the_platform_trust_roots_does_not_trust_it(
    issued: IssuedDocument,
) -> None:
    check = validate_pdf(document_pdf(issued), [], moment=issued.signed_at)
    assert check is not None
    assert check.intact
    assert not check.trusted
    assert not check.valid


def test_pyhanko_detects_a_one_byte_change(issued: IssuedDocument) -> None:
    check = validate_pdf(_tampered(document_pdf(issued)), trust_roots(), moment=issued.signed_at)
    assert check is not None
    assert not check.intact
    assert not check.valid


def _pdfsig(tmp_path: Path, data: bytes, *extra: str) -> str:
    pdfsig = shutil.which("pdfsig")
    assert pdfsig is not None, "poppler-utils (bin/system-packages) provides pdfsig"
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - poppler's tool on a file of ours
        [pdfsig, *extra, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout


def _signature_validation(report: str) -> str:
    found = re.search(r"Signature Validation: (.+)", report)
    assert found is not None, report
    return found.group(1).strip()


def test_pdfsig_reports_the_signature_valid(issued: IssuedDocument, tmp_path: Path) -> None:
    report = _pdfsig(tmp_path, document_pdf(issued))
    assert _signature_validation(report) == "Signature is Valid."
    assert f"Signer Certificate Common Name: {_committee().name}" in report
    assert "Total document signed" in report
    assert "SHA-256" in report


def test_pdfsig_detects_a_one_byte_change(issued: IssuedDocument, tmp_path: Path) -> None:
    report = _pdfsig(tmp_path, _tampered(document_pdf(issued)))
    assert _signature_validation(report) != "Signature is Valid."
    assert "Digest Mismatch" in report


@pytest.mark.skipif(shutil.which("certutil") is None, reason="libnss3-tools not installed")
def test_pdfsig_trusts_it_once_the_demo_ca_is_in_its_nss_database(
    issued: IssuedDocument, tmp_path: Path
) -> None:
    nss = tmp_path / "nss"
    nss.mkdir()
    ca = tmp_path / "ca.crt"
    ca.write_text(SigningTrustRoot.objects.get(is_demo=True).certificate_pem)
    certutil = str(shutil.which("certutil"))
    subprocess.run(  # noqa: S603 - NSS's tool on a directory of ours
        [certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, timeout=60
    )
    subprocess.run(  # noqa: S603
        [certutil, "-A", "-d", f"sql:{nss}", "-n", "demo", "-t", "CT,C,C", "-i", str(ca)],
        check=True,
        timeout=60,
    )
    report = _pdfsig(tmp_path, document_pdf(issued), "-nssdir", f"sql:{nss}")
    assert _signature_validation(report) == "Signature is Valid."
    assert "Certificate is Trusted." in report


# --- The verification page -----------------------------------------------------------------


def test_the_verify_page_says_genuine_and_shows_a_valid_signature(issued: IssuedDocument) -> None:
    page = _verify_page(issued, document_pdf(issued))
    assert "真实有效" in page
    assert "已被改动" not in page
    result = page[page.index('id="signature-result"') :]
    assert _committee().name in result
    assert "有效" in result
    assert "无效" not in result
    signed = timezone.localtime(issued.signed_at)
    assert f"{signed.year}年{signed.month}月{signed.day}日" in result
    for name in NAMES:
        assert name not in page


def test_the_verify_page_says_altered_and_the_signature_invalid(issued: IssuedDocument) -> None:
    page = _verify_page(issued, _tampered(document_pdf(issued)))
    assert "已被改动" in page
    assert "真实有效" not in page
    result = page[page.index('id="signature-result"') :]
    assert "无效" in result
    assert "签名所覆盖的内容已被改动" in result


def test_the_verify_page_shows_who_sealed_it_without_an_upload(issued: IssuedDocument) -> None:
    response = Client().get(reverse("documents:verify", args=[issued.public_id]))
    page = response.content.decode()
    seal = page[page.index('id="document-seal"') :]
    assert f"{_committee().name}于" in seal
    assert "加盖电子签章" in seal
    assert 'id="signature-result"' not in page


def test_the_demo_ca_is_downloadable_from_the_verify_page(issued: IssuedDocument) -> None:
    page = Client().get(reverse("documents:verify", args=[issued.public_id])).content.decode()
    root = SigningTrustRoot.objects.get(is_demo=True)
    url = reverse("documents:trust_root", args=[root.pk])
    assert url in page
    assert DEMO_CA_NAME in page
    response = Client().get(url)
    assert response.status_code == 200
    assert response.content.decode().startswith("-----BEGIN CERTIFICATE-----")
    assert "attachment" in response["Content-Disposition"]


# --- Refusals ----------------------------------------------------------------------------------


def test_an_org_without_a_credential_cannot_issue_a_signed_type() -> None:
    committee = _committee()
    SigningCredential.objects.filter(org=committee).update(is_active=False)
    before = IssuedDocument.objects.count()
    with pytest.raises(DocumentRefused) as refused:
        _issue(committee, case_number="FQ-SIGN-NONE")
    message = str(refused.value)
    assert committee.name in message
    assert "调解协议书" in message
    assert "单位管理员" in message
    assert "上传证书" in message
    assert IssuedDocument.objects.count() == before


def test_an_expired_credential_does_not_sign() -> None:
    committee = _committee()
    past = timezone.now() - timedelta(days=1)
    SigningCredential.objects.filter(org=committee, is_active=True).update(
        valid_from=past - timedelta(days=365), valid_until=past
    )
    with pytest.raises(DocumentRefused):
        _issue(committee, case_number="FQ-SIGN-EXPIRED")


def test_the_private_key_is_stored_encrypted(issued: IssuedDocument) -> None:
    credential = credential_active_for(_committee())
    assert credential is not None
    assert "PRIVATE KEY" in credential.private_key  # decrypted on read
    table = SigningCredential._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT private_key FROM {table} WHERE id = %s", [credential.pk])  # noqa: S608
        raw = cursor.fetchone()[0]
    assert raw.startswith("sm4gcm:")
    assert "PRIVATE KEY" not in raw
    event = AuditEvent.objects.get(event_type=EventType.DOCUMENT_ISSUED, object_id=str(issued.pk))
    assert event.after["signed_with"] == credential.fingerprint


# --- The visible seal ---------------------------------------------------------------------------


def _last_page(pdf: bytes) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    document.init_forms()  # draws the signature widget's appearance (the seal)
    try:
        return document[len(document) - 1].render(scale=SCALE, may_draw_forms=True).to_pil()
    finally:
        document.close()


def _seal_box(pdf: bytes) -> tuple[int, int, int, int]:
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    height = float(page["/MediaBox"][3])
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/T") == SEAL_FIELD:
            x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
            return (
                int(x1 * SCALE),
                int((height - y2) * SCALE),
                int(x2 * SCALE),
                int((height - y1) * SCALE),
            )
    raise AssertionError("no seal widget")


def _red_share(image: Image.Image) -> float:
    r, g, b = image.convert("RGB").split()
    reddish = ImageChops.logical_and(
        r.point(lambda v: 255 if v > 150 else 0, mode="1"),
        ImageChops.logical_and(
            g.point(lambda v: 255 if v < 90 else 0, mode="1"),
            b.point(lambda v: 255 if v < 90 else 0, mode="1"),
        ),
    )
    return reddish.histogram()[-1] / max(1, image.width * image.height)


def _image(pdf: bytes) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()


def test_the_seal_is_drawn_on_the_last_page_in_red_chinese(
    issued: IssuedDocument, tmp_path: Path
) -> None:
    pdf = document_pdf(issued)
    box = _seal_box(pdf)
    seal = _last_page(pdf).crop(box)
    assert _red_share(seal) > 0.03, "the seal's red border and name are drawn"
    # The seal's page as the platform renders it, and as it renders without the Chinese font:
    # the org's name is drawn with real Chinese glyphs, not boxes or a fallback.
    committee = _committee().name
    width, height = (box[2] - box[0]) / SCALE, (box[3] - box[1]) / SCALE
    with_font = _image(seal_pdf(committee, "2026年12月04日", width, height))
    source = seal_html(committee, "2026年12月04日", width, height)
    without = _image(_render_without_cjk_font(source, tmp_path)).resize(with_font.size)
    diff = ImageChops.difference(with_font, without)
    changed = sum(diff.histogram()[32:]) / (with_font.width * with_font.height)
    assert changed > 0.02, "the seal's name comes from the embedded CJK font"


def test_a_second_signed_issue_reuses_the_seal_and_stays_valid() -> None:
    first = _issue(case_number="FQ-SIGN-A")
    second = _issue(case_number="FQ-SIGN-B")
    for document in (first, second):
        check = validate_pdf(document_pdf(document), trust_roots(), moment=document.signed_at)
        assert check is not None
        assert check.valid
    assert default_storage.exists(second.file_name)
