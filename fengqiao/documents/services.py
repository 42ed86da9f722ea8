"""Issuing a document (render it, sign it when its type is signed, digest it, keep the PDF and
the record, audit it) and the signing credentials and trust roots the signatures rest on."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.crypto import sm3_hex
from fengqiao.core.masking import mask_name
from fengqiao.documents.choices import SIGNED_TYPES, TEMPLATES, DocumentType
from fengqiao.documents.models import (
    IssuedDocument,
    SigningCredential,
    SigningTrustRoot,
    new_public_id,
)
from fengqiao.documents.policy import credential_may_upload
from fengqiao.documents.render import qr_data_uri, render_html, render_pdf
from fengqiao.documents.selectors import credential_active_for
from fengqiao.documents.signing import (
    CredentialRefused,
    ParsedCredential,
    load_pem_certificates,
    parse_pkcs12,
    sign_pdf,
)
from fengqiao.documents.signing import fingerprint as certificate_fingerprint
from fengqiao.orgs.models import Organization

STORAGE_DIR = "documents"


class DocumentRefused(Exception):
    """The document cannot be issued; the message says why and who can fix it."""


def verify_url(public_id: str) -> str:
    """The address printed in a document's QR code: absolute when ``FENGQIAO_PUBLIC_URL`` says
    where the platform is reached from outside, else the path."""
    path = reverse("documents:verify", args=[public_id])
    base = str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "").rstrip("/")
    return base + path


@dataclass(frozen=True)
class PreparedDocument:
    """A document rendered and signed, not yet stored: ``document_prepare`` makes it outside
    any lock, ``document_store`` keeps it under the caller's lock (PDF rendering and signing
    take 0.1–0.3 s, which no row lock should wait for)."""

    doc_type: str
    case_number: str
    subject: str
    issuer_org: Organization
    public_id: str
    version: int
    pdf: bytes
    credential: SigningCredential | None
    signed_at: datetime | None


def _credential_for(doc_type: str, issuer_org: Organization) -> SigningCredential | None:
    if doc_type not in SIGNED_TYPES:
        return None
    credential = credential_active_for(issuer_org)
    if credential is None:
        raise DocumentRefused(
            _(
                "“%(org)s”没有有效的电子签章证书，不能出具须加盖电子签章的%(type)s。"
                "请辖区的单位管理员在“电子签章证书”页面为该单位上传证书（PKCS#12文件）。"
            )
            % {"org": issuer_org.name, "type": DocumentType(doc_type).label}
        )
    return credential


def next_version(doc_type: str, case_number: str, subject: str = "") -> int:
    latest = IssuedDocument.objects.filter(
        doc_type=doc_type, case_number=case_number, subject=subject
    ).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def document_prepare(
    *,
    doc_type: DocumentType | str,
    case_number: str,
    issuer_org: Organization,
    context: dict[str, Any],
    subject: str = "",
) -> PreparedDocument:
    """Render ``doc_type``'s template with ``context`` to a PDF carrying its verification QR
    code and sign it with ``issuer_org``'s credential when the type is one of
    ``SIGNED_TYPES``, as the next version for ``case_number`` (and ``subject``) as it stands
    now. Nothing is stored.

    Raises ``DocumentRefused`` when the type must be signed and the org holds no valid
    credential: an unsigned agreement or ruling is never handed out."""
    credential = _credential_for(doc_type, issuer_org)
    public_id = new_public_id()
    version = next_version(doc_type, case_number, subject)
    url = verify_url(public_id)
    page = render_html(
        TEMPLATES[doc_type],
        {
            "committee": issuer_org.name,
            "date": timezone.localdate().strftime("%Y年%m月%d日"),
            **context,
            "public_id": public_id,
            "version": version,
            "verify_url": url,
            "qr": qr_data_uri(url),
        },
    )
    rendered = render_pdf(page)
    pdf = rendered.pdf
    signed_at = None
    if credential is not None:
        signed_at = timezone.now()
        pdf = sign_pdf(
            pdf,
            certificate_pem=credential.certificate_pem,
            chain_pem=credential.chain_pem,
            key_pem=credential.private_key,
            org_name=issuer_org.name,
            date=timezone.localdate(signed_at).strftime("%Y年%m月%d日"),
            placement=rendered.seal,
        )
    return PreparedDocument(
        doc_type=str(doc_type),
        case_number=case_number,
        subject=subject,
        issuer_org=issuer_org,
        public_id=public_id,
        version=version,
        pdf=pdf,
        credential=credential,
        signed_at=signed_at,
    )


def document_current(prepared: PreparedDocument) -> bool:
    """Whether ``prepared`` is still the next version of its document (asked under the lock
    that serializes its issuing: another issue may have stored one meanwhile)."""
    return prepared.version == next_version(
        prepared.doc_type, prepared.case_number, prepared.subject
    )


def document_store(
    prepared: PreparedDocument, *, actor: Any, party_names: Iterable[str]
) -> IssuedDocument:
    """Keep a prepared document: the PDF in storage, its record with the digests of the bytes
    handed out (the signed PDF) and its audit event. Called under the lock that serializes
    issuing for its case, after ``document_current`` said yes (the version is unique: a
    second store of the same version fails rather than overwrite)."""
    public_id = prepared.public_id
    pdf = prepared.pdf
    credential = prepared.credential
    file_name = default_storage.save(f"{STORAGE_DIR}/{public_id}.pdf", ContentFile(pdf))
    # The file is written before its row: if the row or its audit event fails, the file goes
    # too (no stored PDF without its record).
    try:
        with transaction.atomic():
            document = IssuedDocument.objects.create(
                public_id=public_id,
                doc_type=prepared.doc_type,
                case_number=prepared.case_number,
                subject=prepared.subject,
                issuer_org=prepared.issuer_org,
                issued_by=actor if getattr(actor, "pk", None) else None,
                version=prepared.version,
                sha256=hashlib.sha256(pdf).hexdigest(),
                sm3=sm3_hex(pdf),
                file_name=file_name,
                masked_parties=[mask_name(name) for name in party_names],
                signed_with=credential,
                signed_at=prepared.signed_at,
            )
            audit_record(
                actor=actor,
                event_type=EventType.DOCUMENT_ISSUED,
                obj=document,
                after={
                    "doc_type": prepared.doc_type,
                    "case_number": prepared.case_number,
                    "version": prepared.version,
                    "sha256": document.sha256,
                    "sm3": document.sm3,
                    "signed_with": credential.fingerprint if credential else "",
                },
            )
    except BaseException:
        default_storage.delete(file_name)
        raise
    return document


def document_issue(
    *,
    actor: Any,
    doc_type: DocumentType,
    case_number: str,
    issuer_org: Organization,
    context: dict[str, Any],
    party_names: Iterable[str],
    subject: str = "",
) -> IssuedDocument:
    """Prepare and store in one step, for a caller that renders under its own lock (the
    application at filing, the 自动履行证明书) or holds none (the demo seed)."""
    with transaction.atomic():
        prepared = document_prepare(
            doc_type=doc_type,
            case_number=case_number,
            issuer_org=issuer_org,
            context=context,
            subject=subject,
        )
        return document_store(prepared, actor=actor, party_names=party_names)


def document_pdf(document: IssuedDocument) -> bytes:
    """The stored PDF's bytes."""
    with default_storage.open(document.file_name, "rb") as stored:
        return bytes(stored.read())


# --- Signing credentials and trust roots -------------------------------------------------------


def credential_upload(
    *, actor: Any, org: Organization, data: bytes, password: str
) -> SigningCredential:
    """Install the certificate and key of a PKCS#12 file as ``org``'s active credential.
    ``CredentialRefused`` says why a file cannot be used (wrong password, not PKCS#12,
    expired, key not matching); the password is used to decode the file and forgotten."""
    if not credential_may_upload(actor, org):
        raise PermissionDenied(_("您无权为“%(org)s”上传签名证书。") % {"org": org.name})
    parsed = parse_pkcs12(data, password, now=timezone.now())
    return credential_install(actor=actor, org=org, parsed=parsed)


def credential_install(
    *, actor: Any, org: Organization, parsed: ParsedCredential
) -> SigningCredential:
    """Make ``parsed`` the org's active credential; the one it replaces stays on record
    (inactive) for the documents it signed."""
    if not credential_may_upload(actor, org):
        raise PermissionDenied(_("您无权为“%(org)s”上传签名证书。") % {"org": org.name})
    with transaction.atomic():
        # One upload per org at a time: the swap of the active credential is not raced.
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        if SigningCredential.objects.filter(fingerprint=parsed.fingerprint).exists():
            raise CredentialRefused(_("该证书已经上传过，无需重复上传。"))
        replaced = list(
            SigningCredential.objects.filter(org=org, is_active=True).values_list(
                "fingerprint", flat=True
            )
        )
        SigningCredential.objects.filter(org=org, is_active=True).update(is_active=False)
        credential = SigningCredential.objects.create(
            org=org,
            subject=parsed.subject,
            issuer=parsed.issuer,
            serial_number=parsed.serial_number[:64],
            fingerprint=parsed.fingerprint,
            certificate_pem=parsed.certificate_pem,
            chain_pem=parsed.chain_pem,
            private_key=parsed.key_pem,
            valid_from=parsed.certificate.not_valid_before_utc,
            valid_until=parsed.certificate.not_valid_after_utc,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        # The certificate's public facts only: never the key or the password.
        audit_record(
            actor=actor,
            event_type=EventType.SIGNING_CREDENTIAL_UPLOADED,
            obj=credential,
            after={
                "org": org.name,
                "subject": credential.subject,
                "issuer": credential.issuer,
                "fingerprint": credential.fingerprint,
                "valid_until": credential.valid_until.isoformat(),
                "replaced": replaced,
            },
        )
    return credential


def trust_root_add(
    *, actor: Any, name: str, certificate_pem: str, is_demo: bool = False
) -> SigningTrustRoot:
    """Record a CA certificate the verification page trusts (the demo seed's demo CA)."""
    certificate = load_pem_certificates(certificate_pem)[0]
    with transaction.atomic():
        root, created = SigningTrustRoot.objects.get_or_create(
            fingerprint=certificate_fingerprint(certificate),
            defaults={"name": name, "certificate_pem": certificate_pem, "is_demo": is_demo},
        )
        if created:
            audit_record(
                actor=actor,
                event_type=EventType.SIGNING_TRUST_ROOT_ADDED,
                obj=root,
                after={"name": name, "fingerprint": root.fingerprint, "is_demo": is_demo},
            )
    return root
