"""Digital signatures on issued PDFs: reading an org's PKCS#12 file, signing with pyHanko behind
a visible seal, and validating a signed PDF against the platform's trust roots.

No database here: the services hand in the credential's parts and record the results.

The seal's appearance is a small page that WeasyPrint renders with the same embedded Noto CJK
font as the documents (``render.html_to_pdf``), imported into the signature widget as a form
XObject: pyHanko's own text stamps shape text with HarfBuzz (an extra native dependency) and
read a single font file, where Debian ships Noto CJK as a collection (.ttc).
"""

from __future__ import annotations

import asyncio
import binascii
import io
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from fengqiao.core.validators import STORABLE_BEFORE_AT
from fengqiao.documents.render import PdfBox, html_to_pdf

SEAL_FIELD = "FengqiaoSeal"
# The seal's size when the template marks no place for it (points; 60 mm x 42 mm, the size
# of the templates' seal block).
SEAL_WIDTH = 170.0
SEAL_HEIGHT = 119.0
# Where it goes then: above the bottom margin, at the right (points from the page's corner).
SEAL_MARGIN = 62.0


def _outside_event_loop(call: Callable[[], Any]) -> Any:
    """``call()`` where no asyncio loop runs: pyHanko's synchronous API runs its coroutines
    with ``asyncio.run``, which fails in a thread whose loop is running (an async caller, or a
    test driving Playwright); there it runs in a worker thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(call).result()


class CredentialRefused(Exception):
    """The uploaded file cannot be used as a signing credential; the message is shown as is."""


@dataclass(frozen=True)
class ParsedCredential:
    """A certificate with its matching private key, checked and ready to be stored."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key_pem: str

    @property
    def subject(self) -> str:
        return common_name(self.certificate.subject)

    @property
    def issuer(self) -> str:
        return common_name(self.certificate.issuer)

    @property
    def serial_number(self) -> str:
        return format(self.certificate.serial_number, "x")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def certificate_pem(self) -> str:
        return to_pem(self.certificate)

    @property
    def chain_pem(self) -> str:
        return "".join(to_pem(c) for c in self.chain)


def common_name(name: x509.Name) -> str:
    """The CN of ``name`` (else its organisation, else the whole name); the organisation when
    the CN is its beginning (a CN holds at most 64 bytes: a long Chinese name is cut)."""
    found = [
        str(values[0].value)
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
        if (values := name.get_attributes_for_oid(oid))
    ]
    if len(found) == 2 and found[1].startswith(found[0]):
        return found[1]
    return found[0] if found else name.rfc4514_string()


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def to_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_pem_certificates(text: str | bytes) -> list[x509.Certificate]:
    data = text.encode("ascii") if isinstance(text, str) else text
    if not data.strip():
        return []
    return list(x509.load_pem_x509_certificates(data))


def _public_bytes(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def credential_from_parts(
    *,
    certificate: x509.Certificate,
    key: Any,
    chain: list[x509.Certificate],
    now: datetime,
) -> ParsedCredential:
    """Check that ``key`` is a signing key that belongs to ``certificate`` and that the
    certificate is valid ``now``; raise ``CredentialRefused`` with the reason otherwise."""
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CredentialRefused(_("私钥类型不受支持，请使用RSA或椭圆曲线（如P-256）密钥。"))
    if _public_bytes(key.public_key()) != _public_bytes(certificate.public_key()):
        raise CredentialRefused(_("文件中的私钥与证书不匹配，请导出证书本身的私钥。"))
    if certificate.not_valid_after_utc <= now:
        raise CredentialRefused(
            _("证书已于%(date)s过期，请向证书颁发机构申请新证书后再上传。")
            % {"date": certificate.not_valid_after_utc.date().isoformat()}
        )
    if certificate.not_valid_after_utc >= STORABLE_BEFORE_AT:
        raise CredentialRefused(
            _("证书的有效期长于平台可记录的期限（2100年底），请使用有效期较短的证书。")
        )
    if certificate.not_valid_before_utc > now:
        raise CredentialRefused(
            _("证书自%(date)s起才生效，请在生效后再上传。")
            % {"date": certificate.not_valid_before_utc.date().isoformat()}
        )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    others = tuple(c for c in chain if fingerprint(c) != fingerprint(certificate))
    return ParsedCredential(certificate=certificate, chain=others, key_pem=key_pem)


def parse_pkcs12(data: bytes, password: str, *, now: datetime) -> ParsedCredential:
    """The certificate, chain and key of a PKCS#12 (.p12/.pfx) file; ``CredentialRefused``
    says in Chinese why the file cannot be used."""
    try:
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018 - parsing is the check
    except (ValueError, TypeError, KeyError):
        raise CredentialRefused(
            _("该文件不是PKCS#12证书文件（.p12/.pfx），请导出包含私钥的证书文件后上传。")
        ) from None
    secret = password.encode("utf-8")
    loaded = None
    # An empty password may have been exported as "no password" or as the empty string.
    for attempt in (secret, None) if not secret else (secret,):
        try:
            loaded = pkcs12.load_key_and_certificates(data, attempt)
            break
        except ValueError:
            continue
    if loaded is None:
        raise CredentialRefused(_("证书密码不正确，请输入导出该证书文件时设置的密码。"))
    key, certificate, additional = loaded
    if key is None:
        raise CredentialRefused(_("文件中没有私钥，请导出包含私钥的证书文件。"))
    if certificate is None:
        # A file whose certificate is not linked to its key: take the one the key belongs to.
        mine = [
            c
            for c in additional
            if _public_bytes(c.public_key()) == _public_bytes(key.public_key())
        ]
        if not additional:
            raise CredentialRefused(_("文件中没有证书，请导出包含证书和私钥的文件。"))
        certificate = mine[0] if mine else additional[0]
    return credential_from_parts(certificate=certificate, key=key, chain=list(additional), now=now)


# --- The visible seal ------------------------------------------------------------------------


class ImportedPdfBytes(content.PdfContent):
    """The first page of a PDF held in memory, as the content of a stamp (pyHanko's own
    ``ImportedPdfPage`` reads a file by name)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        resource = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[resource.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return resource + b" Do"


def seal_html(org_name: str, date: str, width: float, height: float) -> str:
    """The seal's page: ``width`` x ``height`` points naming the org in Chinese."""
    # The name on one line, or two when long: at most 15 pt, smaller for a long name.
    per_line = -(-len(org_name) // 2) if len(org_name) > 12 else max(1, len(org_name))
    font_size = round(min(15.0, (width - 20) / per_line), 1)
    return render_to_string(
        "documents/seal.html",
        {
            "org_name": org_name,
            "date": date,
            "width": round(width, 2),
            "height": round(height, 2),
            "font_size": font_size,
        },
    )


@lru_cache(maxsize=256)
def seal_pdf(org_name: str, date: str, width: float, height: float) -> bytes:
    """The seal's appearance as a one-page PDF (kept per org and day: rendering it takes
    longer than signing)."""
    return html_to_pdf(seal_html(org_name, date, width, height))


# --- Signing ---------------------------------------------------------------------------------


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def seal_box(pdf: bytes, placement: PdfBox | None) -> PdfBox:
    """Where the seal goes: the template's seal block, else the last page's bottom right."""
    if placement is not None:
        return placement
    reader = PdfFileReader(io.BytesIO(pdf))
    last = int(reader.root["/Pages"]["/Count"]) - 1
    page = reader.find_page_for_modification(last)[0].get_object()
    _x1, _y1, x2, _y2 = (float(v) for v in page["/MediaBox"])
    right = x2 - SEAL_MARGIN
    return PdfBox(
        page=last,
        box=(right - SEAL_WIDTH, SEAL_MARGIN, right, SEAL_MARGIN + SEAL_HEIGHT),
    )


def sign_pdf(
    pdf: bytes,
    *,
    certificate_pem: str,
    chain_pem: str,
    key_pem: str,
    org_name: str,
    date: str,
    placement: PdfBox | None = None,
) -> bytes:
    """``pdf`` signed (adbe.pkcs7.detached, SHA-256) with the key, in a signature field whose
    appearance is the org's seal, over ``placement`` (or the last page's bottom right)."""
    certificate = load_pem_certificates(certificate_pem)[0]
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(c) for c in load_pem_certificates(chain_pem)]
        ),
    )
    where = seal_box(pdf, placement)
    x1, y1, x2, y2 = (round(v) for v in where.box)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(SEAL_FIELD, on_page=where.page, box=(x1, y1, x2, y2)),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        name=org_name,
        reason=_("文书出具"),
    )
    stamp = StaticStampStyle(
        background=ImportedPdfBytes(seal_pdf(org_name, date, x2 - x1, y2 - y1)),
        border_width=0,
    )
    pdf_signer = signers.PdfSigner(meta, signer, stamp_style=stamp)
    out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer))
    return bytes(out.getvalue())


# --- Validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What a validator says about a PDF's (first) signature."""

    signer: str
    signed_at: datetime | None
    intact: bool  # the signed bytes are the bytes that were signed
    trusted: bool  # the certificate chains to one of the trust roots
    whole_file: bool  # nothing was added after the signature

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.whole_file


def validate_pdf(
    data: bytes, trust_roots: list[x509.Certificate], *, moment: datetime | None = None
) -> SignatureCheck | None:
    """Validate the first signature of ``data`` with pyHanko against ``trust_roots`` (no
    network: no revocation fetching) at ``moment`` (the platform's record of when it signed,
    else now). None when the file holds no signature that can be read."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # any unreadable file holds "no signature"
        return None
    if not embedded:
        return None
    context = ValidationContext(
        trust_roots=[_asn1_certificate(c) for c in trust_roots],
        allow_fetching=False,
        moment=moment or datetime.now(tz=UTC),
    )
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(embedded[0], context))
    except Exception:  # a damaged signature is an invalid one
        return SignatureCheck(
            signer="", signed_at=None, intact=False, trusted=False, whole_file=False
        )
    cert = status.signing_cert
    signer = ""
    if cert is not None:
        signer = str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    return SignatureCheck(
        signer=signer,
        signed_at=getattr(status, "signer_reported_dt", None),
        intact=bool(status.intact and status.valid),
        trusted=bool(getattr(status, "trusted", False)),
        whole_file=getattr(status, "coverage", None) == SignatureCoverageLevel.ENTIRE_FILE,
    )
