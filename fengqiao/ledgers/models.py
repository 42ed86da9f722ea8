from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.ledgers.choices import ExportStatus


class LedgerExport(models.Model):
    """导出任务 — a ledger too large to write while the user waits, handed to the task queue:
    the list's filters as the user chose them, and, once written, the file to download. The
    user's data scope is applied when it runs (a grant withdrawn meanwhile narrows it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ledger_exports",
        verbose_name=_("导出人"),
    )
    ledger = models.CharField(_("台帐"), max_length=40)
    title = models.CharField(_("名称"), max_length=100)
    # The list page's query string, as given (parsed again by the list's own form when run).
    params = models.JSONField(_("筛选条件"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    expected_rows = models.PositiveIntegerField(_("预计行数"), default=0)
    rows = models.PositiveIntegerField(_("导出行数"), null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=100, blank=True)
    storage_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    error = models.CharField(_("失败原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # A running export writes how far it has got every few seconds (``services.ExportProgress``):
    # the sweep fails only one whose worker has stopped writing it (``services.exports_sweep``).
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)
    progress_rows = models.PositiveIntegerField(_("已写行数"), default=0)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ledgerexport_user_recent"),
            # The sweep reads only the exports not finished (a handful among many finished).
            models.Index(
                fields=["status", "heartbeat_at"],
                condition=models.Q(status__in=["queued", "running"]),
                name="ledgerexport_pending",
            ),
        ]
        permissions = [("export_ledger", _("导出工作台帐"))]

    def __str__(self) -> str:
        return f"{self.title} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self) -> bool:
        """排队中 or 生成中: 我的导出 keeps asking after it."""
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def query_string(self) -> str:
        """The list page's filters as a query string (重新导出 sends them again)."""
        return urlencode(self.params)
