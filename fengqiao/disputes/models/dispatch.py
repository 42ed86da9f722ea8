"""交办单, 期限 and 督办单: how a case is sent to an org and held to its limits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.disputes.choices import (
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    PeriodUnit,
)


class DispatchOrder(models.Model):
    """交办单 — an order from a platform to an org to handle a case, with an acceptance limit."""

    case = models.ForeignKey(
        "disputes.Case", on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("案件")
    )
    from_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("交办平台")
    )
    to_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="dispatch_orders",
        verbose_name=_("承办单位"),
        db_index=False,  # dispatch_inbox leads with it
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=DispatchRole.choices, default=DispatchRole.SOLE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    suggested_mediator = models.ForeignKey(
        "orgs.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议调解员"),
    )
    task = models.TextField(_("任务要求"), blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("交办人"),
    )
    dispatched_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    accept_by = models.DateTimeField(_("受理期限"))
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # Who accepted or returned it: the handler when this org becomes the lead later (a lead that
    # returns hands the case to the first org that accepted), and the double-click check.
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("交办单")
        verbose_name_plural = _("交办单")
        ordering = ["-dispatched_at"]
        indexes = [
            models.Index(fields=["to_org", "status"], name="dispatch_inbox"),
        ]
        constraints = [
            # One live order per org per case: a double-click cannot dispatch twice.
            models.UniqueConstraint(
                fields=["case", "to_org"],
                name="dispatch_one_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_org_id}"


class DueItem(models.Model):
    """到期事项 — a deadline on a case. The sweep reads only open items that are due, through a
    partial index, so its cost grows with what is due, not with what is open."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="due_items",
        verbose_name=_("案件"),
        db_index=False,  # due_case_kind leads with it
    )
    kind = models.CharField(_("类型"), max_length=20, choices=DueKind.choices)
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    dispatch = models.ForeignKey(
        DispatchOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="due_items"
    )
    due_at = models.DateTimeField(_("到期时间"))
    # How ``due_at`` was counted, so it can be counted again when the holiday calendar changes
    # (deadlines.due_at_of): the period from ``started_at``, then each move in order —
    # {"suspended": seconds} on resumption, {"extended": days} on extension. Empty for an item
    # whose start could not be found when periods began to be recorded.
    started_at = models.DateTimeField(_("起算时间"), null=True, blank=True)
    period_unit = models.CharField(
        _("期间单位"), max_length=20, choices=PeriodUnit.choices, blank=True
    )
    period_amount = models.PositiveIntegerField(_("期间"), null=True, blank=True)
    moves = models.JSONField(_("中止与延期"), default=list, blank=True)
    # The category or court clock it runs as (clocks.CLOCKS: what happens at expiry, the
    # source); empty for the acceptance and feedback limits.
    clock = models.CharField(_("时钟"), max_length=30, blank=True)
    # When the sweep must next look at this item (reminder, then 督办); empty when nothing is
    # left to do or while the clock is paused.
    next_check_at = models.DateTimeField(_("下次检查"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DueStatus.choices, default=DueStatus.OPEN
    )
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已催办"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("已督办"), null=True, blank=True)
    # A feedback limit (反馈时限) that passes is reported to the dispatching platform instead.
    reported_at = models.DateTimeField(_("已报告上级"), null=True, blank=True)

    class Meta:
        verbose_name = _("到期事项")
        verbose_name_plural = _("到期事项")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="due_next_check",
                condition=models.Q(status="open", next_check_at__isnull=False),
            ),
            models.Index(fields=["case", "kind"], name="due_case_kind"),
            # 将到期 / 已超期 (queues.py): running deadlines by due time.
            models.Index(
                fields=["due_at"],
                name="due_running_at",
                condition=models.Q(status="open", paused_at__isnull=True),
            ),
            # The 督办 board (supervision/selectors.py): an org's running deadlines past due,
            # one index range per org of the overseen region.
            models.Index(
                fields=["org", "kind", "due_at"],
                name="due_org_running",
                condition=models.Q(status="open", paused_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_at:%Y-%m-%d}"


class SupervisionOrder(models.Model):
    """督办单 — issued when a deadline passes; visible to the platform one level up."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="supervisions",
        verbose_name=_("案件"),
    )
    due_item = models.OneToOneField(DueItem, on_delete=models.CASCADE, related_name="supervision")
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被督办单位"),
    )
    upper_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办平台"),
    )
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    reason = models.TextField(_("督办事由"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["issued_at"], name="supervision_issued")]

    def __str__(self) -> str:
        return f"{self.case_id} 督办"
