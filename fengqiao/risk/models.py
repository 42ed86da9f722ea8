"""The rules that grade a case, their lexicon and the sensitive-period calendar — all edited in
the admin, read per grading through ``engine.ruleset`` (which reloads when any of them changed)
— and each case's assessment."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import RiskGrade
from fengqiao.risk.choices import (
    CaseFlag,
    EmergencyStatus,
    EmergencyTaskStatus,
    Measure,
    RuleKind,
    WarningBasis,
    WarningStatus,
)


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


# --- Early warning (预警) -------------------------------------------------------------------------


class WarningLimit(models.Model):
    """预警签收时限 — for a grade that warns (高, 重大): how long each org it is pushed to has to
    acknowledge it before it escalates one level up, and the measures the warning suggests.
    Data, edited in the admin; a grade without a row does not warn (the admin page says so)."""

    grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices, unique=True)
    ack_minutes = models.PositiveIntegerField(
        _("签收时限（分钟）"), help_text=_("推送后在此时间内未签收的，升级推送至上一级平台。")
    )
    measures = models.TextField(
        _("建议措施"), help_text=_("每行一条，随预警推送，如“落实稳控措施，明确包案责任人”。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警签收时限")
        verbose_name_plural = _("预警签收时限")
        ordering = ["grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ack_minutes__gte=1, ack_minutes__lte=7 * 24 * 60),
                name="warninglimit_minutes_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.ack_minutes}"

    @property
    def measure_lines(self) -> list[str]:
        return [line.strip() for line in self.measures.splitlines() if line.strip()]


class RiskWarning(models.Model):
    """风险预警 — raised when a case's grade rises to 高 or 重大: the facts and reasons as they
    stood, the suggested measures, and its handling until a platform closes it."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="risk_warnings",
        verbose_name=_("案件"),
    )
    grade = models.CharField(_("预警等级"), max_length=10, choices=RiskGrade.choices)
    # Copied from the case: the data scope reads it like a case's region.
    region_path = models.CharField(_("区划路径"), max_length=105, db_index=True)
    reasons = models.JSONField(_("研判依据"), default=list)
    facts = models.TextField(_("事实摘要"))
    measures = models.JSONField(_("建议措施"), default=list)
    status = models.CharField(
        _("状态"), max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closing_note = models.TextField(_("办结说明"), blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region_path"}
    scope_distinct = False

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["case", "status"], name="riskwarning_case_status")]
        constraints = [
            # One open warning per case and grade: a double-saved 研判 raises it once.
            models.UniqueConstraint(
                fields=["case", "grade"],
                condition=Q(status="open"),
                name="riskwarning_one_open_per_grade",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()}预警 {self.case_id}"

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        """Warnings pushed to an org the user works at."""
        return Q(pk__in=WarningNotice.objects.filter(org_id__in=org_ids).values("warning_id"))


class WarningNotice(models.Model):
    """预警推送 — a warning pushed to one org (属地, 属事, or by escalation), its deadline to
    acknowledge, and what happened: acknowledged, or escalated once when the deadline passed.
    ``awaiting`` is true while the sweep must still look at it (a partial index keeps the
    sweep's cost to what is due); ``warning_open`` while its warning is open."""

    warning = models.ForeignKey(
        RiskWarning, on_delete=models.CASCADE, related_name="notices", verbose_name=_("预警")
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("推送单位")
    )
    basis = models.CharField(_("推送依据"), max_length=20, choices=WarningBasis.choices)
    escalated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("由此升级"),
    )
    sent_at = models.DateTimeField(_("推送时间"), default=timezone.now)
    due_at = models.DateTimeField(_("签收时限"))
    awaiting = models.BooleanField(_("待签收"), default=True)
    # The warning's status, copied here when it is closed or superseded (alerts.py, in the
    # same transaction): the board counts the notices of open warnings not yet acknowledged by
    # org through one partial index, whatever the history of closed warnings holds.
    warning_open = models.BooleanField(_("预警处置中"), default=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警推送")
        verbose_name_plural = _("预警推送")
        ordering = ["sent_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(awaiting=True), name="warningnotice_awaiting_due"
            ),
            models.Index(fields=["org", "acknowledged_at"], name="warningnotice_org_ack"),
            models.Index(
                fields=["org", "due_at"],
                condition=Q(acknowledged_at__isnull=True, warning_open=True),
                name="warningnotice_org_unacked",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["warning", "org"], name="warningnotice_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} → {self.org_id}"

    @property
    def late(self) -> bool:
        """Acknowledged after its deadline, or not acknowledged and past it."""
        if self.acknowledged_at is not None:
            return self.acknowledged_at > self.due_at
        return timezone.now() > self.due_at


class WarningAction(models.Model):
    """预警处置记录 — a measure an org took on a warning (稳控, 疏导, 重大矛盾纠纷报告…)."""

    warning = models.ForeignKey(
        RiskWarning, on_delete=models.CASCADE, related_name="actions", verbose_name=_("预警")
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("处置单位")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    measure = models.CharField(_("措施"), max_length=20, choices=Measure.choices)
    note = models.TextField(_("处置情况"))
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.get_measure_display()}"


# --- Emergency linkage (应急联动) -----------------------------------------------------------------


class EmergencyResponse(models.Model):
    """应急联动 — an on-site response a platform opens from a case or a warning (seed 000
    §四(七): 平安办、人民法庭、派出所、司法所 负责人亲临现场，协同处置): its lead, the orgs on the
    team, tasks with owners and deadlines, a log of actions, and its closing summary."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.PROTECT,
        related_name="emergencies",
        verbose_name=_("案件"),
    )
    warning = models.ForeignKey(
        RiskWarning,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emergencies",
        verbose_name=_("预警"),
    )
    platform = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("启动平台")
    )
    region_path = models.CharField(_("区划路径"), max_length=105, db_index=True)
    title = models.CharField(_("事件名称"), max_length=200)
    situation = models.TextField(_("现场情况"))
    place = models.CharField(_("现场地点"), max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("现场负责人"),
    )
    orgs = models.ManyToManyField(
        "orgs.Organization", related_name="emergencies", verbose_name=_("参与单位")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EmergencyStatus.choices, default=EmergencyStatus.OPEN
    )
    opened_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("启动人"),
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    summary = models.TextField(_("处置总结"), blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region_path"}
    scope_distinct = False

    class Meta:
        verbose_name = _("应急联动")
        verbose_name_plural = _("应急联动")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["opened_at"], condition=Q(status="open"), name="emergency_open")
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        """Responses an org of the user's takes part in."""
        through = EmergencyResponse.orgs.through.objects.filter(organization_id__in=org_ids)
        return Q(pk__in=through.values("emergencyresponse_id"))


class EmergencyTask(models.Model):
    """应急任务 — one job of a response (现场稳控, 调解, 法律指导), its owner org and person,
    its deadline, and how it was done."""

    response = models.ForeignKey(
        EmergencyResponse,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("应急联动"),
    )
    title = models.CharField(_("任务"), max_length=200)
    owner_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_at = models.DateTimeField(_("完成时限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=EmergencyTaskStatus.choices,
        default=EmergencyTaskStatus.OPEN,
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成人"),
    )
    result = models.TextField(_("完成情况"), blank=True)
    # The notice that the deadline passed, sent once (the warning sweep).
    overdue_notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应急任务")
        verbose_name_plural = _("应急任务")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", overdue_notified_at__isnull=True),
                name="emergencytask_open_due",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EmergencyLog(models.Model):
    """现场处置记录 — one action logged on a response, by whom and for which org."""

    response = models.ForeignKey(
        EmergencyResponse, on_delete=models.CASCADE, related_name="log", verbose_name=_("应急联动")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    actor_name = models.CharField(_("记录人姓名"), max_length=100)
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    text = models.TextField(_("处置情况"))

    class Meta:
        verbose_name = _("现场处置记录")
        verbose_name_plural = _("现场处置记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
