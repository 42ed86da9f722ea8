"""Issued documents (what was issued, by whom, the digests of the PDF that was handed out) and
the signing credentials and trust roots their digital signatures rest on."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.models import range_constraint
from fengqiao.core.validators import DISPUTE_EARLIEST_AT, STORABLE_BEFORE_AT
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
    # The credential whose key signed the PDF (empty: a type issued without a signature).
    signed_with = models.ForeignKey(
        "SigningCredential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签名证书"),
    )
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "case_number", "subject", "version"],
                name="document_version_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_with__isnull=True, signed_at__isnull=True)
                | models.Q(signed_with__isnull=False, signed_at__isnull=False),
                name="document_signed_with_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.case_number} v{self.version}"


class SigningCredential(models.Model):
    """签名证书 — an organisation's certificate and private key for signing the documents it
    issues (courts and mediation committees).

    The private key is held as PKCS#8 PEM inside an ``EncryptedTextField``: the column holds
    only SM4-GCM ciphertext under the platform's data key (``core.crypto``; rotated with the
    other encrypted fields by ``manage.py rotate_data_key``). The PKCS#12 password it was
    uploaded with is never stored. One credential per org is active (a DB constraint); an
    upload replaces the active one, which stays on record for the documents it signed."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    subject = models.CharField(_("证书主体"), max_length=255)
    issuer = models.CharField(_("颁发者"), max_length=255)
    serial_number = models.CharField(_("证书序列号"), max_length=64)
    fingerprint = models.CharField(_("证书SHA-256指纹"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("签名证书（PEM）"))
    # The issuing CA's certificates, for validators that do not have them (PEM, may be empty).
    chain_pem = models.TextField(_("证书链（PEM）"), blank=True, default="")
    private_key = EncryptedTextField(_("私钥（加密存储）"))
    valid_from = models.DateTimeField(_("有效期起"))
    valid_until = models.DateTimeField(_("有效期至"))
    is_active = models.BooleanField(_("在用"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签名证书")
        verbose_name_plural = _("签名证书")
        ordering = ["org", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=models.Q(is_active=True),
                name="signing_credential_one_active_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="signing_credential_validity_ordered",
            ),
            range_constraint(
                "valid_from",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="signing_credential_valid_from_range",
            ),
            range_constraint(
                "valid_until",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="signing_credential_valid_until_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}（{self.fingerprint[:16]}）"


class SigningTrustRoot(models.Model):
    """签名信任根证书 — a CA certificate the verification page trusts for signatures, beside the
    files named by ``FENGQIAO_SIGNING_TRUST_ROOTS``. Only the demo seed writes one (its fictional
    demo CA, ``is_demo``); anyone may download it from the verification page to add it to a PDF
    reader's trusted certificates."""

    name = models.CharField(_("名称"), max_length=100)
    certificate_pem = models.TextField(_("证书（PEM）"))
    fingerprint = models.CharField(_("证书SHA-256指纹"), max_length=64, unique=True)
    is_demo = models.BooleanField(_("演示用"), default=False)
    added_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签名信任根证书")
        verbose_name_plural = _("签名信任根证书")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.name
