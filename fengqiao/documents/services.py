"""Issuing a document: render it, digest it, keep the PDF and the record, audit it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.crypto import sm3_hex
from fengqiao.core.masking import mask_name
from fengqiao.documents.choices import TEMPLATES, DocumentType
from fengqiao.documents.models import IssuedDocument, new_public_id
from fengqiao.documents.render import html_to_pdf, qr_data_uri, render_html
from fengqiao.orgs.models import Organization

STORAGE_DIR = "documents"


def verify_url(public_id: str) -> str:
    """The address printed in a document's QR code: absolute when ``FENGQIAO_PUBLIC_URL`` says
    where the platform is reached from outside, else the path."""
    path = reverse("documents:verify", args=[public_id])
    base = str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "").rstrip("/")
    return base + path


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
    """Render ``doc_type``'s template with ``context`` to a PDF carrying its verification QR
    code, store the PDF and record it as the next version for ``case_number`` (and
    ``subject``, when the case has several documents of the type: one 调解笔录 per session)."""
    public_id = new_public_id()
    with transaction.atomic():
        latest = IssuedDocument.objects.filter(
            doc_type=doc_type, case_number=case_number, subject=subject
        )
        version = (latest.aggregate(v=Max("version"))["v"] or 0) + 1
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
        pdf = html_to_pdf(page)
        file_name = default_storage.save(f"{STORAGE_DIR}/{public_id}.pdf", ContentFile(pdf))
        # The file is written before its row: if the row or its audit event fails, the file
        # goes too (no stored PDF without its record).
        try:
            with transaction.atomic():
                document = IssuedDocument.objects.create(
                    public_id=public_id,
                    doc_type=doc_type,
                    case_number=case_number,
                    subject=subject,
                    issuer_org=issuer_org,
                    issued_by=actor if getattr(actor, "pk", None) else None,
                    version=version,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    sm3=sm3_hex(pdf),
                    file_name=file_name,
                    masked_parties=[mask_name(name) for name in party_names],
                )
                audit_record(
                    actor=actor,
                    event_type=EventType.DOCUMENT_ISSUED,
                    obj=document,
                    after={
                        "doc_type": str(doc_type),
                        "case_number": case_number,
                        "version": version,
                        "sha256": document.sha256,
                        "sm3": document.sm3,
                    },
                )
        except BaseException:
            default_storage.delete(file_name)
            raise
    return document


def document_pdf(document: IssuedDocument) -> bytes:
    """The stored PDF's bytes."""
    with default_storage.open(document.file_name, "rb") as stored:
        return bytes(stored.read())
