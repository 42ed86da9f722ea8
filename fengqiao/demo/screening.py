"""The demo county's 排查 reports (governance): every grid, village, township and the county
filed on its cadence for the recent periods — most on time (零报告 mostly, some listing what
they found), some late (迟报), some not at all (未报) — and the county's 专项排查 for a sensitive
period with the townships' daily reports. The units of the demo accounts (``gridworker``'s and
``mediator``'s village and its grids, ``dispatcher``'s township) leave this period open so
they have something to file; their earlier periods are filed through the service.

The thousands of rows of the other units, whose people have no login, are written in bulk
(filed by nobody, for their filing org): the seed must stay a few seconds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.core.choices import DisputeCategory
from fengqiao.demo.data import COUNTY_CODE
from fengqiao.governance import services_screening
from fengqiao.governance.choices import ScreeningCadence
from fengqiao.governance.models import (
    ScreeningFinding,
    ScreeningPlan,
    ScreeningReport,
)
from fengqiao.governance.periods import Period, screening_due_times, screening_periods
from fengqiao.governance.policy import screening_filer_orgs
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

FINDINGS = (
    "邻里因宅基地边界发生争执，已现场劝解",
    "租户拖欠物业费三个月，物业公司反映",
    "工地拖欠务工人员工资，涉及十余人",
    "家庭赡养纠纷，子女互相推诿",
    "村民因排水沟堵塞引发口角",
    "土地流转租金支付争议",
    "装修噪音扰民引发邻里矛盾",
    "婚姻家庭矛盾，妇联已介入",
)
# Periods shown on the board per cadence (selectors.BOARD_*), the newest left open for the
# demo accounts' units.
RECENT: dict[str, int] = {ScreeningCadence.DAILY: 7}
RECENT_DEFAULT = 6


@dataclass(frozen=True)
class ScreeningSummary:
    reports: int
    late: int
    zero: int
    campaigns: int


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _region_of(username: str) -> int | None:
    grant = RoleGrant.objects.filter(user__username=username, org__isnull=False).first()
    return grant.org.region_id if grant and grant.org else None


def demo_screening_seed(*, seed: int = 2026, today: date | None = None) -> ScreeningSummary:
    county = Region.objects.filter(code=COUNTY_CODE).first()
    if county is None or ScreeningReport.objects.exists():
        return ScreeningSummary(0, 0, 0, 0)
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(seed)
    village_a, township_a = _region_of("gridworker"), _region_of("dispatcher")
    accounts = {village_a, township_a}
    plans = {p.level: p for p in ScreeningPlan.objects.filter(is_active=True)}
    units = list(
        Region.objects.filter(path__startswith=county.path, level__in=list(plans)).order_by("path")
    )
    filers = screening_filer_orgs(units)
    reports: list[ScreeningReport] = []
    texts: list[list[str]] = []
    served: list[tuple[Region, Period]] = []  # the demo accounts' earlier periods
    # The periods and due times of each plan, read once (not per unit).
    plan_periods = {
        level: screening_periods(p.cadence, today, RECENT.get(p.cadence, RECENT_DEFAULT))
        for level, p in plans.items()
    }
    due = screening_due_times(p for periods in plan_periods.values() for p in periods)
    for unit in units:
        plan = plans[unit.level]
        periods = plan_periods[unit.level]
        own = unit.pk in accounts or (unit.parent_id in accounts and unit.level == RegionLevel.GRID)
        for age, period in enumerate(periods):
            if own:
                if age > 0:
                    served.append((unit, period))
                continue
            draw = rng.random()
            # The current period: about half filed already; older ones mostly filed.
            missing = 0.5 if age == 0 else 0.1
            if draw < missing:
                continue
            due_at = due[period.end]
            late = age > 0 and draw > 0.88
            filed_at = (
                due_at + timedelta(hours=rng.randint(2, 40))
                if late
                else min(now, due_at - timedelta(hours=rng.randint(1, 20)))
            )
            if filed_at > now:
                continue
            found = rng.random() < 0.25
            reports.append(
                ScreeningReport(
                    unit=unit,
                    plan=plan,
                    period_start=period.start,
                    period_end=period.end,
                    due_at=due_at,
                    is_zero=not found,
                    is_late=late,
                    filing_org_id=next(iter(filers[unit.pk]), None),
                    filed_at=filed_at,
                )
            )
            texts.append([rng.choice(FINDINGS)] if found else [])
    ScreeningReport.objects.bulk_create(reports, batch_size=1000)
    saved = {
        (r.unit_id, r.period_start): r for r in ScreeningReport.objects.filter(plan__isnull=False)
    }
    ScreeningFinding.objects.bulk_create(
        [
            ScreeningFinding(report=saved[(r.unit_id, r.period_start)], description=t)
            for r, lines in zip(reports, texts, strict=True)
            for t in lines
        ],
        batch_size=1000,
    )
    count = len(reports)
    # The demo accounts' units: their earlier periods filed through the service, one left
    # missing and one late, so the board shows both for the demo township.
    gridworker, dispatcher = _user("gridworker"), _user("dispatcher")
    for i, (unit, period) in enumerate(served):
        actor = dispatcher if unit.pk == township_a else gridworker
        if actor is None or i % 5 == 3:
            continue
        due_at = screening_due_times([period])[period.end]
        filed = due_at + timedelta(hours=3) if i % 7 == 2 else due_at - timedelta(hours=6)
        if filed > now:
            continue
        services_screening.screening_report_file(
            actor=actor,
            unit_id=unit.pk,
            plan_id=plans[unit.level].pk,
            period_start=period.start,
            zero=i % 3 != 0,
            descriptions=[] if i % 3 != 0 else [FINDINGS[i % len(FINDINGS)]],
            note="入户走访、电话回访，排查辖区矛盾纠纷。",
            now=filed,
        )
        count += 1
    campaigns = 0
    county_dispatcher = _user("dispatcher_county")
    county_platform = RoleGrant.objects.filter(user__username="dispatcher_county").first()
    if county_dispatcher is not None and county_platform is not None and county_platform.org_id:
        campaign = services_screening.screening_campaign_create(
            actor=county_dispatcher,
            organizer_id=county_platform.org_id,
            region_id=county.pk,
            title="岁末年初矛盾纠纷专项排查",
            starts_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=20),
            unit_level=RegionLevel.TOWNSHIP,
            categories=[DisputeCategory.LABOUR, DisputeCategory.EXPROPRIATION],
            note="重点排查欠薪、征地拆迁、涉众型经济纠纷，每日报送，无纠纷报零报告。",
        )
        campaigns = 1
        townships = [u for u in units if u.level == RegionLevel.TOWNSHIP and u.pk != township_a]
        for day in range(3, 0, -1):
            start = today - timedelta(days=day)
            period = screening_periods(ScreeningCadence.DAILY, start, 1)[0]
            due_at = screening_due_times([period])[period.end]
            rows = [
                ScreeningReport(
                    unit=u,
                    campaign=campaign,
                    period_start=start,
                    period_end=start,
                    due_at=due_at,
                    is_zero=True,
                    is_late=False,
                    filing_org_id=next(iter(filers[u.pk]), None),
                    filed_at=min(
                        now,
                        timezone.make_aware(datetime.combine(start, time(17, rng.randint(0, 59)))),
                    ),
                )
                for u in townships
                if rng.random() < 0.8
            ]
            ScreeningReport.objects.bulk_create(rows)
            count += len(rows)
    late_count = ScreeningReport.objects.filter(is_late=True).count()
    zero = ScreeningReport.objects.filter(is_zero=True).count()
    return ScreeningSummary(count, late_count, zero, campaigns)
