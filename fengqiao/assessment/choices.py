from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Who a ranking ranks: the townships of a county, or the villages and communities."""

    TOWNSHIP = "township", _("乡镇（街道）")
    COMMUNITY = "community", _("村（社区）")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Rule(models.TextChoices):
    """计分规则 (docs/assessment.md)."""

    # 0 points at the floor (零分值), the full weight at the target (满分值), straight between.
    LINEAR = "linear", _("线性计分（零分值至满分值）")
    # The best gets the full weight, the last 0, evenly between; ties share the better place.
    RANK = "rank", _("按名次计分")
    # The county 综治中心 enters each region's score (0 to the weight) with the evidence it
    # judged (seed 000 §四(四) item 10: 司法建议或调研报告产生积极影响 — documents the platform
    # does not hold). No measure.
    MANUAL = "manual", _("人工评分")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


# The measures an indicator may be bound to (``fengqiao.stats.measures.region_measures`` gives
# each of them for every township or village of a county at once). The imported outside figures
# enter through their measures: 万人起诉率, 刑事自诉案件发生数 and the two imported rates.
MEASURE_KEYS = (
    "intake",
    "intake_change",
    "resolved",
    "success_rate",
    "resolved_pre",
    "success_rate_pre",
    "confirmed",
    "confirmation_rate",
    "performance_rate",
    "satisfaction_rate",
    "median_days",
    "p90_days",
    "overdue_rate",
    "share_village",
    "share_township",
    "criminal_transfer",
    "group_cases",
    "major_cases",
    "warning_ack_rate",
    "screening_punctuality",
    "lawsuits_per_10k",
    "private_prosecutions",
    "private_prosecution_mediation_rate",
    "probation_reoffending_rate",
)

# The measures whose better side is not a matter of choice: an indicator bound to one of them
# must score in this direction (days to resolve: fewer is better; punctuality: more).
MEASURE_DIRECTIONS = {
    "median_days": Direction.LOWER,
    "p90_days": Direction.LOWER,
    "overdue_rate": Direction.LOWER,
    "warning_ack_rate": Direction.HIGHER,
    "screening_punctuality": Direction.HIGHER,
}
