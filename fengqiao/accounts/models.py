from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.choices import DataScope
from fengqiao.core.fields import EncryptedTextField, lookup_hash_field


class User(AbstractUser):
    """用户 — a login of the platform. Who may see what comes from its role grants."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), hash_field="phone_hash")
    phone_hash = lookup_hash_field(_("手机号检索码"))
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret = EncryptedTextField(_("动态口令密钥"))
    totp_enabled = models.BooleanField(_("启用动态口令"), default=False)
    # The time step of the last code accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step = models.BigIntegerField(_("动态口令最近使用时段"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {
        "region": "role_grants__org__region__path",
        "org": "role_grants__org_id",
        "own": "pk",
    }
    scope_distinct: ClassVar[bool] = True

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("manage_accounts", _("管理用户账户"))]

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Role(models.Model):
    """角色 — a set of permissions with a data scope (三员分立: admin roles hold no case data)."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    scope = models.CharField(_("数据范围"), max_length=10, choices=DataScope.choices)
    permissions = models.ManyToManyField(Permission, verbose_name=_("权限"), blank=True)
    is_builtin = models.BooleanField(_("内置"), default=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]
        permissions = [("manage_roles", _("管理角色与授权"))]

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """授权 — a role given to a user within an organization (the org fixes the data scope)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("用户")
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="grants", verbose_name=_("角色")
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("所在单位"),
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授权人"),
    )

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                name="rolegrant_unique_org",
                condition=models.Q(org__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                name="rolegrant_unique_no_org",
                condition=models.Q(org__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.org or '—'}"


class LoginThrottle(models.Model):
    """登录失败计数 — failed logins of one name from one address, or of one name from all.

    ``key`` is a keyed digest of the scope, the name as typed (normalised) and the address, so
    a password typed into the name field by mistake is not stored readable. Written only by
    ``accounts.lockout``, which locks the row before it counts.
    """

    class Scope(models.TextChoices):
        ADDRESS = "address", _("本地址")
        NAME = "name", _("所有地址")

    key = models.CharField(_("键"), max_length=64, unique=True)
    # The digest of the name alone: an administrator's unlock clears every row of a name.
    name_key = models.CharField(_("用户名键"), max_length=64, db_index=True)
    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    window_start = models.DateTimeField(_("计数起点"), default=timezone.now)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.scope} {self.failures}"


class PasswordReset(models.Model):
    """密码重置 — a reset under dual control (三员分立): the system admin starts it and is shown
    the first half of a one-time code, the security admin is shown the second half, and only
    the account's owner, given both, sets a new password. Only hashes of the halves are kept."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_resets", verbose_name=_("用户")
    )
    started_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发起人（系统管理员）"),
    )
    started_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    first_half_hash = models.CharField(_("第一段哈希"), max_length=255)
    second_half_hash = models.CharField(_("第二段哈希"), max_length=255, blank=True)
    revealed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("第二段生成人（安全管理员）"),
    )
    revealed_at = models.DateTimeField(_("第二段生成时间"), null=True, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("密码重置")
        verbose_name_plural = _("密码重置")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"

    def is_open(self) -> bool:
        """Neither used, cancelled nor expired."""
        return (
            self.used_at is None and self.cancelled_at is None and self.expires_at > timezone.now()
        )
