"""诉调对接 — a court's referral of a case to mediation (委派 before filing, 委托 after) and the
court's roster of invited mediators (特邀调解组织/特邀调解员) it may refer to.

The referral follows its case (``services.referral.follow_case``, told by disputes of every
workflow action): 已委派 → 调解中 when the org accepts → 调解成功, 调解不成已退回 (with the
undisputed facts), 期满退回 (the 委派 period ran out, the sweep returned it) or 撤回. The period
itself is the case's mediation deadline (``DueItem``, disputes/clocks.py): the referral does not
copy it, so an extension with the parties' consent moves it on both sides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.disputes.choices import CourtProcedure


class ReferralKind(models.TextChoices):
    PRE = "pre", _("委派调解（诉前）")
    POST = "post", _("委托调解（诉中）")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("已委派/委托")
    MEDIATING = "mediating", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    RETURNED = "returned", _("调解不成已退回")
    EXPIRED = "expired", _("期满退回")
    WITHDRAWN = "withdrawn", _("撤回")


# The referral is still with the mediation side.
OPEN_REFERRAL = (ReferralStatus.SENT, ReferralStatus.MEDIATING)
# Back at the court, to be filed (立案).
RETURNED_REFERRAL = (ReferralStatus.RETURNED, ReferralStatus.EXPIRED)


class CourtReferral(models.Model):
    """委派/委托调解 — a court sends one case to a mediation org (or one of its 特邀调解员) and
    gets it back: succeeded, returned after failure with the undisputed facts, or returned on
    expiry; a returned case is filed by the court (已立案, with its 案号)."""

    case = models.OneToOneField(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="court_referral",
        verbose_name=_("案件"),
    )
    # Leads the queue indexes below: no index of its own.
    court = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("委派法院"),
        db_index=False,
    )
    kind = models.CharField(_("方式"), max_length=10, choices=ReferralKind.choices)
    # 委托 only: the court's own case number and procedure (15 or 7 days, clocks.py). A 委托 the
    # court sends from its page must carry the number (the service asks); one the platform
    # dispatched the ordinary way has none until the court adds it.
    court_case_number = models.CharField(_("法院案号"), max_length=60, blank=True)
    procedure = models.CharField(
        _("审理程序"), max_length=20, choices=CourtProcedure.choices, blank=True
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承接调解组织"),
    )
    mediator = models.ForeignKey(
        "orgs.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("特邀调解员"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    note = models.TextField(_("委派说明"), blank=True)
    sent_at = models.DateTimeField(_("委派时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("委派人"),
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    # What the court is handed back: the undisputed facts and the mediator's note, or why the
    # period ran out.
    undisputed_facts = models.TextField(_("无争议事实记载"), blank=True)
    return_note = models.TextField(_("退回说明"), blank=True)
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    filed_number = models.CharField(_("立案案号"), max_length=60, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("立案人"),
    )

    class Meta:
        verbose_name = _("委派委托调解")
        verbose_name_plural = _("委派委托调解")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(filed_at__isnull=True, filed_number="")
                | (models.Q(filed_at__isnull=False) & ~models.Q(filed_number="")),
                name="courtreferral_filed_with_number",
            ),
        ]
        indexes = [
            # The court's tabs: counts per status and the newest first.
            models.Index(fields=["court", "status", "-sent_at"], name="courtref_court_status"),
            # 已退回待立案: returned and not filed, oldest return first.
            models.Index(
                fields=["court", "returned_at"],
                name="courtref_court_to_file",
                condition=models.Q(status__in=["returned", "expired"], filed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} → {self.org_id}"

    @property
    def to_file(self) -> bool:
        return self.status in RETURNED_REFERRAL and self.filed_at is None


class RosterStatus(models.TextChoices):
    APPLIED = "applied", _("申请中")
    APPROVED = "approved", _("已入册")
    REJECTED = "rejected", _("未通过")
    REMOVED = "removed", _("已除名")


class RosterMember(models.Model):
    """特邀调解名册 — an org (特邀调解组织) or one of its mediators (特邀调解员) on a court's
    roster: applied for by the org's administrator or the mediator, approved by the court,
    reviewed each year, removed with a reason. Only approved members can receive the court's
    委派/委托 (法释〔2016〕14号 特邀调解规定 arts. 6-8 and 18, as remembered)."""

    court = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("法院"),
        db_index=False,
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="court_rosters",
        verbose_name=_("特邀调解组织"),
    )
    mediator = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("特邀调解员"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RosterStatus.choices, default=RosterStatus.APPLIED
    )
    applied_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_due = models.DateField(_("年度复核日期"), null=True, blank=True)
    removed_reason = models.TextField(_("除名理由"), blank=True)

    class Meta:
        verbose_name = _("特邀调解名册")
        verbose_name_plural = _("特邀调解名册")
        ordering = ["status", "org_id", "pk"]
        constraints = [
            # One live entry per org, and per mediator, on a court's roster.
            models.UniqueConstraint(
                fields=["court", "org"],
                condition=models.Q(mediator__isnull=True, status__in=["applied", "approved"]),
                name="roster_live_org",
            ),
            models.UniqueConstraint(
                fields=["court", "mediator"],
                condition=models.Q(mediator__isnull=False, status__in=["applied", "approved"]),
                name="roster_live_mediator",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="removed") | ~models.Q(removed_reason=""),
                name="roster_removed_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["court", "status"], name="roster_court_status")]

    def __str__(self) -> str:
        return f"{self.court_id}: {self.org_id}/{self.mediator_id or '-'}"
