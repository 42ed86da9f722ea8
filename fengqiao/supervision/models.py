"""督办令 — an order a leader or a platform issues to an org about one late item on the board,
with a deadline and a comment, and the org's answer."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.supervision.choices import DirectiveStatus


class Directive(models.Model):
    # What it is about: a board item (its kind and id), its label and page when issued.
    kind = models.CharField(_("督办事项类型"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("事项编号"))
    subject = models.CharField(_("督办事项"), max_length=300)
    url = models.CharField(_("事项链接"), max_length=200)
    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被督办单位"),
    )
    # Copied from the org: the data scope reads it.
    region_path = models.CharField(_("区划路径"), max_length=105, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办人"),
    )
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    comment = models.TextField(_("督办意见"))
    due_at = models.DateTimeField(_("反馈时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DirectiveStatus.choices, default=DirectiveStatus.OPEN
    )
    answer = models.TextField(_("反馈情况"), blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    overdue_notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region_path", "org": "org_id"}
    scope_distinct = False

    class Meta:
        verbose_name = _("督办令")
        verbose_name_plural = _("督办令")
        permissions = [("oversee", _("查看督办台并下达督办令"))]
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", overdue_notified_at__isnull=True),
                name="directive_open_due",
            ),
            models.Index(fields=["org", "status"], name="directive_org_status"),
        ]
        constraints = [
            # A double-clicked 督办 issues one order.
            models.UniqueConstraint(
                fields=["kind", "object_id", "org"],
                condition=Q(status="open"),
                name="directive_one_open_per_item",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        """Orders to an org the user works at."""
        return Q(org_id__in=org_ids)

    @property
    def late(self) -> bool:
        if self.answered_at is not None:
            return self.answered_at > self.due_at
        return timezone.now() > self.due_at
