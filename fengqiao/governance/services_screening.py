"""Every write of 排查 (screening): a unit's report for a period (findings or 零报告), a
platform's 专项排查, and the sweep that chases a missing report once per period. Refused by
the one policy (``policy.screening_filing_org``, ``governance_may(CONVENE)``), in one
transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory
from fengqiao.governance import selectors
from fengqiao.governance.choices import ScreeningCadence
from fengqiao.governance.models import (
    SCREENING_LEVELS,
    ScreeningCampaign,
    ScreeningChase,
    ScreeningFinding,
    ScreeningPlan,
    ScreeningReport,
)
from fengqiao.governance.periods import (
    Period,
    recently_due_periods,
    screening_due_at,
    screening_period,
)
from fengqiao.governance.policy import CONVENE, governance_may, screening_filer_orgs
from fengqiao.governance.policy import screening_filing_org as filing_org_of
from fengqiao.governance.services import AlreadyRecorded, GovernanceRefused
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import Message, notify_many, users_by_org
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region

MAX_FINDINGS = 20
# Late filing stays open this long after a period (older periods are history).
LATE_FILING_DAYS = 92
# A 专项排查 lasts at most this long (a sensitive period: 两会, 春节, 国庆 …).
CAMPAIGN_MAX_DAYS = 92
# The sweep chases at most this many units of one plan or campaign per run (the rest next run).
CHASE_BATCH = 2000
# The sweep looks back this far for periods that came due (it runs hourly: a day of outage is
# made up; a period due longer ago is left to the board).
CHASE_WINDOW = timedelta(days=2)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise GovernanceRefused(message)


def board_url() -> str:
    return reverse("governance:screening")


def screening_report_file(
    *,
    actor: Any,
    unit_id: int,
    period_start: date,
    plan_id: int | None = None,
    campaign_id: int | None = None,
    zero: bool = False,
    case_ids: Iterable[int] = (),
    descriptions: Iterable[str] = (),
    note: str = "",
    now: datetime | None = None,
) -> ScreeningReport:
    """报送排查报告: ``unit``'s report for the period of its plan (or of a 专项排查) starting
    ``period_start`` — the disputes found (cases registered there in the period, or short
    descriptions) or an explicit 零报告. Once per unit and period (the same submit again is
    ``AlreadyRecorded``); filed after the due time it is 迟报."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    unit = Region.objects.filter(pk=unit_id).first()
    org = filing_org_of(actor, unit)
    _refuse_unless(org is not None, _("您不是该单位的排查报送人员。"))
    assert unit is not None  # noqa: S101 - refused above otherwise
    plan = campaign = None
    if campaign_id is not None:
        campaign = ScreeningCampaign.objects.select_related("region").filter(pk=campaign_id).first()
        _refuse_unless(
            campaign is not None
            and campaign.unit_level == unit.level
            and unit.path.startswith(campaign.region.path)
            and campaign.starts_on <= period_start <= campaign.ends_on,
            _("该单位不在这次专项排查的报送范围内。"),
        )
        cadence: str = ScreeningCadence.DAILY
    else:
        plan = ScreeningPlan.objects.filter(pk=plan_id or 0, is_active=True).first()
        _refuse_unless(plan is not None and plan.level == unit.level, _("该单位没有这项排查计划。"))
        cadence = plan.cadence  # type: ignore[union-attr]
    period = screening_period(cadence, period_start)
    _refuse_unless(period.start == period_start, _("排查期次不正确。"))
    _refuse_unless(period.start <= today, _("该期排查尚未开始，不能报送。"))
    _refuse_unless(
        period.end >= today - timedelta(days=LATE_FILING_DAYS), _("该期排查已过补报期限。")
    )
    source: dict[str, Any] = {"campaign": campaign} if campaign else {"plan": plan}
    existing = ScreeningReport.objects.filter(
        unit=unit, period_start=period.start, **source
    ).first()
    if existing is not None:
        raise AlreadyRecorded(existing)
    texts = [t.strip()[:200] for t in descriptions if t and t.strip()]
    allowed_cases = {c.pk: c for c in selectors.finding_cases(actor, unit, period)}
    cases = [allowed_cases.get(int(pk)) for pk in dict.fromkeys(case_ids)]
    _refuse_unless(all(c is not None for c in cases), _("所选纠纷不是本单位本期登记的纠纷。"))
    if zero:
        _refuse_unless(not texts and not cases, _("零报告不能同时列出排查发现的纠纷。"))
    else:
        _refuse_unless(bool(texts or cases), _("请列出排查发现的纠纷，或选择“零报告”。"))
    _refuse_unless(len(texts) + len(cases) <= MAX_FINDINGS, _("一次最多列出20项纠纷。"))
    due_at = screening_due_at(period)
    try:
        with transaction.atomic():
            report = ScreeningReport.objects.create(
                unit=unit,
                period_start=period.start,
                period_end=period.end,
                due_at=due_at,
                is_zero=zero,
                is_late=now > due_at,
                note=note.strip(),
                filing_org=org,
                filed_by=actor,
                filed_at=now,
                **source,
            )
            ScreeningFinding.objects.bulk_create(
                [
                    ScreeningFinding(report=report, case=c, description=c.title[:200])
                    for c in cases
                    if c is not None
                ]
                + [ScreeningFinding(report=report, description=t) for t in texts]
            )
            audit_record(
                actor=actor,
                event_type=EventType.GOV_SCREENING_REPORT,
                obj=report,
                after={
                    "unit": unit.pk,
                    "plan": plan.pk if plan else None,
                    "campaign": campaign.pk if campaign else None,
                    "period": period.start.isoformat(),
                    "zero": zero,
                    "late": report.is_late,
                    "cases": [c.pk for c in cases if c is not None],
                    "descriptions": len(texts),
                },
            )
    except IntegrityError:
        # The same report from a second submit that raced past the check above.
        existing = ScreeningReport.objects.filter(
            unit=unit, period_start=period.start, **source
        ).first()
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None
    return report


def screening_campaign_create(
    *,
    actor: Any,
    organizer_id: int,
    region_id: int,
    title: str,
    starts_on: date,
    ends_on: date,
    unit_level: int,
    categories: Iterable[str] = (),
    note: str = "",
    submit_key: str | None = None,
) -> ScreeningCampaign:
    """部署专项排查: a platform's daily screening in its area (or a part of it) over a date
    range; every unit of ``unit_level`` there files one report a day."""
    if submit_key:
        existing = ScreeningCampaign.objects.filter(submit_key=submit_key).first()
        if existing is not None:
            raise AlreadyRecorded(existing)
    org = Organization.objects.filter(pk=organizer_id).select_related("region").first()
    _refuse_unless(
        org is not None and governance_may(actor, CONVENE, org),
        _("只有综治中心（平安办）的工作人员可以部署专项排查。"),
    )
    assert org is not None  # noqa: S101
    region = Region.objects.filter(pk=region_id).first()
    _refuse_unless(
        region is not None and region.path.startswith(org.region.path),
        _("排查范围须在本平台辖区内。"),
    )
    assert region is not None  # noqa: S101
    _refuse_unless(
        unit_level in dict(SCREENING_LEVELS) and unit_level >= region.level,
        _("报送单位层级须在排查范围之内。"),
    )
    title = title.strip()
    _refuse_unless(bool(title), _("请填写专项排查名称。"))
    today = timezone.localdate()
    _refuse_unless(starts_on <= ends_on, _("结束日期不能早于开始日期。"))
    _refuse_unless(
        (ends_on - starts_on).days < CAMPAIGN_MAX_DAYS,
        _("专项排查最长%(n)d天。") % {"n": CAMPAIGN_MAX_DAYS},
    )
    _refuse_unless(
        today - timedelta(days=30) <= starts_on <= today + timedelta(days=366),
        _("开始日期须在近30天至一年之内。"),
    )
    cats = sorted(set(categories))
    _refuse_unless(all(c in DisputeCategory.values for c in cats), _("所选纠纷类别不存在。"))
    try:
        with transaction.atomic():
            campaign = ScreeningCampaign.objects.create(
                title=title[:100],
                organizer=org,
                region=region,
                unit_level=unit_level,
                categories=cats,
                starts_on=starts_on,
                ends_on=ends_on,
                note=note.strip(),
                created_by=actor,
                submit_key=submit_key or None,
            )
            audit_record(
                actor=actor,
                event_type=EventType.GOV_SCREENING_CAMPAIGN,
                obj=campaign,
                after={
                    "region": region.pk,
                    "unit_level": unit_level,
                    "categories": cats,
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(),
                },
            )
    except IntegrityError:
        existing = ScreeningCampaign.objects.filter(submit_key=submit_key).first()
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None
    return campaign


# --- Lateness reminders (tasks.py) -------------------------------------------------------


def _chase_one(
    *,
    plan: ScreeningPlan | None,
    campaign: ScreeningCampaign | None,
    period: Period,
    due_at: datetime,
    now: datetime,
) -> int:
    """One plan's (or campaign's) latest due period: every unit still missing its report and
    not yet chased gets one 催报 (to its filing orgs' users) and a chase row, in one
    transaction under the plan's (campaign's) row lock, so a second sweep finds them chased."""
    source: dict[str, Any] = {"campaign": campaign} if campaign else {"plan": plan}
    with transaction.atomic():
        locked = (
            ScreeningCampaign.objects.select_for_update().filter(pk=campaign.pk)
            if campaign
            else ScreeningPlan.objects.select_for_update().filter(pk=plan.pk)  # type: ignore[union-attr]
        )
        if not locked.exists():
            return 0
        chased = ScreeningChase.objects.filter(period_start=period.start, **source)
        units = list(
            selectors.missing_units(plan=plan, campaign=campaign, period=period).exclude(
                pk__in=chased.values("unit_id")
            )[:CHASE_BATCH]
        )
        if not units:
            return 0
        filers = screening_filer_orgs(units)
        by_org = users_by_org({pk for ids in filers.values() for pk in ids})
        what = campaign.title if campaign else str(plan)
        messages = []
        chases = []
        for unit in units:
            recipients = {u.pk: u for pk in filers[unit.pk] for u in by_org.get(pk, [])}
            chases.append(
                ScreeningChase(
                    unit=unit,
                    period_start=period.start,
                    chased_at=now,
                    recipients=len(recipients),
                    **source,
                )
            )
            if recipients:
                messages.append(
                    Message(
                        list(recipients.values()),
                        NotificationKind.SCREENING,
                        _("排查报告未报：%(unit)s %(period)s")
                        % {"unit": unit.name, "period": period.label},
                        _(
                            "%(what)s：%(period)s的排查报告应于%(due)s前报送，请尽快补报（有纠纷列明，无纠纷报零报告）。"
                        )
                        % {
                            "what": what,
                            "period": period.label,
                            "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
                        },
                        board_url(),
                    )
                )
        ScreeningChase.objects.bulk_create(chases)
        notify_many(messages)
    return len(units)


@dataclass(frozen=True)
class ChaseResult:
    chased: int


def screening_chase(*, now: datetime | None = None) -> ChaseResult:
    """The sweep (hourly): for each active plan and each running 专项排查, the periods that
    came due within ``CHASE_WINDOW``; each unit missing its report is chased once
    (``ScreeningChase``). Its cost follows the units due in those few periods (an anti-join
    per plan and period on the reports' unique index), not every unit × period."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    chased = 0
    for plan in selectors.screening_plans().values():
        for period, due_at in recently_due_periods(plan.cadence, now, CHASE_WINDOW):
            chased += _chase_one(plan=plan, campaign=None, period=period, due_at=due_at, now=now)
    campaigns = ScreeningCampaign.objects.filter(
        starts_on__lte=today, ends_on__gte=today - timedelta(days=20)
    ).select_related("region")
    daily = recently_due_periods(ScreeningCadence.DAILY, now, CHASE_WINDOW)
    for campaign in campaigns:
        for period, due_at in daily:
            if campaign.starts_on <= period.start <= campaign.ends_on:
                chased += _chase_one(
                    plan=None, campaign=campaign, period=period, due_at=due_at, now=now
                )
    return ChaseResult(chased)
