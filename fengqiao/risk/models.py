"""The rules that grade a case, their lexicon and the sensitive-period calendar — all edited in
the admin, read per grading through ``engine.ruleset`` (which reloads when any of them changed)
— and each case's assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import RiskGrade
from fengqiao.risk.choices import CaseFlag, RuleKind


class RiskRule(models.Model):
    """风险研判规则 — one fact or text signal and the grade a case takes at least when it holds;
    its ``reason`` is what the case page lists when it fires."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    reason = models.CharField(
        _("显示理由"), max_length=80, help_text=_("触发时在案件页列出，如“涉及人数30人以上”。")
    )
    kind = models.CharField(_("规则类型"), max_length=20, choices=RuleKind.choices)
    grade = models.CharField(
        _("至少评为"),
        max_length=10,
        choices=RiskGrade.choices,
        help_text=_("敏感时期规则不看此项：已有其他风险时升一级。"),
    )
    threshold = models.DecimalField(
        _("阈值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    category = models.CharField(
        _("纠纷类别"), max_length=30, choices=DisputeCategory.choices, blank=True
    )
    flag = models.CharField(_("研判标识"), max_length=20, choices=CaseFlag.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    source = models.TextField(_("依据"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("风险研判规则")
        verbose_name_plural = _("风险研判规则")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.reason


class LexiconTerm(models.Model):
    """风险词 — a phrase of a text rule. ``…`` joins parts that must appear in this order
    in one clause (“堵…政府”); a phrase after a negation (“没有扬言”, “不会去堵”) does not count."""

    rule = models.ForeignKey(
        RiskRule,
        on_delete=models.CASCADE,
        related_name="terms",
        verbose_name=_("规则"),
        limit_choices_to={"kind": RuleKind.TEXT},
    )
    phrase = models.CharField(_("词语"), max_length=40)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("风险词")
        verbose_name_plural = _("风险词库")
        ordering = ["rule", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "phrase"], name="lexiconterm_rule_phrase")
        ]

    def __str__(self) -> str:
        return self.phrase


class SensitivePeriod(models.Model):
    """敏感时期 — a date range (全国两会, 国庆, a local event) during which a case that already
    carries a risk is graded one level higher."""

    name = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("敏感时期")
        verbose_name_plural = _("敏感时期")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="sensitiveperiod_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(models.Model):
    """风险评定 — the grade the rules give a case now, the rules that fired, and a person's
    override (with its reason) while it stands."""

    case = models.OneToOneField(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="risk_assessment",
        verbose_name=_("案件"),
    )
    computed_grade = models.CharField(_("系统评定"), max_length=10, choices=RiskGrade.choices)
    # [{"code", "reason", "grade"}] in rule order: exactly the rules that fired.
    fired = models.JSONField(_("触发规则"), default=list, blank=True)
    assessed_at = models.DateTimeField(_("评定时间"), default=timezone.now)
    override_grade = models.CharField(
        _("人工调整为"), max_length=10, choices=RiskGrade.choices, blank=True
    )
    override_reason = models.TextField(_("调整理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调整人"),
    )
    override_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    # The codes of the rules that had fired when the override was made: it stands until they
    # change (docs/risk.md, "Overrides").
    override_basis = models.JSONField(_("调整时触发的规则"), default=list, blank=True)

    class Meta:
        verbose_name = _("风险评定")
        verbose_name_plural = _("风险评定")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_computed_grade_display()}"

    @property
    def grade(self) -> str:
        """The grade the case carries: the override while it stands, else the computed one."""
        return self.override_grade or self.computed_grade

    @property
    def reasons(self) -> list[str]:
        return [str(f["reason"]) for f in self.fired]
