"""The rollups the dashboards, assessment and reports read (DESIGN §6: statistics read rollup
tables kept current from timeline events, never full scans of the cases).

Each case has one ``CaseFact``: what the measures need to know about it, in one row. The
rollups are sums of the facts' contributions (``stats.rollups.contributions``): a case's
intake counts on the day it was registered, everything that follows registration (outcome,
level, days, confirmation, performance, satisfaction) on the day it was concluded — so every
rate compares the cases concluded in a period with each other. When a case changes, its fact is
computed again and the rollups move by the difference between the old and the new
contributions (``stats.services.rollups_refresh``).

The keys hold plain integers, not foreign keys: a rollup row outlives nothing and is never
joined for display, and ``0`` for "no org" lets the upsert's conflict target work on both
databases (NULL never conflicts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, RiskGrade
from fengqiao.stats.choices import ExternalIndicator, Outcome

# The measure columns, in the order every rollup table holds them (rollups.py adds them up).
MEASURES = (
    "intake",
    "intake_group",
    "intake_major",
    "resolved",
    "failed",
    "referred",
    "withdrawn",
    "level_village",
    "level_township",
    "level_county",
    "overdue",
    "criminal_transfer",
    "confirmed",
    "performed",
    "defaulted",
    "rated",
    "satisfied",
    "days_sum",
)


class CaseFact(models.Model):
    """统计口径 — one case as the measures see it (rebuilt from the case, never edited)."""

    case = models.OneToOneField(
        "disputes.Case", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The statistical unit: the village (a grid's village), else the case's own region.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=105)
    township_path = models.CharField(max_length=105)
    county_path = models.CharField(max_length=105)
    org_id_value = models.PositiveIntegerField(default=0)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    category = models.CharField(max_length=30, choices=DisputeCategory.choices)
    channel = models.CharField(max_length=20, choices=IntakeChannel.choices)
    grade = models.CharField(max_length=10, choices=RiskGrade.choices, blank=True)
    registered_on = models.DateField()
    concluded_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    resolved_level = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    group = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    criminal_transfer = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=False)
    performed = models.BooleanField(default=False)
    defaulted = models.BooleanField(default=False)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("案件统计口径")
        verbose_name_plural = _("案件统计口径")
        permissions = [("view_statistics", "查看统计分析")]
        indexes = [
            # A mediator's figures (mediator_figures): their cases concluded in a period.
            models.Index(
                fields=["handler", "concluded_on"],
                name="casefact_handler_concluded",
                condition=models.Q(concluded_on__isnull=False),
            ),
            # An org's people on the dashboard (measures.org_people): its cases registered or
            # concluded in a period.
            models.Index(fields=["org_id_value", "registered_on"], name="casefact_org_registered"),
            models.Index(
                fields=["org_id_value", "concluded_on"],
                name="casefact_org_concluded",
                condition=models.Q(concluded_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}"


class Counts(models.Model):
    """The measure columns of a rollup row (see ``MEASURES``)."""

    intake = models.IntegerField(default=0)
    intake_group = models.IntegerField(default=0)
    intake_major = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    referred = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    level_village = models.IntegerField(default=0)
    level_township = models.IntegerField(default=0)
    level_county = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    criminal_transfer = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)
    performed = models.IntegerField(default=0)
    defaulted = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    days_sum = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyCount(Counts):
    """日汇总 — per day, statistical unit (village), org, category, channel and grade: what a
    township's or village's drill-down reads."""

    day = models.DateField()
    path = models.CharField(max_length=105)
    org_id_value = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=30)
    channel = models.CharField(max_length=20)
    grade = models.CharField(max_length=10, blank=True)
    # The unit's township and county (themselves for a case registered at that level): a county's
    # or a township's days are one index range each, where a prefix of ``path`` would read every
    # day of the region before keeping the period's.
    township_path = models.CharField(max_length=105)
    county_path = models.CharField(max_length=105)

    class Meta:
        verbose_name = _("日汇总")
        verbose_name_plural = _("日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "day", "org_id_value", "category", "channel", "grade"],
                name="dailycount_key",
            )
        ]
        indexes = [
            models.Index(fields=["county_path", "day"], name="dailycount_county_day"),
            models.Index(fields=["township_path", "day"], name="dailycount_township_day"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.day}"


class DailyTotal(Counts):
    """日合计 — the daily rollup's totals per day and township (or the county, for cases
    registered at county level): a township's or county's day and week trend reads one row per
    township and day, not every unit, org, category, channel and grade of it."""

    day = models.DateField()
    path = models.CharField(max_length=105)

    class Meta:
        verbose_name = _("日合计")
        verbose_name_plural = _("日合计")
        constraints = [models.UniqueConstraint(fields=["path", "day"], name="dailytotal_key")]

    def __str__(self) -> str:
        return f"{self.path} {self.day}"


class MonthlyCount(Counts):
    """月汇总 — per month and township (or the county, for cases registered at county level):
    one row of totals (``dim`` empty) and one row per category, channel, grade, statistical
    unit and org seen, so a county's or a township's year — its villages and orgs included — is
    read from a few thousand rows whatever it holds (the daily rollup keeps the full key for
    the days at either end of a period and for a village's own page)."""

    month = models.DateField()
    path = models.CharField(max_length=105)
    # "" (the totals), "category", "channel", "grade", "unit" (``value``: the unit's path) or
    # "org" (``value``: the org's id, "0" for none); ``value`` is that field's value.
    dim = models.CharField(max_length=10, blank=True)
    value = models.CharField(max_length=105, blank=True)

    class Meta:
        verbose_name = _("月汇总")
        verbose_name_plural = _("月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "month", "dim", "value"],
                name="monthlycount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.month} {self.dim}={self.value}"


class DurationCount(models.Model):
    """办结用时分布 — resolved cases per day of conclusion, statistical unit, org and days taken:
    the median and the 90th percentile are read off this histogram, exactly."""

    day = models.DateField()
    path = models.CharField(max_length=105)
    org_id_value = models.PositiveIntegerField(default=0)
    days = models.PositiveIntegerField()
    cases = models.IntegerField(default=0)
    township_path = models.CharField(max_length=105)
    county_path = models.CharField(max_length=105)

    class Meta:
        verbose_name = _("办结用时分布")
        verbose_name_plural = _("办结用时分布")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "day", "org_id_value", "days"], name="durationcount_key"
            )
        ]
        indexes = [
            models.Index(fields=["county_path", "day"], name="durationcount_county_day"),
            models.Index(fields=["township_path", "day"], name="durationcount_township_day"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.day} {self.days}"


class MonthlyDuration(models.Model):
    """月办结用时分布 — the histogram of ``DurationCount`` per month and township (or county, as
    ``MonthlyCount``): a year's median is read from a few hundred rows per township."""

    month = models.DateField()
    path = models.CharField(max_length=105)
    days = models.PositiveIntegerField()
    cases = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("月办结用时分布")
        verbose_name_plural = _("月办结用时分布")
        constraints = [
            models.UniqueConstraint(fields=["path", "month", "days"], name="monthlyduration_key")
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.month} {self.days}"


class PendingFact(models.Model):
    """待计入 — a case whose fact must be computed again: written with each of its timeline
    entries, in the entry's transaction, and taken by ``rollups_refresh``. Rows that stay here
    are shown on the dashboards as figures not yet counted."""

    case_id_value = models.PositiveIntegerField(_("案件"), primary_key=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("待计入案件")
        verbose_name_plural = _("待计入案件")

    def __str__(self) -> str:
        return f"{self.case_id_value}"


class ExternalFigure(models.Model):
    """外部指标数据 — a figure from outside the platform (court filings, 公安 and 司法行政
    statistics) for one region and period, with where it came from and who imported it."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划")
    )
    indicator = models.CharField(_("指标"), max_length=40, choices=ExternalIndicator.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("外部指标数据")
        verbose_name_plural = _("外部指标数据")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "indicator", "period_start", "period_end"],
                name="externalfigure_key",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="externalfigure_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="externalfigure_value_ge0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.indicator} {self.period_start}–{self.period_end}"
