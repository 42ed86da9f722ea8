"""调解员管理 — 选聘, complaints, 评星定级 and 以案定补.

The people themselves are ``orgs.Person`` (one row per 身份证号), their posts ``orgs.Membership``
and their files ``orgs.MediatorProfile``: an appointment links or creates those, a rating writes
the profile's grade and stars. Nothing here copies a person's data, except what an applicant
gives before they are a person of the platform (an ``Application``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.core.fields import EncryptedTextField, lookup_hash_field
from fengqiao.core.models import range_constraint
from fengqiao.core.validators import EARLIEST_DATE, STORABLE_BEFORE
from fengqiao.disputes.choices import RiskGrade
from fengqiao.mediators.choices import (
    UPHELD_OUTCOMES,
    ApplicationStatus,
    CaseOutcome,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintStatus,
    LineKind,
    RatingStatus,
    RoundStatus,
    StatementStatus,
)
from fengqiao.orgs.choices import Background, MediatorGrade

YEAR_MIN, YEAR_MAX = 2000, 2100
SCORE_MAX = Decimal(100)
PLACES_MAX = 200  # no committee or county hires more in one round; a larger number is a typo
# One subsidy line or rule amount (元). A case subsidy is tens to a few hundred yuan; this bound
# only stops a typing error (an extra zero or three) from reaching a statement.
AMOUNT_MAX = Decimal("100000")
RESUME_REASON_MAX = 500

_YEAR = [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
_SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(SCORE_MAX)]
_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _year_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": YEAR_MIN, f"{field}__lte": YEAR_MAX}), name=name
    )


def _score_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": 0, f"{field}__lte": SCORE_MAX}),
        name=name,
    )


class RecruitmentRound(models.Model):
    """选聘 — a round selecting mediators for an org by written test and interview ("采取笔试、
    面试相结合的方式从专业对口、有相关工作经验的人员中选拔调解员", seed 000 二(五); "扩大调解员队伍
    选聘渠道", seed 003 二(三) 一是). The combined score is the weighted sum of the two scores (the
    weights add up to 100); an applicant at or above the pass line may be appointed, best first,
    while places remain."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="recruitment_rounds",
        verbose_name=_("选聘单位"),
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    title = models.CharField(_("名称"), max_length=100)
    places = models.PositiveSmallIntegerField(
        _("拟聘人数"), validators=[MinValueValidator(1), MaxValueValidator(PLACES_MAX)]
    )
    is_full_time = models.BooleanField(_("专职"), default=False)
    written_weight = models.PositiveSmallIntegerField(
        _("笔试权重（%）"), validators=[MaxValueValidator(100)]
    )
    interview_weight = models.PositiveSmallIntegerField(
        _("面试权重（%）"), validators=[MaxValueValidator(100)]
    )
    pass_line = models.DecimalField(
        _("合格分数线"), max_digits=5, decimal_places=2, validators=_SCORE
    )
    term_years = models.PositiveSmallIntegerField(
        _("聘期（年）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "org__region__path", "org": "org_id"}

    class Meta:
        verbose_name = _("选聘")
        verbose_name_plural = _("选聘")
        ordering = ["-year", "-opened_at", "-pk"]
        constraints = [
            _year_check("year", "round_year_range"),
            models.CheckConstraint(
                condition=models.Q(written_weight__lte=100, interview_weight__lte=100)
                & models.Q(written_weight=100 - models.F("interview_weight")),
                name="round_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=models.Q(places__gte=1, places__lte=PLACES_MAX),
                name="round_places_range",
            ),
            _score_check("pass_line", "round_pass_line_range"),
            models.CheckConstraint(
                condition=models.Q(term_years__gte=1, term_years__lte=10),
                name="round_term_years_range",
            ),
        ]
        permissions = [
            ("manage_recruitment", _("调解员选聘")),
            ("handle_complaint", _("调解员投诉处理")),
            ("rate_mediators", _("调解员评星定级")),
            ("manage_subsidy", _("调解员案件补贴")),
            ("view_mediator_work", _("查看调解员业绩")),
            ("view_own_work", _("查看本人业绩")),
        ]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """报名 — one applicant of a round with their written test and interview scores (0–100).
    The ID number and phone are encrypted as ``orgs.Person``'s are (with the same keyed hash):
    the applicant is not a person of the platform until appointed, when ``person`` is found by
    the ID number or created."""

    round = models.ForeignKey(
        RecruitmentRound,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("选聘"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号"), hash_field="id_number_hash")
    id_number_hash = lookup_hash_field(_("身份证号检索码"))
    phone = EncryptedTextField(_("手机号"), hash_field="phone_hash")
    phone_hash = lookup_hash_field(_("手机号检索码"))
    background = models.CharField(
        _("背景"), max_length=20, choices=Background.choices, default=Background.OTHER
    )
    experience = models.TextField(_("工作经历与专长"), blank=True, max_length=1000)
    written_score = models.DecimalField(
        _("笔试成绩"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_SCORE
    )
    interview_score = models.DecimalField(
        _("面试成绩"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_SCORE
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("人员"),
    )
    term_start = models.DateField(_("聘期开始"), null=True, blank=True)
    term_end = models.DateField(_("聘期结束"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    scope_lookups: ClassVar[dict[str, str]] = {
        "region": "round__org__region__path",
        "org": "round__org_id",
    }

    class Meta:
        verbose_name = _("选聘报名")
        verbose_name_plural = _("选聘报名")
        ordering = ["round", "pk"]
        constraints = [
            # One application per person and round (a second click, a second clerk).
            models.UniqueConstraint(
                fields=["round", "id_number_hash"], name="application_once_per_round"
            ),
            _score_check("written_score", "application_written_0_100"),
            _score_check("interview_score", "application_interview_0_100"),
            range_constraint(
                "term_start",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="application_term_start_range",
                nullable=True,
            ),
            range_constraint(
                "term_end",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="application_term_end_range",
                nullable=True,
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ApplicationStatus.APPOINTED)
                | models.Q(
                    person__isnull=False,
                    term_start__isnull=False,
                    term_end__gt=models.F("term_start"),
                ),
                name="application_appointed_has_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.name}"

    def combined(self, written_weight: int, interview_weight: int) -> Decimal | None:
        """综合成绩 = 笔试 × 笔试权重% + 面试 × 面试权重%, to two places; None until both
        scores are in."""
        if self.written_score is None or self.interview_score is None:
            return None
        total = (
            self.written_score * written_weight + self.interview_score * interview_weight
        ) / 100
        return total.quantize(Decimal("0.01"))


class Complaint(models.Model):
    """投诉 — a complaint about a mediator from a party or an org, handled 受理 → 调查 → 处理
    ("建立投诉处理机制，教育引导调解员严守工作纪律和职业道德", seed 003 二(三) 二是). A concluded
    complaint with any outcome but 不成立 is upheld and counts against the mediator's rating;
    the mediator sees it once concluded."""

    mediator = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("被投诉调解员"),
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在单位"),
    )
    source = models.CharField(_("投诉来源"), max_length=10, choices=ComplaintSource.choices)
    complainant_name = models.CharField(_("投诉人"), max_length=100)
    complainant_phone = EncryptedTextField(_("联系电话"), hash_field="complainant_phone_hash")
    complainant_phone_hash = lookup_hash_field(_("联系电话检索码"))
    # Not named ``case``: the audit log would label the complaint with the case's number.
    related_case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相关案件"),
    )
    # The party who complained on the portal (公众服务平台) about their own case's mediator; the
    # complaint was then recorded by nobody on the staff (``recorded_by`` empty).
    party = models.ForeignKey(
        "disputes.Party",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投诉当事人"),
    )
    summary = models.TextField(_("投诉事项"), max_length=2000)
    received_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("处理期限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    investigation = models.TextField(_("调查情况"), blank=True, max_length=2000)
    outcome = models.CharField(
        _("处理结果"), max_length=20, choices=ComplaintOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("处理意见"), blank=True, max_length=2000)
    concluded_on = models.DateField(_("处理日期"), null=True, blank=True)
    # 暂停调解工作: the last day of the suspension (1 to SUSPENSION_MAX_DAYS days after the
    # conclusion). Till then the mediator is not offered for cases nor accepted by the case
    # services (``suspension.py``, asked through ``disputes.hooks``).
    suspended_until = models.DateField(_("暂停调解至"), null=True, blank=True)
    # 恢复调解: a suspension ended before its last day, from ``resumed_on`` on (the day it was
    # ended), with the reason and who ended it (``services.complaint_resume``).
    resumed_on = models.DateField(_("恢复调解日期"), null=True, blank=True)
    resume_reason = models.TextField(_("恢复调解理由"), blank=True, max_length=RESUME_REASON_MAX)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("恢复调解决定人"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "org__region__path", "org": "org_id"}

    class Meta:
        verbose_name = _("调解员投诉")
        verbose_name_plural = _("调解员投诉")
        ordering = ["-received_on", "-pk"]
        constraints = [
            range_constraint(
                "received_on",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="complaint_received_range",
            ),
            range_constraint(
                "due_on", earliest=EARLIEST_DATE, latest=STORABLE_BEFORE, name="complaint_due_range"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="complaint_due_after_received",
            ),
            # An outcome exactly when concluded.
            models.CheckConstraint(
                condition=models.Q(status=ComplaintStatus.CONCLUDED, concluded_on__isnull=False)
                & ~models.Q(outcome="")
                | ~models.Q(status=ComplaintStatus.CONCLUDED) & models.Q(outcome=""),
                name="complaint_outcome_iff_concluded",
            ),
            # An end exactly for a suspension.
            models.CheckConstraint(
                condition=models.Q(
                    outcome=ComplaintOutcome.SUSPENSION,
                    suspended_until__gte=models.F("concluded_on"),
                )
                | ~models.Q(outcome=ComplaintOutcome.SUSPENSION)
                & models.Q(suspended_until__isnull=True),
                name="complaint_suspension_has_end",
            ),
            # A party has one complaint being handled at a time (a second submit, a double tap
            # or a script are refused by the database, not by a read first).
            models.UniqueConstraint(
                fields=["party"],
                condition=~models.Q(status=ComplaintStatus.CONCLUDED),
                name="complaint_one_open_per_party",
            ),
            # Resumed only a suspension, within it (from its first day to its last).
            models.CheckConstraint(
                condition=models.Q(resumed_on__isnull=True)
                | models.Q(
                    outcome=ComplaintOutcome.SUSPENSION,
                    resumed_on__gte=models.F("concluded_on"),
                    resumed_on__lte=models.F("suspended_until"),
                ),
                name="complaint_resumed_within_suspension",
            ),
        ]
        indexes = [
            models.Index(fields=["mediator", "status"], name="complaint_mediator"),
            # The suspensions in force (asked whenever mediators are offered for a case).
            models.Index(
                fields=["suspended_until"],
                condition=models.Q(outcome=ComplaintOutcome.SUSPENSION),
                name="complaint_suspension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mediator} · {self.received_on}"

    @property
    def upheld(self) -> bool:
        return self.status == ComplaintStatus.CONCLUDED and self.outcome in UPHELD_OUTCOMES

    @property
    def overdue(self) -> bool:
        return self.status != ComplaintStatus.CONCLUDED and timezone.localdate() > self.due_on


class RatingCriterion(models.Model):
    """评星定级标准 — what a year's star (1–5) and grade ask of a mediator: cases concluded,
    success, performance and satisfaction rates, trainings attended, and at most so many upheld
    complaints.

    Sources: "广泛开展调解组织、队伍'评星定级'活动" (seed 003 二, "四是做亮调解工作品牌");
    《人民调解员等级评定管理办法》 (seed 003, "6.人民调解员素质提升行动"); "对调解员调解成功
    案件数量、履行成功案件数量等数据进行统计……听取群众意见" (seed 000 二(五)). The seeds set no
    thresholds: each year's are configured. A rate whose denominator is 0 meets only a
    threshold of 0."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    grade = models.CharField(_("等级"), max_length=20, choices=MediatorGrade.choices)
    min_cases = models.PositiveIntegerField(_("办结案件不少于（件）"), default=0)
    min_success_rate = models.DecimalField(
        _("调解成功率不低于（%）"), max_digits=5, decimal_places=2, default=0, validators=_PERCENT
    )
    min_performance_rate = models.DecimalField(
        _("协议履行率不低于（%）"), max_digits=5, decimal_places=2, default=0, validators=_PERCENT
    )
    min_satisfaction_rate = models.DecimalField(
        _("满意率不低于（%）"), max_digits=5, decimal_places=2, default=0, validators=_PERCENT
    )
    min_trainings = models.PositiveSmallIntegerField(_("参加培训不少于（次）"), default=0)
    max_upheld_complaints = models.PositiveSmallIntegerField(_("成立的投诉不超过（件）"), default=0)

    class Meta:
        verbose_name = _("评星定级标准")
        verbose_name_plural = _("评星定级标准")
        ordering = ["year", "stars"]
        constraints = [
            models.UniqueConstraint(fields=["year", "stars"], name="criterion_one_per_star"),
            _year_check("year", "criterion_year_range"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="criterion_stars_1_5"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__gte": 0, f"{f}__lte": 100}),
                    name=f"criterion_{f}_0_100",
                )
                for f in ("min_success_rate", "min_performance_rate", "min_satisfaction_rate")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.stars}★"


class MediatorRating(models.Model):
    """年度评星定级 — the proposal the platform computed for a mediator and year from their
    figures (``figures``: a copy of the inputs, so the page shows why), and the stars and grade
    staff approved. An approved rating is written to the mediator's profile and not recomputed;
    a change from the proposal needs a reason."""

    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("调解员")
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    figures = models.JSONField(_("评定依据"), default=dict)
    proposed_stars = models.PositiveSmallIntegerField(_("建议星级"), default=0)
    proposed_grade = models.CharField(
        _("建议等级"), max_length=20, choices=MediatorGrade.choices, default=MediatorGrade.UNGRADED
    )
    stars = models.PositiveSmallIntegerField(_("审定星级"), null=True, blank=True)
    grade = models.CharField(
        _("审定等级"), max_length=20, choices=MediatorGrade.choices, blank=True
    )
    reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RatingStatus.choices, default=RatingStatus.PROPOSED
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "org__region__path", "org": "org_id"}

    class Meta:
        verbose_name = _("评星定级")
        verbose_name_plural = _("评星定级")
        ordering = ["-year", "org", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="rating_one_per_year"),
            _year_check("year", "rating_year_range"),
            models.CheckConstraint(
                condition=models.Q(proposed_stars__lte=5)
                & (models.Q(stars__isnull=True) | models.Q(stars__lte=5)),
                name="rating_stars_0_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RatingStatus.APPROVED)
                | models.Q(stars__isnull=False, approved_at__isnull=False),
                name="rating_approved_has_stars",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"


class SubsidyRule(models.Model):
    """案件补贴标准 — 以案定补: what a concluded case earns its mediator by kind (纠纷类别),
    difficulty (风险等级, 标的额) and outcome, plus a bonus when the agreement is fully performed.
    An empty criterion matches every case; for a case the matching rule with the highest
    priority applies, then the most specific one.

    Sources: "规范发放人民调解案件补贴" (seed 000 四(二)); "因事（案）制宜落实调解员补助"
    (seed 004 item 30); 《人民调解员调解纠纷案件补贴暂行办法》 (seed 003, "6.人民调解员素质
    提升行动"). The seeds set no amounts: they are configured here."""

    name = models.CharField(_("名称"), max_length=100)
    outcome = models.CharField(_("调解结果"), max_length=10, choices=CaseOutcome.choices)
    category = models.CharField(
        _("纠纷类别"), max_length=30, choices=DisputeCategory.choices, blank=True
    )
    grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices, blank=True)
    min_amount = models.DecimalField(
        _("标的额不低于（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(
        _("补贴金额（元）"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(AMOUNT_MAX)],
    )
    performance_bonus = models.DecimalField(
        _("履行完毕加发（元）"),
        max_digits=9,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(AMOUNT_MAX)],
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    created_at = models.DateTimeField(_("设定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("案件补贴标准")
        verbose_name_plural = _("案件补贴标准")
        ordering = ["-priority", "outcome", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, amount__lte=AMOUNT_MAX)
                & models.Q(performance_bonus__gte=0, performance_bonus__lte=AMOUNT_MAX),
                name="subsidy_rule_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(min_amount__isnull=True) | models.Q(min_amount__gte=0),
                name="subsidy_rule_min_amount",
            ),
            range_constraint(
                "effective_from",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="subsidy_rule_from_range",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="subsidy_rule_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubsidyStatement(models.Model):
    """案件补贴月结算单 — one org's month: a line per case its mediators concluded that month
    (with the rule applied) and any correction lines. Computed as a draft, approved by 司法行政
    staff; an approved statement is frozen: recomputing refuses it, and a later correction is an
    adjustment line on a later month's statement."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="subsidy_statements",
        verbose_name=_("单位"),
    )
    month = models.DateField(_("月份"))  # the first day of the month
    status = models.CharField(
        _("状态"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    total = models.DecimalField(_("合计（元）"), max_digits=12, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("编制人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "org__region__path", "org": "org_id"}

    class Meta:
        verbose_name = _("案件补贴结算单")
        verbose_name_plural = _("案件补贴结算单")
        ordering = ["-month", "org__region__path", "org__name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="statement_one_per_org_month"),
            range_constraint(
                "month", earliest=EARLIEST_DATE, latest=STORABLE_BEFORE, name="statement_month"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=StatementStatus.APPROVED)
                | models.Q(approved_at__isnull=False),
                name="statement_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.month:%Y-%m}"


class SubsidyLine(models.Model):
    """结算行 — one case's subsidy (its rule, base and bonus copied, so the line reads the same
    after the rule changes) or one correction (a signed amount with its reason)."""

    statement = models.ForeignKey(
        SubsidyStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("结算单")
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("调解员"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=LineKind.choices)
    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    rule = models.ForeignKey(
        SubsidyRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用标准"),
    )
    outcome = models.CharField(
        _("调解结果"), max_length=10, choices=CaseOutcome.choices, blank=True
    )
    performed = models.BooleanField(_("履行完毕"), default=False)
    base = models.DecimalField(_("基本补贴（元）"), max_digits=9, decimal_places=2, default=0)
    bonus = models.DecimalField(_("履行加发（元）"), max_digits=9, decimal_places=2, default=0)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("结算行")
        verbose_name_plural = _("结算行")
        ordering = ["statement", "mediator", "kind", "pk"]
        constraints = [
            # A case is paid once per statement; a recompute replaces its lines.
            models.UniqueConstraint(
                fields=["statement", "case"],
                condition=models.Q(kind=LineKind.CASE),
                name="subsidy_line_case_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=LineKind.CASE) | models.Q(case__isnull=False),
                name="subsidy_line_case_has_case",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=-AMOUNT_MAX, amount__lte=AMOUNT_MAX),
                name="subsidy_line_amount_range",
            ),
        ]
        indexes = [models.Index(fields=["mediator", "statement"], name="subsidy_line_mediator")]

    def __str__(self) -> str:
        return f"{self.statement} {self.amount}"
