from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import range_constraint
from fengqiao.core.validators import (
    DISPUTE_EARLIEST,
    DISPUTE_EARLIEST_AT,
    STORABLE_BEFORE,
    STORABLE_BEFORE_AT,
)
from fengqiao.disputes.choices import Satisfaction
from fengqiao.mediation.choices import (
    AgreementKind,
    ConfirmMethod,
    ConsentDecision,
    ContactMethod,
    EvidenceType,
    PerformanceStatus,
    RoomEventKind,
    RoomRole,
    RoomStatus,
    SessionMode,
)


class PartyConsent(models.Model):
    """调解意愿 — whether a party agrees to be mediated (人民调解法 art. 17: mediation may not
    proceed when a party clearly refuses). One row per party; a later statement replaces it."""

    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="consents", verbose_name=_("案件")
    )
    party = models.OneToOneField(
        "disputes.Party", on_delete=models.CASCADE, related_name="consent", verbose_name=_("当事人")
    )
    decision = models.CharField(_("意愿"), max_length=20, choices=ConsentDecision.choices)
    method = models.CharField(_("方式"), max_length=20, choices=ContactMethod.choices)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    note = models.TextField(_("备注"), blank=True)
    # 《人民法院在线调解规则》art. 4: online mediation needs the party's consent, apart from the
    # consent to be mediated at all.
    online = models.BooleanField(_("同意在线调解"), default=False)

    class Meta:
        verbose_name = _("调解意愿")
        verbose_name_plural = _("调解意愿")
        ordering = ["party__role", "party_id"]

    def __str__(self) -> str:
        return f"{self.party_id} {self.decision}"


class RightsNotice(models.Model):
    """权利义务告知书 — delivered to the parties before mediation."""

    case = models.OneToOneField(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="rights_notice",
        verbose_name=_("案件"),
    )
    delivered_at = models.DateTimeField(_("告知时间"), default=timezone.now)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("告知人"),
    )
    method = models.CharField(_("告知方式"), max_length=20, choices=ContactMethod.choices)
    acknowledged_by = models.ManyToManyField(
        "disputes.Party", related_name="+", blank=True, verbose_name=_("已签收当事人")
    )

    class Meta:
        verbose_name = _("权利义务告知书")
        verbose_name_plural = _("权利义务告知书")

    def __str__(self) -> str:
        return f"{self.case_id} 告知书"


class MediationSession(models.Model):
    """调解笔录 — one mediation session and its record."""

    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="sessions", verbose_name=_("案件")
    )
    held_at = models.DateTimeField(_("调解时间"))
    mode = models.CharField(_("调解方式"), max_length=20, choices=SessionMode.choices)
    place = models.CharField(_("调解地点"), max_length=200, blank=True)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("调解员")
    )
    attendees = models.TextField(_("参加人员"), blank=True)
    record = models.TextField(_("调解记录"))
    outcome = models.TextField(_("调解结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调解笔录")
        verbose_name_plural = _("调解笔录")
        ordering = ["held_at", "id"]
        constraints = [
            range_constraint(
                "held_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="session_held_at_range",
            )
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.held_at):%Y-%m-%d %H:%M} {self.get_mode_display()}"


class Evidence(models.Model):
    """证据材料 — a file kept in the default storage under a random name (never served
    statically). ``sha256`` is the digest of the file as it was handed in (the evidence of what
    was received); images are stored re-encoded (``fengqiao.core.uploads``), so the stored
    file's own digest is ``stored_sha256``, and ``size`` is the stored file's."""

    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="evidence", verbose_name=_("案件")
    )
    session = models.ForeignKey(
        MediationSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("调解笔录"),
    )
    title = models.CharField(_("名称"), max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=40, choices=EvidenceType.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("原文件SHA-256"), max_length=64)
    stored_sha256 = models.CharField(_("存储文件SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ExpertOpinion(models.Model):
    """专家意见 — an expert's opinion on a matter of the case."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="expert_opinions",
        verbose_name=_("案件"),
    )
    expert = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("专家")
    )
    field = models.CharField(_("专业领域"), max_length=100)
    opinion = models.TextField(_("专家意见"))
    given_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("专家意见")
        verbose_name_plural = _("专家意见")
        ordering = ["given_at", "id"]
        constraints = [
            range_constraint(
                "given_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="opinion_given_at_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.field}"


# --- How mediation ends and after: 调解协议, 调解不成, 回访 -----------------------------------


class Agreement(models.Model):
    """调解协议 — 人民调解法 art. 29 (written: parties, facts, points in dispute,
    responsibilities, terms, performance) or art. 28 (oral: content recorded)."""

    case = models.OneToOneField(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="agreement",
        verbose_name=_("案件"),
    )
    kind = models.CharField(_("形式"), max_length=10, choices=AgreementKind.choices)
    facts = models.TextField(_("纠纷主要事实"), blank=True)
    disputed_points = models.TextField(_("争议事项"), blank=True)
    responsibilities = models.TextField(_("各方当事人的责任"), blank=True)
    terms = models.TextField(_("协议内容"))
    performance_method = models.CharField(_("履行方式"), max_length=200, blank=True)
    performance_place = models.CharField(_("履行地点"), max_length=200, blank=True)
    performance_deadline = models.DateField(_("履行期限"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("达成时间"), default=timezone.now)

    class Meta:
        db_table = "disputes_agreement"  # moved from disputes, table kept (migration 0002)
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        constraints = [
            range_constraint(
                "performance_deadline",
                earliest=DISPUTE_EARLIEST,
                latest=STORABLE_BEFORE,
                name="agreement_deadline_range",
                nullable=True,
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class AgreementConfirmation(models.Model):
    """当事人确认 — a party confirmed the agreement's text on their phone, by an SMS code or a
    drawn signature. ``digest`` is the SHA-256 of the exact text they were shown
    (``confirmations.agreement_text``): once the agreement's text differs, the confirmation no
    longer counts (the pages say so). One row per party and text."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="party_confirmations",
        verbose_name=_("调解协议"),
    )
    party = models.ForeignKey(
        "disputes.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("当事人")
    )
    method = models.CharField(_("确认方式"), max_length=10, choices=ConfirmMethod.choices)
    digest = models.CharField(_("协议文本SHA-256"), max_length=64)
    confirmed_at = models.DateTimeField(_("确认时间"), default=timezone.now)
    # The drawn signature, decoded and encoded again (a PNG of at most SIGNATURE_MAX_BYTES).
    signature = models.BinaryField(_("签名图片"), null=True, blank=True, editable=False)
    client_ip = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("当事人确认")
        verbose_name_plural = _("当事人确认")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "party", "digest"], name="agreement_confirmation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.party_id} {self.get_method_display()}"


class ConfirmationInvite(models.Model):
    """请当事人确认 — a party's link to read and confirm the agreement, sent by SMS when the
    mediator asks. Only the SHA-256 of the link's token is kept; the link expires
    (``expires_at``) and serves one confirmation (``used_at``); asking again replaces it."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="confirmation_invites",
        verbose_name=_("调解协议"),
    )
    party = models.ForeignKey(
        "disputes.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("当事人")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("链接有效期至"))
    used_at = models.DateTimeField(_("链接使用时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发起人"),
    )

    class Meta:
        verbose_name = _("协议确认链接")
        verbose_name_plural = _("协议确认链接")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="confirmation_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.party_id}"


class Failure(models.Model):
    """调解不成记录 — what the parties do not dispute (无争议事实记载), kept for the court or
    the body the case goes to next, so the facts need not be proved again."""

    case = models.OneToOneField(
        "disputes.Case", on_delete=models.CASCADE, related_name="failure", verbose_name=_("案件")
    )
    undisputed_facts = models.TextField(_("无争议事实记载"))
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        db_table = "disputes_failure"  # moved from disputes, table kept (migration 0002)
        verbose_name = _("调解不成记录")
        verbose_name_plural = _("调解不成记录")

    def __str__(self) -> str:
        return f"{self.case_id} 调解不成"


class FollowUp(models.Model):
    """回访 — a visit after closing, with the parties' satisfaction (1–5)."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("案件"),
    )
    visited_at = models.DateTimeField(_("回访时间"), default=timezone.now)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    comment = models.TextField(_("回访意见"), blank=True)

    class Meta:
        db_table = "disputes_followup"  # moved from disputes, table kept (migration 0002)
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-visited_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"


# --- Fulfilment (履行): what the agreement obliges, what was done, and the certificate --------


class PerformanceItem(models.Model):
    """履行事项 — one obligation of an agreement: which party does what (and pays how much) by
    which day. ``performed_amount`` is the sum of the payments recorded against it; the item is
    履行 when it is reached (or, for an obligation without an amount, when its performance is
    recorded), 未按期履行 once a default is recorded."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="performance_items",
        verbose_name=_("案件"),
    )
    obligor = models.ForeignKey(
        "disputes.Party",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("履行义务人"),
    )
    description = models.CharField(_("履行内容"), max_length=200)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    due_date = models.DateField(_("履行期限"))
    status = models.CharField(
        _("履行状态"),
        max_length=20,
        choices=PerformanceStatus.choices,
        default=PerformanceStatus.PENDING,
    )
    performed_amount = models.DecimalField(
        _("已履行金额（元）"), max_digits=14, decimal_places=2, default=0
    )
    performed_on = models.DateField(_("履行完毕日期"), null=True, blank=True)
    # The reminder before the due day and the notice that it passed: each sent once.
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("逾期提示时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("履行事项")
        verbose_name_plural = _("履行事项")
        ordering = ["due_date", "id"]
        indexes = [
            # The reminder sweep reads the open obligations by due day, nothing else.
            models.Index(
                fields=["due_date"],
                condition=models.Q(status__in=["pending", "partial"]),
                name="performance_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="performance_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(performed_amount__gte=0),
                name="performance_performed_not_negative",
            ),
            range_constraint(
                "due_date",
                earliest=DISPUTE_EARLIEST,
                latest=STORABLE_BEFORE,
                name="performance_due_range",
            ),
            range_constraint(
                "performed_on",
                earliest=DISPUTE_EARLIEST,
                latest=STORABLE_BEFORE,
                name="performance_performed_on_range",
                nullable=True,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.description}"

    @property
    def outstanding(self) -> object:
        """What remains to be paid (``None`` for an obligation without an amount)."""
        if self.amount is None:
            return None
        return max(self.amount - self.performed_amount, 0)


class PerformanceRecord(models.Model):
    """履行记录 — a payment or act of performance on an obligation, with its proof (a
    履行凭证 kept as the case's evidence), or a recorded default with the guidance given."""

    class Kind(models.TextChoices):
        PERFORMED = "performed", _("履行")
        DEFAULT = "default", _("未按期履行")

    item = models.ForeignKey(
        PerformanceItem,
        on_delete=models.CASCADE,
        related_name="records",
        verbose_name=_("履行事项"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("本次金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    happened_on = models.DateField(_("日期"))
    proof = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("履行凭证"),
    )
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("履行记录")
        verbose_name_plural = _("履行记录")
        ordering = ["happened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="performance_record_amount_positive",
            ),
            range_constraint(
                "happened_on",
                earliest=DISPUTE_EARLIEST,
                latest=STORABLE_BEFORE,
                name="performance_record_date_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_kind_display()} {self.happened_on}"


class GuidanceRequest(models.Model):
    """业务指导请求 — a mediator's legal or policy question on a case to the 人民法庭, 派出所 or
    司法所 serving its place (seed 000 §三(二): 调解组织在调解过程中遇到政策法律问题 … 可及时向
    人民法庭、派出所和司法所咨询), answered within the admin's limit on the deadline engine
    (``due_item``, ``DueKind.GUIDANCE``) and kept on the case. ``submit_key``: the asking form's
    one-time key (a double click asks once)."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="guidance_requests",
        verbose_name=_("案件"),
    )
    asked_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="guidance_requests",
        verbose_name=_("被咨询单位"),
    )
    asking_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("咨询单位"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("咨询人"),
    )
    question = models.TextField(_("咨询问题"), max_length=2000)
    asked_at = models.DateTimeField(_("咨询时间"), default=timezone.now)
    due_at = models.DateTimeField(_("答复期限"))
    due_item = models.ForeignKey(
        "disputes.DueItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("期限"),
    )
    answer = models.TextField(_("答复意见"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    attachment = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复附件"),
    )
    submit_key = models.CharField(max_length=40, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("业务指导请求")
        verbose_name_plural = _("业务指导请求")
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["asked_org", "answered_at"], name="guidance_by_org"),
        ]

    def __str__(self) -> str:
        return self.question[:40]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.due_at


# --- 在线调解室: scheduled video rooms -----------------------------------------------------


class Room(models.Model):
    """在线调解室 — a scheduled online (video) mediation of a case: its time, who is invited
    (``RoomParticipant``), the agreement draft shown to everyone in it, and its record
    (``RoomEvent``: attendance, consent at entry, the mediator's controls, chat)."""

    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="rooms", verbose_name=_("案件")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("预计时长（分钟）"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RoomStatus.choices, default=RoomStatus.SCHEDULED
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("主持调解员"),
    )
    draft = models.TextField(_("协议草稿"), blank=True)
    created_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("在线调解室")
        verbose_name_plural = _("在线调解室")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class RoomParticipant(models.Model):
    """One person invited to a room: the host (the mediator, by the staff session), a party of
    the case or another participant (staff, an expert), each of the others by an invitation
    link whose token is kept only as its SHA-256 (``token_hash``), used once (``redeemed_at``:
    the link binds the browser that opened it), expiring (``expires_at``) and revocable."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="participants", verbose_name=_("调解室")
    )
    role = models.CharField(_("身份"), max_length=10, choices=RoomRole.choices)
    name = models.CharField(_("姓名"), max_length=100)
    party = models.ForeignKey(
        "disputes.Party",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当事人"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(_("链接有效期至"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("链接使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    consented_at = models.DateTimeField(_("同意在线调解时间"), null=True, blank=True)
    admitted_at = models.DateTimeField(_("准许进入时间"), null=True, blank=True)
    connected = models.PositiveSmallIntegerField(_("在线连接数"), default=0)

    class Meta:
        verbose_name = _("调解室参加人")
        verbose_name_plural = _("调解室参加人")
        ordering = ["room_id", "id"]

    def __str__(self) -> str:
        return f"{self.room_id} {self.name}"


class RoomEvent(models.Model):
    """The record of a room, append-only: who came and left when, the consent each saw at
    entry (its text), the mediator's admit/mute/remove/end, the chat and the draft's versions."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="events", verbose_name=_("调解室")
    )
    participant = models.ForeignKey(
        RoomParticipant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("参加人"),
    )
    kind = models.CharField(_("事项"), max_length=10, choices=RoomEventKind.choices)
    text = models.TextField(_("内容"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调解室记录")
        verbose_name_plural = _("调解室记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["room", "kind", "at"], name="room_event_kind")]

    def __str__(self) -> str:
        return f"{self.room_id} {self.kind}"
