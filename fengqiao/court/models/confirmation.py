"""司法确认 — an application to the court to confirm a people's-mediation agreement, its
screening for false mediation, the court's decisions and the service of its ruling (docs/court.md,
"Judicial confirmation")."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import range_constraint
from fengqiao.core.validators import DISPUTE_EARLIEST_AT, STORABLE_BEFORE_AT


class ConfirmationStatus(models.TextChoices):
    """司法确认申请的状态. 待受理 → 待裁定 (受理) → 确认有效 / 驳回申请; 待受理 → 不予受理."""

    PENDING = "pending", _("待受理")
    ACCEPTED = "accepted", _("待裁定")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    CONFIRMED = "confirmed", _("确认有效")
    REJECTED = "rejected", _("驳回申请")


# An application that stands: a case has at most one at a time (a refused or rejected one may be
# followed by a new one, for example at the right court or after a new agreement).
LIVE_STATUSES = (
    ConfirmationStatus.PENDING,
    ConfirmationStatus.ACCEPTED,
    ConfirmationStatus.CONFIRMED,
)
RULED_STATUSES = (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED)
DECIDED_STATUSES = (*RULED_STATUSES, ConfirmationStatus.NOT_ACCEPTED)


class FlagCode(models.TextChoices):
    """虚假调解筛查提示 (court/screening.py gives each rule)."""

    REPEAT_APPLICANT = "repeat_applicant", _("同一申请人多次达成协议")
    SHARED_CONTACT = "shared_contact", _("双方当事人住址或电话相同")
    LARGE_NO_EVIDENCE = "large_no_evidence", _("大额协议无证据材料")
    SAME_DAY = "same_day", _("登记当日即达成协议")
    FAST_MEDIATOR = "fast_mediator", _("调解员调解成功速度异常")


class ServiceMethod(models.TextChoices):
    """送达回证的签收方式."""

    SIGNATURE_PAD = "signature_pad", _("手写板签名")
    SCANNED_RECEIPT = "scanned_receipt", _("纸质回证扫描件")


class ConfirmationAction(models.TextChoices):
    """办理记录的动作 a confirmation writes on its case's timeline (registered with
    disputes.timeline)."""

    FILE = "confirmation_file", _("申请司法确认")
    ACCEPT = "confirmation_accept", _("法院受理司法确认")
    NOT_ACCEPT = "confirmation_not_accept", _("司法确认不予受理")
    EXTEND = "confirmation_extend", _("延长司法确认审查期限")
    RULE = "confirmation_rule", _("司法确认裁定")
    SERVE = "confirmation_serve", _("送达民事裁定书")


class ConfirmationCounter(models.Model):
    """司法确认案号计数器 — the last 民特 number a court gave in a year (locked when taken, so
    numbers are gap-free under concurrent acceptance)."""

    court = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("司法确认案号计数器")
        verbose_name_plural = _("司法确认案号计数器")
        constraints = [
            models.UniqueConstraint(fields=["court", "year"], name="confirmcounter_court_year")
        ]

    def __str__(self) -> str:
        return f"{self.court_id}-{self.year}: {self.last_seq}"


class Confirmation(models.Model):
    """司法确认申请 — the parties' joint application, filed on the spot by the mediator (就地申请),
    to the court that confirms their written mediation agreement (人民调解法 art. 33)."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("案件"),
        db_index=False,  # confirmation_live_case and confirmation_case_filed lead with it
    )
    agreement = models.ForeignKey(
        "mediation.Agreement",
        on_delete=models.PROTECT,
        related_name="confirmations",
        verbose_name=_("调解协议"),
    )
    court = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="confirmations",
        verbose_name=_("受理法院"),
        db_index=False,  # every queue index leads with it
    )
    # The org that filed it (the case's handling committee) and who filed it.
    filed_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请提交单位"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    filed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    applicants = models.ManyToManyField(
        "disputes.Party", related_name="confirmations", verbose_name=_("申请人")
    )
    # The agreement took effect when the parties and the mediator signed it and the committee
    # sealed it (人民调解法 art. 29): the platform records that moment as Agreement.concluded_at.
    effective_at = models.DateTimeField(_("协议生效时间"))
    # The mediator's answers at filing: the matters 最高法 excludes from confirmation.
    involves_identity = models.BooleanField(_("涉及确认身份关系"), default=False)
    involves_adoption = models.BooleanField(_("涉及收养关系"), default=False)
    involves_marriage = models.BooleanField(_("涉及婚姻关系"), default=False)
    # The signed agreement as scanned (stored under a random name, core/uploads.py).
    scan_name = models.CharField(_("协议扫描件文件名"), max_length=255)
    scan_storage_name = models.CharField(max_length=255, unique=True, editable=False)
    scan_content_type = models.CharField(_("文件类型"), max_length=40)
    scan_sha256 = models.CharField(_("原文件SHA-256"), max_length=64)
    note = models.TextField(_("申请说明"), blank=True)

    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.PENDING,
        editable=False,
    )
    number = models.CharField(_("案号"), max_length=80, blank=True)
    # Deadlines, counted by the deadline engine (disputes/deadlines.py) when each clock starts.
    accept_due_at = models.DateTimeField(_("受理期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    rule_due_at = models.DateTimeField(_("裁定期限"), null=True, blank=True)
    extended_at = models.DateTimeField(_("延长审查期限时间"), null=True, blank=True)
    extension_approver = models.CharField(_("批准人"), max_length=100, blank=True)
    extension_reason = models.TextField(_("延长理由"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("延长登记人"),
    )
    # 不予受理 or the ruling: when, by whom, why.
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    reasons = models.TextField(_("理由"), blank=True)
    application_document = models.ForeignKey(
        "documents.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("司法确认申请书"),
    )
    decision_document = models.ForeignKey(
        "documents.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("民事裁定书/不予受理通知书"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    scope_lookups: ClassVar[dict[str, str]] = {"org": "court_id"}

    class Meta:
        verbose_name = _("司法确认申请")
        verbose_name_plural = _("司法确认申请")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="confirmation_live_case",
            ),
            # An excluded matter is refused at filing: a stored application answered no to all.
            models.CheckConstraint(
                condition=models.Q(
                    involves_identity=False, involves_adoption=False, involves_marriage=False
                ),
                name="confirmation_no_excluded_matter",
            ),
            range_constraint(
                "filed_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="confirmation_filed_at_range",
            ),
            models.UniqueConstraint(
                fields=["court", "number"],
                condition=~models.Q(number=""),
                name="confirmation_court_number",
            ),
        ]
        indexes = [
            # The judge's three queues (selectors/confirmation.py), each read in its order.
            models.Index(
                fields=["court", "accept_due_at"],
                name="confirmation_to_accept",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["court", "rule_due_at"],
                name="confirmation_to_rule",
                condition=models.Q(status="accepted"),
            ),
            models.Index(
                fields=["court", "-decided_at"],
                name="confirmation_decided",
                condition=models.Q(decided_at__isnull=False),
            ),
            models.Index(fields=["case", "-filed_at"], name="confirmation_case_filed"),
        ]
        permissions = [
            ("review_confirmation", _("司法确认：受理、审查")),
            ("rule_confirmation", _("司法确认：裁定")),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.case_id} {self.get_status_display()}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES


class ScreeningFlag(models.Model):
    """虚假调解筛查提示 — one sign of false mediation found when the application was filed, with
    its reason; the judge acknowledges each one (who, when, a note) before ruling."""

    confirmation = models.ForeignKey(
        Confirmation, on_delete=models.CASCADE, related_name="flags", verbose_name=_("申请")
    )
    code = models.CharField(_("提示"), max_length=30, choices=FlagCode.choices)
    reason = models.TextField(_("依据"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    note = models.TextField(_("审查意见"), blank=True)

    class Meta:
        verbose_name = _("虚假调解筛查提示")
        verbose_name_plural = _("虚假调解筛查提示")
        ordering = ["confirmation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["confirmation", "code"], name="flag_unique_code")
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class ServiceReceipt(models.Model):
    """送达回证 — the ruling served on a party: who served it, when, and the party's signature
    (an image drawn on a signature pad, or the signed paper receipt scanned)."""

    confirmation = models.ForeignKey(
        Confirmation, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("申请")
    )
    party = models.ForeignKey(
        "disputes.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("受送达人")
    )
    method = models.CharField(_("签收方式"), max_length=20, choices=ServiceMethod.choices)
    served_at = models.DateTimeField(_("送达时间"))
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("送达人"),
    )
    place = models.CharField(_("送达地点"), max_length=200, blank=True)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=40)
    sha256 = models.CharField(_("签名文件SHA-256"), max_length=64)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("送达回证")
        verbose_name_plural = _("送达回证")
        ordering = ["confirmation", "served_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["confirmation", "party"], name="receipt_one_per_party"),
            range_constraint(
                "served_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="receipt_served_at_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.confirmation_id} {self.party_id}"
