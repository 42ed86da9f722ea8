"""考核方案 and 考核排名: a county's scheme per year (its indicators, weights and scoring rules)
and the rankings it has published. Scores themselves are computed from the measures when asked
(``assessment.selectors``); only a published ranking is stored, with every input it used, so a
later correction to a case does not change what was published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.assessment.choices import MEASURE_KEYS, Direction, Level, PeriodKind, Rule
from fengqiao.stats.measures import LABELS

MEASURE_CHOICES = [(key, LABELS[key]) for key in MEASURE_KEYS]


class Scheme(models.Model):
    """考核方案 — one per county and year."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="assessment_scheme_key"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2099), name="assessment_scheme_year"
            ),
        ]
        permissions = [
            ("view_ranking", "查看考核排名"),
            ("manage_scheme", "维护考核方案"),
            ("publish_ranking", "发布考核排名"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """考核指标 — one measure, its weight (分值), direction and scoring rule, for townships or
    for communities."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("考核方案")
    )
    level = models.CharField(_("考核对象"), max_length=10, choices=Level.choices)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("指标名称"), max_length=60)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    # Blank for a 人工评分 indicator: its scores are entered (``ManualScore``), not computed.
    measure = models.CharField(_("统计指标"), max_length=40, choices=MEASURE_CHOICES, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    rule = models.CharField(_("计分规则"), max_length=10, choices=Rule.choices)
    floor = models.DecimalField(_("零分值"), max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(
        _("满分值"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "level", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0, weight__lte=100), name="assessment_weight_range"
            ),
            models.CheckConstraint(
                condition=~models.Q(rule="linear")
                | (
                    models.Q(floor__isnull=False, target__isnull=False)
                    & ~models.Q(floor=models.F("target"))
                ),
                name="assessment_linear_bounds",
            ),
            models.CheckConstraint(
                condition=models.Q(rule="manual", measure="")
                | (~models.Q(rule="manual") & ~models.Q(measure="")),
                name="assessment_manual_has_no_measure",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """人工评分 — the score the county 综治中心 gives one region on a 人工评分 indicator for one
    quarter or year (0 to the indicator's weight), with the evidence it judged (文书名称、采纳
    情况). A region without one is 缺数据 on that indicator, never 0."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="manual_scores",
        verbose_name=_("考核指标"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区")
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    note = models.CharField(_("评分依据"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["indicator", "period_start", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period_start", "period_end"],
                name="assessment_manualscore_key",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100),
                name="assessment_manualscore_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(note=""), name="assessment_manualscore_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_id} {self.period_start} {self.score}"


class Publication(models.Model):
    """发布 — a ranking as it was published, with its inputs (``rows``: each region's figures,
    scores, total and rank as computed at publication). A republication is a new version; the
    previous one stays, no longer current."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="publications", verbose_name=_("考核方案")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    level = models.CharField(_("考核对象"), max_length=10, choices=Level.choices)
    period_kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    reason = models.CharField(_("重新发布原因"), max_length=200, blank=True)
    rows = models.JSONField(_("排名与输入数据"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已发布考核排名")
        verbose_name_plural = _("已发布考核排名")
        ordering = ["-period_start", "level", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "level", "period_start", "period_end", "version"],
                name="assessment_publication_version",
            ),
            models.UniqueConstraint(
                fields=["region", "level", "period_start", "period_end"],
                condition=models.Q(is_current=True),
                name="assessment_publication_current",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.region_id} {self.level} {self.period_start}–{self.period_end} v{self.version}"
        )
