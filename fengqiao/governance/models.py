"""Meetings (联席会议、分析研判会), their resolutions as tracked tasks, and 法治宣传 activities.

Every row carries the region of the platform that convened or organised it: the data scope
(``accounts.access.restrict``) reads it like a case's region; the orgs that take part or own a
task see it too (``scope_member_q``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.governance.choices import (
    Cadence,
    FileKind,
    MeetingStatus,
    PublicityKind,
    ScreeningCadence,
    ScreeningState,
    TaskStatus,
)
from fengqiao.regions.choices import RegionLevel


class MeetingType(models.Model):
    """会议类型 — a kind of meeting and how often each township or county platform must hold it
    (seed 000 §三(一): 一办一庭两所联席会议 every quarter). Data, edited in the admin."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    cadence = models.CharField(_("召开频次"), max_length=20, choices=Cadence.choices)
    township_required = models.BooleanField(_("乡镇（街道）平台应召开"), default=False)
    county_required = models.BooleanField(_("区县平台应召开"), default=False)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("会议类型")
        verbose_name_plural = _("会议类型")
        ordering = ("order", "pk")

    def __str__(self) -> str:
        return self.name


def _member_q(prefix: str, org_ids: Any) -> Q:
    """Rows of a meeting (``prefix`` leads to it) an org takes part in or owns a task of."""
    attended = Meeting.participants.through.objects.filter(organization_id__in=org_ids)
    tasks = ResolutionTask.objects.filter(owner_org_id__in=org_ids)
    return Q(**{f"{prefix}pk__in": attended.values("meeting_id")}) | Q(
        **{f"{prefix}pk__in": tasks.values("resolution__meeting_id")}
    )


class Meeting(models.Model):
    """会议 — a meeting a platform convenes: its participating orgs, attendance, minutes,
    attachments and resolutions."""

    meeting_type = models.ForeignKey(
        MeetingType, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("会议类型")
    )
    convening_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="convened_meetings",
        verbose_name=_("召集单位"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    participants = models.ManyToManyField(
        "orgs.Organization", related_name="meetings", blank=True, verbose_name=_("参会单位")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # The form's one-time key: the same submit twice records one meeting.
    submit_key = models.CharField(max_length=40, unique=True, null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region__path", "org": "convening_org_id"}

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ("-held_on", "-pk")
        indexes = [models.Index(fields=["convening_org", "meeting_type", "held_on"])]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        return _member_q("", org_ids)


class Attendance(models.Model):
    """出席情况 — who came from which org, or who was absent and why."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.name}（{self.org_id}）"


class Resolution(models.Model):
    """会议决定事项 — each becomes a task (``ResolutionTask``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决定事项"))

    class Meta:
        verbose_name = _("决定事项")
        verbose_name_plural = _("决定事项")
        ordering = ("meeting", "number")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="resolution_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:50]}"


class ResolutionTask(models.Model):
    """交办任务 — a resolution's task: the org (and person) that owns it, its deadline, and the
    evidence it was done."""

    resolution = models.OneToOneField(Resolution, on_delete=models.CASCADE, related_name="task")
    owner_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
        verbose_name=_("责任单位"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("办结期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    evidence_text = models.TextField(_("办结情况"), blank=True)
    # The reminder before the deadline and the notice once it passed, each sent once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {
        "region": "resolution__meeting__region__path",
        "org": "owner_org_id",
    }

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ("due_date", "pk")
        indexes = [
            models.Index(
                fields=["due_date"], name="open_task_due", condition=Q(status=TaskStatus.OPEN)
            )
        ]

    def __str__(self) -> str:
        return self.resolution.text[:50]

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        return Q(owner_org_id__in=org_ids) | _member_q("resolution__meeting__", org_ids)

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.status == TaskStatus.OPEN and self.due_date < today

    @property
    def state_label(self) -> str:
        return str(_("已逾期")) if self.is_overdue() else self.get_status_display()


class PublicityActivity(models.Model):
    """法治宣传活动 — an activity a platform organised with other orgs (seed 000 (八): at least
    two joint activities a year)."""

    organizer = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="publicity_activities",
        verbose_name=_("牵头单位"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=PublicityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    orgs = models.ManyToManyField(
        "orgs.Organization", related_name="+", blank=True, verbose_name=_("联合举办单位")
    )
    audience = models.PositiveIntegerField(_("受众人数"), default=0)
    note = models.TextField(_("活动情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submit_key = models.CharField(max_length=40, unique=True, null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region__path", "org": "organizer_id"}

    class Meta:
        verbose_name = _("法治宣传活动")
        verbose_name_plural = _("法治宣传活动")
        ordering = ("-held_on", "-pk")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_member_q(cls, org_ids: Any, families: Any) -> Q:
        joined = PublicityActivity.orgs.through.objects.filter(organization_id__in=org_ids)
        return Q(pk__in=joined.values("publicityactivity_id"))


class GovernanceFile(models.Model):
    """A checked upload (``core.uploads``): a meeting's attachment, a task's evidence of
    completion or an activity's photo; whoever sees its meeting or activity may read it."""

    kind = models.CharField(max_length=20, choices=FileKind.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    task = models.ForeignKey(
        ResolutionTask, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    activity = models.ForeignKey(
        PublicityActivity, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.original_name


# --- 排查 (screening) ----------------------------------------------------------------------------

# The units that file 排查 reports: the county, each township, village and grid.
SCREENING_LEVELS = [
    (RegionLevel.COUNTY.value, _("区县")),
    (RegionLevel.TOWNSHIP.value, _("乡镇（街道）")),
    (RegionLevel.VILLAGE.value, _("村（社区）")),
    (RegionLevel.GRID.value, _("网格")),
]


class ScreeningPlan(models.Model):
    """排查计划 — how often each unit of a region level files its 排查 report (seed 004 item
    22). Data, edited in the admin; migration 0004 loads the seed's four."""

    level = models.PositiveSmallIntegerField(
        _("排查单位层级"), choices=SCREENING_LEVELS, unique=True
    )
    cadence = models.CharField(_("排查频次"), max_length=20, choices=ScreeningCadence.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("排查计划")
        verbose_name_plural = _("排查计划")
        ordering = ("level",)

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_cadence_display()}排查"


class ScreeningCampaign(models.Model):
    """专项排查 — a platform's daily screening over a date range (a sensitive period) in a
    region subtree, optionally on some dispute categories; every unit of ``unit_level`` in the
    subtree files one report a day."""

    title = models.CharField(_("专项排查名称"), max_length=100)
    organizer = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("部署单位")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("排查范围")
    )
    unit_level = models.PositiveSmallIntegerField(
        _("报送单位层级"), choices=SCREENING_LEVELS, default=RegionLevel.VILLAGE
    )
    categories = models.JSONField(_("重点纠纷类别"), default=list, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.TextField(_("工作要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submit_key = models.CharField(max_length=40, unique=True, null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region__path", "org": "organizer_id"}

    class Meta:
        verbose_name = _("专项排查")
        verbose_name_plural = _("专项排查")
        ordering = ("-starts_on", "-pk")
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="campaign_dates")]

    def __str__(self) -> str:
        return self.title


class ScreeningReport(models.Model):
    """排查报告 — one unit's report for one period of a plan or a campaign: the disputes found
    (``findings``) or an explicit 零报告. One per unit and period (double submit safe); filed
    after its due time it is 迟报."""

    unit = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    plan = models.ForeignKey(
        ScreeningPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    campaign = models.ForeignKey(
        ScreeningCampaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("专项排查"),
    )
    period_start = models.DateField(_("期次开始"))
    period_end = models.DateField(_("期次结束"))
    due_at = models.DateTimeField(_("应报时间"))
    is_zero = models.BooleanField(_("零报告"), default=False)
    is_late = models.BooleanField(_("迟报"), default=False)
    note = models.TextField(_("排查情况"), blank=True)
    filing_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "unit__path"}

    class Meta:
        verbose_name = _("排查报告")
        verbose_name_plural = _("排查报告")
        ordering = ("-period_start", "unit")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "plan", "period_start"],
                name="screening_report_plan_once",
                condition=Q(plan__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["unit", "campaign", "period_start"],
                name="screening_report_campaign_once",
                condition=Q(campaign__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(plan__isnull=False, campaign__isnull=True)
                | Q(plan__isnull=True, campaign__isnull=False),
                name="screening_report_plan_or_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_start}"

    @property
    def state(self) -> str:
        if self.is_late:
            return ScreeningState.LATE
        return ScreeningState.ZERO if self.is_zero else ScreeningState.FILED


class ScreeningFinding(models.Model):
    """排查发现的矛盾纠纷 — one line of a report: a case registered from it (快速上报 through
    the intake service) or a short description."""

    report = models.ForeignKey(ScreeningReport, on_delete=models.CASCADE, related_name="findings")
    case = models.ForeignKey(
        "disputes.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("纠纷情况"), max_length=200)

    class Meta:
        verbose_name = _("排查发现")
        verbose_name_plural = _("排查发现")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.description


class ScreeningChase(models.Model):
    """催报 — the one reminder a unit got for a missing report of a period (the marker that
    makes the sweep send it once, however often it runs)."""

    unit = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ScreeningPlan, on_delete=models.CASCADE, null=True, related_name="+")
    campaign = models.ForeignKey(
        ScreeningCampaign, on_delete=models.CASCADE, null=True, related_name="+"
    )
    period_start = models.DateField()
    chased_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "plan", "period_start"],
                name="screening_chase_plan_once",
                condition=Q(plan__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["unit", "campaign", "period_start"],
                name="screening_chase_campaign_once",
                condition=Q(campaign__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_start}"
