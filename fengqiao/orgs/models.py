from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.core.fields import EncryptedTextField, lookup_hash_field
from fengqiao.core.models import range_constraint
from fengqiao.core.validators import EARLIEST_DATE, STORABLE_BEFORE
from fengqiao.orgs.choices import (
    Background,
    MediatorGrade,
    OrgFamily,
    PersonRole,
    Position,
    TrainingKind,
    VolunteerKind,
)


class OrgKind(models.Model):
    """单位类型 — reference data: a kind of organization and the staffing rules that apply to it.

    ``min_full_time_mediators`` holds the 专职人民调解员 minimum (village/enterprise committee 1,
    township committee 2, dispatched room 2, industry/regional committee 3: 司法部《关于加强人民
    调解员队伍建设的意见》, seeds 003/004). ``is_mediation_committee`` makes 人民调解法 art. 8
    (3–9 members, at least one woman) apply.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    family = models.CharField(_("类别"), max_length=20, choices=OrgFamily.choices)
    is_mediation_committee = models.BooleanField(_("属人民调解委员会"), default=False)
    min_full_time_mediators = models.PositiveSmallIntegerField(_("专职调解员最低配备"), default=0)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("单位类型")
        verbose_name_plural = _("单位类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


OFFICER_COUNT_MAX = 2000  # no 派出所 has more; a larger number is a typing error


class Organization(models.Model):
    """单位/组织 — an organization in a region: platform, court, police station, committee…"""

    name = models.CharField(_("名称"), max_length=100)
    # The org's own identifier (统一社会信用代码 or a local code): the key an import matches on.
    code = models.CharField(_("单位代码"), max_length=30, blank=True, default="")
    kind = models.ForeignKey(
        OrgKind, on_delete=models.PROTECT, related_name="orgs", verbose_name=_("类型")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="orgs", verbose_name=_("所在区划")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级/主管单位"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    liaison = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联络员"),
    )
    paired_orgs = models.ManyToManyField("self", blank=True, verbose_name=_("结对单位"))
    # 民警人数 of a police station: seed 004 asks for a 派驻调解室 in every station with 20 or
    # more officers (reports.coverage). Empty: not recorded (the station is not counted).
    officer_count = models.PositiveSmallIntegerField(
        _("民警人数"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(OFFICER_COUNT_MAX)],
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "region__path", "org": "pk"}

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region__path", "kind__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region"),
            models.CheckConstraint(
                condition=models.Q(officer_count__isnull=True)
                | models.Q(officer_count__lte=OFFICER_COUNT_MAX),
                name="org_officer_count_range",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="org_unique_code"
            ),
        ]
        permissions = [
            ("view_reports", _("查看队伍建设报表")),
            ("export_reports", _("导出报表")),
            ("manage_orgs", _("管理辖区单位、人员与调解员档案")),
        ]

    def __str__(self) -> str:
        return self.name


class OrgCategory(models.Model):
    """属事 — a dispute category an organization handles (one row per category, indexed for
    routing by category)."""

    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="categories", verbose_name=_("单位")
    )
    category = models.CharField(_("纠纷类别"), max_length=30, choices=DisputeCategory.choices)

    class Meta:
        verbose_name = _("受理类别")
        verbose_name_plural = _("受理类别")
        constraints = [
            models.UniqueConstraint(fields=["org", "category"], name="orgcategory_unique")
        ]
        indexes = [models.Index(fields=["category", "org"], name="orgcategory_by_category")]

    def __str__(self) -> str:
        return self.get_category_display()


class Person(models.Model):
    """人员 — a mediator, grid worker, judge, officer… with or without a login account."""

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
    is_party_member = models.BooleanField(_("党员"), default=False)
    volunteer_kind = models.CharField(
        _("志愿者类别"),
        max_length=20,
        blank=True,
        choices=VolunteerKind.choices,
        default=VolunteerKind.NONE,
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("所属区划"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账户"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    scope_lookups: ClassVar[dict[str, str]] = {
        "region": "region__path",
        "org": "memberships__org_id",
    }
    scope_distinct: ClassVar[bool] = True

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["region", "name"], name="person_region_name")]
        permissions = [("view_personal_data", _("查看完整身份证号和手机号"))]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """任职 — a person's role and position in an organization, full- or part-time."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("人员")
    )
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("单位")
    )
    role = models.CharField(_("角色"), max_length=20, choices=PersonRole.choices)
    position = models.CharField(
        _("职务"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    is_full_time = models.BooleanField(_("专职"), default=False)
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "org__region__path", "org": "org_id"}

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            range_constraint(
                "started_on",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="membership_started_on_range",
            ),
            range_constraint(
                "ended_on",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="membership_ended_on_range",
                nullable=True,
            ),
            models.UniqueConstraint(
                fields=["person", "org", "role"],
                condition=models.Q(ended_on__isnull=True),
                name="membership_one_active_role",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_end_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["org", "role"],
                name="membership_org_role",
                condition=models.Q(ended_on__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.org} · {self.get_role_display()}"


class MediatorProfile(models.Model):
    """调解员档案 — specialties, grade, stars, named studio and grid assignments."""

    person = models.OneToOneField(
        Person,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mediator_profile",
        verbose_name=_("人员"),
    )
    expert_fields = models.JSONField(_("专家领域"), default=list, blank=True)
    grade = models.CharField(
        _("等级"), max_length=20, choices=MediatorGrade.choices, default=MediatorGrade.UNGRADED
    )
    stars = models.PositiveSmallIntegerField(
        _("星级"), default=0, validators=[MaxValueValidator(5)]
    )
    studio_name = models.CharField(_("个人调解工作室"), max_length=100, blank=True)
    certified_on = models.DateField(_("聘任日期"), null=True, blank=True)
    grids = models.ManyToManyField(
        "regions.Region", blank=True, related_name="grid_mediators", verbose_name=_("包联网格")
    )

    class Meta:
        verbose_name = _("调解员档案")
        verbose_name_plural = _("调解员档案")
        constraints = [
            range_constraint(
                "certified_on",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="mediator_certified_on_range",
                nullable=True,
            ),
            models.CheckConstraint(condition=models.Q(stars__lte=5), name="mediator_stars_0_5"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class MediatorSpecialty(models.Model):
    """擅长领域 — a dispute category a mediator specialises in."""

    profile = models.ForeignKey(
        MediatorProfile,
        on_delete=models.CASCADE,
        related_name="specialties",
        verbose_name=_("调解员"),
    )
    category = models.CharField(_("纠纷类别"), max_length=30, choices=DisputeCategory.choices)

    class Meta:
        verbose_name = _("擅长领域")
        verbose_name_plural = _("擅长领域")
        constraints = [
            models.UniqueConstraint(fields=["profile", "category"], name="specialty_unique")
        ]
        indexes = [models.Index(fields=["category", "profile"], name="specialty_by_category")]

    def __str__(self) -> str:
        return self.get_category_display()


class TrainingRecord(models.Model):
    """培训记录 — one training a person attended (实训 counts for the yearly minimum)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("人员")
    )
    held_on = models.DateField(_("培训日期"))
    kind = models.CharField(_("形式"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings_organized",
        verbose_name=_("组织单位"),
    )

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on"]
        constraints = [
            range_constraint(
                "held_on",
                earliest=EARLIEST_DATE,
                latest=STORABLE_BEFORE,
                name="training_held_on_range",
            )
        ]
        indexes = [models.Index(fields=["person", "held_on"], name="training_person_date")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class RecusalDeclaration(models.Model):
    """回避声明 — a standing conflict of interest a mediator has declared."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("人员")
    )
    subject_name = models.CharField(_("利害关系人/单位"), max_length=100)
    relation = models.CharField(_("关系"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    declared_on = models.DateField(_("声明日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        ordering = ["-declared_on"]

    def __str__(self) -> str:
        return f"{self.person} — {self.subject_name}"
