from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """API 密钥 — the credential of a system that calls the API (a 12345 hotline, a court or
    police system). It acts as ``user``: that user's roles and data scope apply to every call,
    and ``scopes`` narrow what the key may do on top of them.

    The token ``fq_<prefix>_<secret>`` is shown once, when the key is created; only the prefix
    (to find the row) and the SM3 digest of the token (to check it) are kept.
    """

    name = models.CharField(_("名称"), max_length=100)
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("所属单位"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("代理用户"),
    )
    scopes = models.JSONField(_("权限范围"), default=list)
    rate_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"),
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("超过后接口返回 429，并在 Retry-After 中给出需等待的秒数。"),
    )
    prefix = models.CharField(_("密钥前缀"), max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_per_minute__gte=1, rate_per_minute__lte=100_000),
                name="apikey_rate_in_range",
            )
        ]
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (fq_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """幂等记录 — the first answer to a request sent with an ``Idempotency-Key``; a retry with
    the same key from the same API key gets this answer instead of registering a second case.
    Written in the registration's transaction, so a record exists exactly when its case does.
    """

    api_key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, related_name="+", verbose_name=_("API 密钥")
    )
    key = models.CharField(_("幂等键"), max_length=100)
    # SM3 of the validated request: the same key with a different request is refused.
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("案件")
    )
    response = models.JSONField(_("首次响应"), default=dict)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key")
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key}"
