"""Reports (报表) and their files."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.reports.choices import ReportFormat, ReportKind, ReportOrigin, ReportStatus


class Report(models.Model):
    """报表 — one report of a kind, for a region and a period (both days inclusive), generated
    in the task queue into a PDF, a DOCX and an XLSX (``ReportFile``).

    One row per (kind, region, period), whether the schedule or a user asked first: asking
    again regenerates it (its files replaced, the digests before and after in the audit log).
    While queued or running, ``claim_token`` and ``claimed_at`` say which worker holds it and
    since when: a claim older than ``services.CLAIM_LEASE`` belongs to a worker that died."""

    kind = models.CharField(_("报表类型"), max_length=20, choices=ReportKind.choices)
    origin = models.CharField(
        _("生成方式"), max_length=20, choices=ReportOrigin.choices, default=ReportOrigin.ON_DEMAND
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    # Why the last generation failed, in Chinese, for whoever asks again (no personal data).
    error = models.TextField(_("失败原因"), blank=True, default="")
    # Who asked for the current generation; empty: the schedule (系统).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True, default="", editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("生成次数"), default=0)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    # Why the current generation was asked when its requester did not click for it: the
    # assessment's ranking it prints was published anew (shown on 报表中心).
    reason = models.CharField(_("生成原因"), max_length=200, blank=True, default="")
    # What the reader must know about how the report came to be (a generation day counted
    # Monday to Friday because the year's holiday schedule was missing; figures not imported).
    notes = models.TextField(_("说明"), blank=True, default="")

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region__path"}

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["-period_end", "kind", "region__path"]
        permissions = [("generate_report", _("按需生成报表"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "region", "period_start", "period_end"],
                name="report_one_per_kind_region_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_forward"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="report_status_claimed")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}—{self.period_end}"


class ReportFile(models.Model):
    """One rendering of a report (PDF, DOCX or XLSX) in the default storage, with the SHA-256 of
    its bytes; replaced in place when the report is generated again."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    fmt = models.CharField(_("格式"), max_length=10, choices=ReportFormat.choices)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256摘要"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报表文件")
        verbose_name_plural = _("报表文件")
        ordering = ["report", "fmt"]
        constraints = [
            models.UniqueConstraint(fields=["report", "fmt"], name="report_file_one_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.fmt}"
