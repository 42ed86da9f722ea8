"""Reference data the admin edits: the routing rules (属地 / 属事), the deadline limits and the
working-day calendar (日历调整, 节假日安排)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.core.models import range_constraint
from fengqiao.core.validators import DISPUTE_EARLIEST, STORABLE_BEFORE
from fengqiao.disputes.choices import (
    DueKind,
    HandlingLevel,
    RiskGrade,
)


class CalendarOverride(models.Model):
    """日历调整 — a day whose working status the admin sets by hand: for years the calendar
    package does not know yet, or a local holiday."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]
        constraints = [
            range_constraint(
                "day",
                earliest=DISPUTE_EARLIEST,
                latest=STORABLE_BEFORE,
                name="override_day_range",
            )
        ]

    def __str__(self) -> str:
        if self.is_workday:
            return _("%(day)s 班") % {"day": self.day}
        return _("%(day)s 休") % {"day": self.day}


class HolidaySchedule(models.Model):
    """节假日安排 — one year's State Council notice (国务院办公厅关于××年部分节假日安排的通知):
    its holiday ranges and its 调休 working days, with the notice's number. The deadline engine
    reads it before the ``chinese_calendar`` package. Written only by
    ``holidays.holiday_schedule_import`` (admin or ``manage.py import_holidays``), which
    validates it (``holidays.parse_schedule``: every day inside the year, no overlaps)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(_("通知文号"), max_length=100)
    # [{"name": "春节", "start": "2027-02-05", "end": "2027-02-12"}, …], in date order.
    holidays = models.JSONField(_("放假安排"), default=list)
    # [{"date": "2027-02-13", "name": "春节"}, …]: weekend days that are working days.
    workdays = models.JSONField(_("调休上班日"), default=list)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.notice}"


# --- Routing rules (属地 / 属事); defaults in ``routing.ROUTING_DEFAULTS`` ---------------------


class TerritoryRule(models.Model):
    """属地规则 — the lowest level that may handle a case of a risk grade (低→村, 中→乡镇,
    高/重大→区县): orgs below it are not recommended."""

    grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices, unique=True)
    min_level = models.PositiveSmallIntegerField(_("最低承办层级"), choices=HandlingLevel.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("属地规则")
        verbose_name_plural = _("属地规则")
        ordering = ["-min_level", "grade"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} → {self.get_min_level_display()}"


class SubjectRule(models.Model):
    """属事规则 — an org kind that handles a dispute category (医疗 → 行业性专业性调委会).

    With ``requires_declared`` the org must also list the category among its 受理类别
    (``OrgCategory``): an industry committee handles only its own industry."""

    category = models.CharField(_("纠纷类别"), max_length=30, choices=DisputeCategory.choices)
    kind = models.ForeignKey(
        "orgs.OrgKind", on_delete=models.CASCADE, related_name="+", verbose_name=_("单位类型")
    )
    requires_declared = models.BooleanField(
        _("须登记受理该类别"),
        default=True,
        help_text=_("勾选时，单位须在“受理类别”中登记该纠纷类别才算属事对口。"),
    )
    weight = models.PositiveSmallIntegerField(
        _("权重"), default=60, help_text=_("越大越优先；属地的村级调委会为30。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("属事规则")
        verbose_name_plural = _("属事规则")
        ordering = ["category", "-weight"]
        constraints = [
            models.UniqueConstraint(fields=["category", "kind"], name="subjectrule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.kind}"


class DeadlineLimit(models.Model):
    """时限标准 — working days a dispatched case allows, per handling level and risk grade: to
    accept it (受理时限, from dispatch) and to report its result to the dispatching platform
    (反馈时限, from acceptance); and for a 人民法庭, 派出所 or 司法所 at that level to answer a
    mediator's 业务指导 request (业务指导答复期限, from the question, migration 0021). Migration
    0007 loaded the defaults; a level and grade whose row
    was deleted uses ``deadlines.LIMIT_DEFAULTS`` and the 交办 form warns the dispatcher."""

    kind = models.CharField(
        _("时限"),
        max_length=20,
        choices=[(DueKind.ACCEPT.value, DueKind.ACCEPT.label),
                 (DueKind.FEEDBACK.value, DueKind.FEEDBACK.label),
                 (DueKind.GUIDANCE.value, DueKind.GUIDANCE.label)],
    )  # fmt: skip
    level = models.PositiveSmallIntegerField(_("承办层级"), choices=HandlingLevel.choices)
    grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices)
    working_days = models.PositiveSmallIntegerField(
        _("工作日"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("时限标准")
        verbose_name_plural = _("时限标准")
        ordering = ["kind", "-level", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "level", "grade"], name="deadlinelimit_unique")
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.get_level_display()} {self.get_grade_display()}: "
            f"{self.working_days}"
        )
