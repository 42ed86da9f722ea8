"""Issued documents: what was issued, by whom, and the digests of the PDF that was handed out."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.documents.choices import DocumentType


def new_public_id() -> str:
    """128 random bits, URL-safe: the id printed in the QR code cannot be guessed or counted."""
    return secrets.token_urlsafe(16)


class IssuedDocument(models.Model):
    """已出具文书 — one PDF as it was issued. The file is kept in the default storage; the
    digests are of its bytes, so anyone holding a copy can check it on the verification page."""

    public_id = models.CharField(
        _("文书编号"), max_length=32, unique=True, default=new_public_id, editable=False
    )
    doc_type = models.CharField(_("文书类型"), max_length=40, choices=DocumentType.choices)
    # A generic reference: the documents layer sits below the case apps and knows no Case.
    case_number = models.CharField(_("案件编号"), max_length=64, db_index=True)
    issuer_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("出具单位"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出具人"),
    )
    # What in the case the document is of, when a case has several of its type (a 调解笔录 per
    # session: "session:12"); empty for a document of the whole case. Versions count per subject.
    subject = models.CharField(_("文书对象"), max_length=40, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256摘要"), max_length=64)
    sm3 = models.CharField(_("SM3摘要"), max_length=64)
    file_name = models.CharField(_("存储文件名"), max_length=255)
    # Only masked names (张**): the public verification page shows these and nothing more.
    masked_parties = models.JSONField(_("当事人（已脱敏）"), default=list, blank=True)

    class Meta:
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "case_number", "subject", "version"],
                name="document_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.case_number} v{self.version}"
