from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField
from fengqiao.notify.choices import (
    Channel,
    DeliveryStatus,
    NotificationKind,
    PartyStep,
    RobotProvider,
)


class Notification(models.Model):
    """站内消息 — one message to one user; delivered in-app at once, and through the outbox
    (``Delivery``) by SMS, email and group robots: a worker turns each row not yet fanned out
    (``fanned_out_at`` empty, a partial index) into its deliveries (docs/notifications.md)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Empty until a worker has written this message's outbox rows (SMS, email, robots) in the
    # same transaction that sets it; the writers of this table leave it empty (an INSERT that
    # does not name it, too), so a message committed is a message the outbox will see.
    fanned_out_at = models.DateTimeField(_("已分发时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # The fan-out's queue: only the rows still to fan out are in it.
            models.Index(
                fields=["id"],
                name="notification_fanout_due",
                condition=models.Q(fanned_out_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class Delivery(models.Model):
    """发送记录 — the outbox: one message to send on one channel to one address (a phone, a
    mailbox, a group robot). Written by the fan-out in a transaction, sent by a worker outside
    any transaction. ``next_attempt_at`` is when the row is next due: for a pending row the
    time of its next try (backoff), for a row a worker holds the end of its lease — so a worker
    that dies holding it lets it fall due again, and one partial index serves both."""

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("消息"),
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    robot = models.ForeignKey(
        "RobotWebhook",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("工作群机器人"),
    )
    # The phone number or mailbox, encrypted; a robot's address is its own (encrypted) URL.
    address = EncryptedTextField(_("地址"))
    # The address as pages and logs show it (``138****5678``).
    address_masked = models.CharField(_("地址（脱敏）"), max_length=100, blank=True, default="")
    subject = models.CharField(_("主题"), max_length=200, blank=True, default="")
    text = models.TextField(_("内容"))
    # One robot message per event and group, however many of its members the event reached;
    # and the idempotency key a provider is given, the same on every try.
    dedupe_key = models.CharField(_("去重键"), max_length=64, unique=True)
    template_error = models.CharField(_("模板错误"), max_length=300, blank=True, default="")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claim_token = models.CharField(_("领取令牌"), max_length=32, blank=True, default="")
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The drain's queue, healthchecks' Flip-style: only undelivered rows are in it.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=UNDELIVERED),
            ),
            models.Index(
                fields=["-created_at"],
                name="delivery_dead",
                condition=models.Q(status=DeliveryStatus.DEAD),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address_masked}"


def default_robot_kinds() -> list[str]:
    return list(ROBOT_DEFAULT_KINDS)


ROBOT_DEFAULT_KINDS = (
    NotificationKind.ASSIGNMENT,
    NotificationKind.WARNING,
    NotificationKind.SUPERVISION,
    NotificationKind.EMERGENCY,
    NotificationKind.ALARM,
    NotificationKind.OVERDUE,
)


class RobotWebhook(models.Model):
    """工作群机器人 — an org's 企业微信/钉钉/飞书 group robot: the notices of the kinds chosen
    for the org (and, when ``covers_region``, for every org in its region, as a township's
    综治中心 for its villages) are posted to the group, without personal data."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="robots",
        verbose_name=_("单位"),
    )
    name = models.CharField(_("名称"), max_length=50)
    provider = models.CharField(_("平台"), max_length=10, choices=RobotProvider.choices)
    url = EncryptedTextField(_("Webhook 地址"))
    secret = EncryptedTextField(_("签名密钥"))
    covers_region = models.BooleanField(
        _("含辖区内单位"),
        default=True,
        help_text=_("勾选后，本单位所在区划内各单位的消息也发到此群"),
    )
    markdown = models.BooleanField(_("Markdown 格式"), default=False)
    kinds = models.JSONField(_("发送的消息类型"), default=default_robot_kinds)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工作群机器人")
        verbose_name_plural = _("工作群机器人")
        ordering = ["org_id", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_provider_display()}）"


class MessageTemplate(models.Model):
    """消息模板 — the words of one kind of message on one channel, a Django template an
    administrator edits; a template that fails falls back to the built-in text and the error
    is shown on the delivery (``Delivery.template_error``) and in the log."""

    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("模板"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="message_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


class ChannelPreference(models.Model):
    """通知偏好 — whether one kind of message goes by SMS or email, for one user or, as the
    default of its people, for one org. A user's own choice wins over their orgs', theirs
    over the built-in defaults (``fengqiao.notify.preferences``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_preferences",
        verbose_name=_("用户"),
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_preferences",
        verbose_name=_("单位"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(
        _("渠道"),
        max_length=10,
        choices=[(c.value, c.label) for c in (Channel.SMS, Channel.EMAIL)],
    )
    enabled = models.BooleanField(_("发送"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, org__isnull=True)
                | models.Q(user__isnull=True, org__isnull=False),
                name="channel_preference_user_xor_org",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "channel"],
                condition=models.Q(user__isnull=False),
                name="channel_preference_user_unique",
            ),
            models.UniqueConstraint(
                fields=["org", "kind", "channel"],
                condition=models.Q(org__isnull=False),
                name="channel_preference_org_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


class VerificationCode(models.Model):
    """短信验证码 — a 6-digit code sent to a phone for one purpose (and scope, e.g. a case
    number). Neither the phone nor the code is stored: only the phone's lookup hash (the one
    ``Party.phone_hash`` holds) and a keyed hash of the code. At most one code is live per
    (phone, purpose, scope): a new one ends the previous one (``fengqiao.notify.codes``)."""

    phone_hash = models.CharField(_("电话检索码"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=20)
    scope = models.CharField(_("范围"), max_length=64, blank=True, default="")
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    failures = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    # Still usable: not used, not killed by wrong tries, not replaced by a newer code.
    live = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash", "purpose", "scope"],
                condition=models.Q(live=True),
                name="verification_code_one_live",
            ),
        ]
        indexes = [
            # The day's count per phone, and the purge of old rows.
            models.Index(fields=["phone_hash", "created_at"], name="verification_code_phone"),
            models.Index(fields=["created_at"], name="verification_code_created"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class PartyMessageTemplate(models.Model):
    """当事人短信模板 — the words of the SMS a party is told one step of their case by (登记,
    受理, 调解安排 …), a Django template an administrator edits; without a row (or with it
    switched off) the built-in text goes. A template that fails at send time falls back to the
    built-in text, with the error on the delivery (``Delivery.template_error``) and in the log
    (``fengqiao.notify.party_texts``)."""

    step = models.CharField(_("环节"), max_length=20, choices=PartyStep.choices, unique=True)
    text = models.TextField(_("模板"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("当事人短信模板")
        verbose_name_plural = _("当事人短信模板")
        ordering = ["step"]

    def __str__(self) -> str:
        return str(self.get_step_display())
