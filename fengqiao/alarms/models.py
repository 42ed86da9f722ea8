"""报警直通: an alarm raised from a court, 司法所 or mediation room, the police station it went
to, the station's response log, and the admin-editable routes that override the default
routing (``routing``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.alarms.choices import ActionKind, AlarmStatus


class Alarm(models.Model):
    """报警 — one alarm: where (the caller's org, its region and address, what the caller typed),
    which case if raised from a case page, who and when; the station it was sent to; when it
    was acknowledged, escalated and closed."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报警单位"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    address = models.CharField(_("单位地址"), max_length=200, blank=True)
    location = models.CharField(_("具体位置"), max_length=100, blank=True)
    note = models.CharField(_("情况"), max_length=200, blank=True)
    # Not named ``case``: the audit log would then name every alarm by a case it may not have.
    from_case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联案件"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报警人"),
    )
    raised_at = models.DateTimeField(_("报警时间"), default=timezone.now)
    # The submit's one-time key: the same form sent twice (a double tap) raises one alarm.
    token = models.CharField(_("提交标识"), max_length=32)
    station = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接警单位"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    # Set while the alarm waits for its acknowledgement; cleared when acknowledged or
    # escalated, so the sweep reads only the due rows (partial index below).
    escalate_at = models.DateTimeField(_("超时上报时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已上报时间"), null=True, blank=True)
    escalated_to = models.ManyToManyField(
        "orgs.Organization", blank=True, related_name="+", verbose_name=_("上报单位")
    )
    acknowledged_at = models.DateTimeField(_("确认出警时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    closed_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    summary = models.TextField(_("处置结果"), blank=True)

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["raised_by", "token"], name="alarm_one_per_submit"),
        ]
        indexes = [
            models.Index(
                fields=["escalate_at"],
                name="alarm_escalation_due",
                condition=Q(escalate_at__isnull=False),
            ),
            models.Index(fields=["station", "-raised_at"], name="alarm_station"),
            models.Index(fields=["org", "-raised_at"], name="alarm_org"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == AlarmStatus.OPEN


class AlarmAction(models.Model):
    """出警记录 — one line of the response: who did what, when."""

    alarm = models.ForeignKey(
        Alarm, on_delete=models.CASCADE, related_name="actions", verbose_name=_("报警")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ActionKind.choices)
    text = models.CharField(_("内容"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("出警记录")
        verbose_name_plural = _("出警记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%H:%M}"


class AlarmRoute(models.Model):
    """报警路由 — the station an org's alarms go to when the default rule (the 派出所 of the
    org's township, ``routing``) does not fit: a county-level court, or a place a station of
    another township covers. Edited in the admin."""

    place = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("报警单位"),
    )
    station = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接警单位"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报警路由")
        verbose_name_plural = _("报警路由")

    def __str__(self) -> str:
        return f"{self.place} → {self.station}"
