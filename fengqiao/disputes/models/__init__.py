from __future__ import annotations

import json
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory, statistics_category
from fengqiao.core.expressions import InSubquery
from fengqiao.core.fields import EncryptedTextField, lookup_hash_field
from fengqiao.core.models import range_constraint
from fengqiao.core.validators import DISPUTE_EARLIEST_AT, STORABLE_BEFORE_AT
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    CourtProcedure,
    DispatchStatus,
    IntakeChannel,
    PartyKind,
    PartyRole,
    ReferralTarget,
    RiskGrade,
)
from fengqiao.disputes.models.dispatch import DispatchOrder, DueItem, SupervisionOrder
from fengqiao.disputes.models.notices import PartyNotice
from fengqiao.disputes.models.rules import (
    CalendarOverride,
    DeadlineLimit,
    HolidaySchedule,
    SubjectRule,
    TerritoryRule,
)
from fengqiao.disputes.timeline import action_choices
from fengqiao.orgs.choices import COURT_ROOM_KIND, POLICE_ROOM_KIND, OrgFamily
from fengqiao.orgs.models import Organization

__all__ = [
    "ArchiveCounter",
    "CalendarOverride",
    "Case",
    "CaseCounter",
    "DeadlineLimit",
    "DispatchOrder",
    "DueItem",
    "HolidaySchedule",
    "Party",
    "PartyNotice",
    "Referral",
    "RepeatReport",
    "SubjectRule",
    "SupervisionOrder",
    "TerritoryRule",
    "TimelineEvent",
    "tied_org_ids",
]


class CaseCounter(models.Model):
    """案号计数器 — the last sequence number issued per region and year.

    Taking the next number locks this row, so numbers are gap-free and unique even under
    concurrent intake; the lock is held only by intake transactions of the same region.
    """

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("案号计数器")
        verbose_name_plural = _("案号计数器")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="casecounter_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}: {self.last_seq}"


def tied_org_ids(org_ids: frozenset[int]) -> list[int]:
    """The orgs whose cases a court or police station among ``org_ids`` sees: a court's (or
    tribunal's) 驻庭调解室 in its region and the committees paired with it, a station's 驻所调解室
    in its region. One query."""
    courts = Organization.objects.filter(pk__in=org_ids, kind__family=OrgFamily.COURT)
    stations = Organization.objects.filter(pk__in=org_ids, kind__family=OrgFamily.POLICE)
    tied = Organization.objects.filter(
        models.Q(kind__code=COURT_ROOM_KIND, region__in=courts.values("region"))
        | models.Q(kind__code=POLICE_ROOM_KIND, region__in=stations.values("region"))
        | models.Q(paired_orgs__in=courts)
    )
    return list(tied.values_list("pk", flat=True).distinct())


class Case(models.Model):
    """纠纷案件 — one dispute, one number for life (一案一码: ``<region code>-<year>-<seq>``)."""

    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    # The region that numbers the case (the registering platform's region) and the place of
    # the dispute; ``region_path`` copies the place's path so scope filters are a range scan.
    number_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("编号区划")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="cases", verbose_name=_("发生地")
    )
    region_path = models.CharField(max_length=105, editable=False)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    title = models.CharField(_("纠纷简述"), max_length=200)
    facts = models.TextField(_("纠纷事实"), blank=True)
    claims = models.TextField(_("当事人诉求"), blank=True)
    category = models.CharField(_("纠纷类别"), max_length=30, choices=DisputeCategory.choices)
    channel = models.CharField(_("受理渠道"), max_length=20, choices=IntakeChannel.choices)
    # Only for court 委托 (post-filing) cases: 15 days under ordinary procedure, 7 under
    # simplified (deadlines.py); empty means ordinary. The database default lets bulk loaders
    # that predate the column leave it out.
    procedure = models.CharField(
        _("审理程序"),
        max_length=20,
        choices=CourtProcedure.choices,
        blank=True,
        default="",
        db_default="",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.REGISTERED,
        editable=False,
    )
    grade = models.CharField(
        _("风险等级"), max_length=10, choices=RiskGrade.choices, default=RiskGrade.LOW
    )
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    people_count = models.PositiveIntegerField(_("涉及人数"), default=2)
    flag_group = models.BooleanField(_("涉群体"), default=False)
    flag_criminal_risk = models.BooleanField(_("民转刑风险"), default=False)
    flag_petition_risk = models.BooleanField(_("越级上访风险"), default=False)
    flag_vulnerable = models.BooleanField(_("涉弱势群体"), default=False)
    flag_sensitive = models.BooleanField(_("敏感时期"), default=False)
    lead_leader = models.ForeignKey(
        "orgs.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("包案领导"),
    )
    # The foreign keys below that lead a composite index (case_platform_status,
    # case_org_status, case_handler_status) get no index of their own: at 10 million cases
    # every index is paid on each intake and each transition.
    platform = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="platform_cases",
        verbose_name=_("责任平台"),
        db_index=False,
    )
    handling_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("承办单位"),
        db_index=False,
    )
    # 来源单位: the court (委派/委托) or police station (警调) that sent the case; it keeps
    # seeing the case wherever it is handled (docs/security.md).
    source_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sourced_cases",
        verbose_name=_("来源单位"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("承办调解员"),
        db_index=False,
    )
    resolved_level = models.PositiveSmallIntegerField(_("化解层级"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    archive_number = models.CharField(_("卷宗号"), max_length=60, blank=True)
    # Bumped by every transition: a form rendered at version N is refused once it is N+1.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    scope_lookups: ClassVar[dict[str, str]] = {
        "region": "region_path",
        "org": "handling_org_id",
        "own": "handler_id",
    }

    class Meta:
        verbose_name = _("纠纷案件")
        verbose_name_plural = _("纠纷案件")
        ordering = ["-registered_at", "-id"]
        constraints = [
            range_constraint(
                "occurred_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="case_occurred_at_range",
                nullable=True,
            )
        ]
        indexes = [
            models.Index(fields=["region_path", "-registered_at"], name="case_scope_recent"),
            models.Index(fields=["handling_org", "status"], name="case_org_status"),
            models.Index(fields=["handler", "status"], name="case_handler_status"),
            models.Index(fields=["platform", "status"], name="case_platform_status"),
            models.Index(fields=["status", "-registered_at"], name="case_status_recent"),
            # A leader's month (queues.py, web landing): the month's intake and resolutions
            # are read by time first, the area checked in the index.
            models.Index(fields=["registered_at", "region_path"], name="case_registered_area"),
            models.Index(
                fields=["closed_at", "region_path"],
                name="case_resolved_area",
                condition=models.Q(resolved_level__isnull=False),
            ),
        ]
        permissions = [
            ("register_case", _("登记纠纷")),
            ("assess_case", _("研判与交办")),
            ("handle_case", _("受理与调解")),
            ("archive_case", _("归档")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def scope_member_q(
        cls, org_ids: frozenset[int], families: frozenset[str] = frozenset()
    ) -> models.Q:
        """Beyond its region, a case is visible to the orgs that hold it: its platform, its
        handling org and any org with a live or settled dispatch order on it (joint mediation
        across villages, a re-dispatch to another committee): an org keeps seeing what it
        worked on after the case closes (its accepted order becomes 已办结).

        A court or tribunal also sees the cases it sent (委派/委托) and those handled by its
        驻庭调解室 and by the committees paired with it (法庭与村结对); a police station those it
        sent (警调) and those of its 驻所调解室 (``families``: the kinds of ``org_ids``)."""
        # The orders are read by the database, not loaded first: an org's settled orders grow
        # with its history. InSubquery (``pk = ANY(ARRAY(…))`` on PostgreSQL) keeps every arm
        # of the OR an index condition: PostgreSQL reads the orders once (an InitPlan on the
        # index dispatch_org_cases) and combines index scans (BitmapOr) instead of scanning
        # the case table to test a subquery per row.
        orders = (
            DispatchOrder.objects.filter(
                to_org_id__in=org_ids,
                status__in=[DispatchStatus.PENDING, DispatchStatus.ACCEPTED, DispatchStatus.DONE],
            )
            .order_by()
            .values("case_id")
        )
        q = (
            models.Q(platform_id__in=org_ids)
            | models.Q(handling_org_id__in=org_ids)
            | models.Q(InSubquery("pk", orders))
        )
        if families & {OrgFamily.COURT, OrgFamily.POLICE}:
            q |= models.Q(source_org_id__in=org_ids)
            tied = tied_org_ids(org_ids)
            if tied:
                # Handled there, or waiting there to be accepted.
                waiting = (
                    DispatchOrder.objects.filter(to_org_id__in=tied, status=DispatchStatus.PENDING)
                    .order_by()
                    .values("case_id")
                )
                q |= models.Q(handling_org_id__in=tied) | models.Q(InSubquery("pk", waiting))
        return q

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def statistics_category(self) -> DisputeCategory:
        """The 司法行政 statistics category the case is counted under (a sub-kind's parent)."""
        return statistics_category(self.category)


class Party(models.Model):
    """当事人 — a natural person or an organization in a case."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("案件")
    )
    role = models.CharField(_("诉讼地位"), max_length=20, choices=PartyRole.choices)
    kind = models.CharField(
        _("类型"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number = EncryptedTextField(_("身份证号/统一社会信用代码"), hash_field="id_number_hash")
    # Indexed in Meta: an exact-match hash needs no LIKE (varchar_pattern_ops) twin index.
    id_number_hash = lookup_hash_field(_("证件号检索码"), db_index=False)
    phone = EncryptedTextField(_("联系电话"), hash_field="phone_hash")
    phone_hash = lookup_hash_field(_("电话检索码"), db_index=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["role", "pk"]
        indexes = [
            models.Index(fields=["id_number_hash"], name="party_id_number_hash"),
            models.Index(fields=["phone_hash"], name="party_phone_hash"),
        ]

    def __str__(self) -> str:
        return self.name


class TimelineEvent(models.Model):
    """办理记录 — one step in a case's life, shown on its timeline."""

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="timeline",
        verbose_name=_("案件"),
        db_index=False,  # timeline_case_at leads with it
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    action = models.CharField(_("动作"), max_length=30, choices=action_choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class ArchiveCounter(models.Model):
    """卷宗号计数器 — the last file number an organization issued in a year."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("卷宗号计数器")
        verbose_name_plural = _("卷宗号计数器")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="archivecounter_org_year")
        ]

    def __str__(self) -> str:
        return f"{self.org_id}-{self.year}: {self.last_seq}"


class Referral(models.Model):
    """转出记录 — where a case went and who received it: referred out after or instead of
    mediation (转出), or not accepted for mediation and sent where it belongs (不予受理)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="referral", verbose_name=_("案件")
    )
    action = models.CharField(
        _("方式"),
        max_length=20,
        choices=[(CaseAction.REFER.value, CaseAction.REFER.label),
                 (CaseAction.REJECT.value, CaseAction.REJECT.label)],
    )  # fmt: skip
    target = models.CharField(
        _("转出方向"), max_length=20, choices=ReferralTarget.choices, blank=True
    )
    receiver = models.CharField(_("接收单位"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    referred_at = models.DateTimeField(_("转出时间"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("转出记录")
        verbose_name_plural = _("转出记录")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.receiver}"


class RepeatReport(models.Model):
    """重复反映 — a report of a dispute that already has a case, kept on that case instead of
    registering a second one (after the duplicate check the registrant linked it to the earlier
    case). Everything the report said is kept; its parties, with ID numbers and phones, are
    stored encrypted as one JSON text (kept and shown masked, never searched)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="repeat_reports", verbose_name=_("案件")
    )
    reported_at = models.DateTimeField(_("反映时间"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    channel = models.CharField(_("受理渠道"), max_length=20, choices=IntakeChannel.choices)
    category = models.CharField(_("纠纷类别"), max_length=30, choices=DisputeCategory.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("发生地")
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    title = models.CharField(_("纠纷简述"), max_length=200)
    facts = models.TextField(_("纠纷事实"), blank=True)
    claims = models.TextField(_("当事人诉求"), blank=True)
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    people_count = models.PositiveIntegerField(_("涉及人数"), null=True, blank=True)
    parties_json = EncryptedTextField(_("当事人"))
    # SM3 of the report: the same report sent twice (a double click) is kept once.
    fingerprint = models.CharField(_("内容摘要"), max_length=64)

    class Meta:
        verbose_name = _("重复反映")
        verbose_name_plural = _("重复反映")
        ordering = ["reported_at", "id"]
        constraints = [
            range_constraint(
                "occurred_at",
                earliest=DISPUTE_EARLIEST_AT,
                latest=STORABLE_BEFORE_AT,
                name="repeat_occurred_at_range",
                nullable=True,
            )
        ]
        indexes = [models.Index(fields=["case", "reported_at"], name="repeat_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} 重复反映 {self.reported_at:%Y-%m-%d}"

    @property
    def parties(self) -> list[dict[str, str]]:
        """The parties as reported: ``role``, ``kind``, ``name``, ``id_number``, ``phone``,
        ``address``."""
        return list(json.loads(self.parties_json or "[]"))
