"""The demo county's risk warnings and 应急联动 (docs/risk.md): four reports the demo
``gridworker`` filed, graded by the rules and warned through the services, then set back in time
so each stands in another state —

- 20 minutes ago, 高: a neighbour who threatens revenge — awaiting the township's 签收;
- 5 hours ago, 高: a garment factory's wage arrears — nobody acknowledged within 2 hours, so the
  sweep escalated it to the county 综治中心, which acknowledged it;
- 2 days ago, 重大: 120 households on land compensation — acknowledged, an emergency response open
  with the 派出所's task done, the 司法所's open and the 人民法庭's overdue;
- 20 days ago, 高: a construction site's wage arrears — handled, its response and warning closed.

A few dozen rows; idempotent with the rest of ``seed_demo`` (it runs once, on an empty county)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db.models import F
from django.forms import ModelChoiceField
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyRole
from fengqiao.disputes.forms import QuickReportForm
from fengqiao.disputes.models import Case, TimelineEvent
from fengqiao.disputes.selectors import intake_platform_for
from fengqiao.disputes.services.intake import IntakeReport, PartyInput, case_register
from fengqiao.notify.models import Notification
from fengqiao.risk import alerts, emergency
from fengqiao.risk.models import (
    EmergencyLog,
    EmergencyResponse,
    EmergencyTask,
    RiskWarning,
    WarningAction,
    WarningNotice,
)
from fengqiao.supervision.services import directive_answer, directive_issue


@dataclass(frozen=True)
class WarningsSummary:
    warnings: int
    emergencies: int


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


def _org_id(name: str) -> int | None:
    grant = RoleGrant.objects.filter(user__username=name, org__isnull=False).first()
    return grant.org_id if grant else None


def _report(worker: User, category: str, title: str, facts: str, who: tuple[str, str]) -> Case:
    field = cast(ModelChoiceField, QuickReportForm(user=worker).fields["region"])
    region = field.queryset.first() if field.queryset is not None else None
    platform = intake_platform_for(worker, region) if region is not None else None
    if region is None or platform is None:
        raise ValueError("the demo grid worker has no platform")
    return case_register(
        actor=worker,
        platform=platform,
        report=IntakeReport(
            channel=IntakeChannel.GRID,
            category=category,
            region=region,
            title=title,
            parties=(
                PartyInput(role=PartyRole.APPLICANT, name=who[0], phone="13800001234"),
                PartyInput(role=PartyRole.RESPONDENT, name=who[1]),
            ),
            facts=facts,
        ),
    )


def _back(case: Case, by: timedelta) -> RiskWarning:
    """Move the case, its warning, its notices and the messages about them ``by`` into the
    past (the demo's history, written now)."""
    Case.objects.filter(pk=case.pk).update(registered_at=F("registered_at") - by)
    TimelineEvent.objects.filter(case=case).update(at=F("at") - by)
    Notification.objects.filter(case=case).update(created_at=F("created_at") - by)
    RiskWarning.objects.filter(case=case).update(raised_at=F("raised_at") - by)
    WarningNotice.objects.filter(warning__case=case).update(
        sent_at=F("sent_at") - by, due_at=F("due_at") - by
    )
    return RiskWarning.objects.get(case=case)


def _acknowledge(warning: RiskWarning, name: str, at: datetime) -> None:
    user, org = _user(name), _org_id(name)
    notice = WarningNotice.objects.filter(warning=warning, org_id=org).first()
    if user is None or notice is None:
        return
    alerts.warning_acknowledge(actor=user, notice_id=notice.pk)
    WarningNotice.objects.filter(pk=notice.pk).update(acknowledged_at=at)


def demo_warnings_seed(*, now: datetime | None = None) -> WarningsSummary:
    now = now or timezone.now()
    worker, dispatcher = _user("gridworker"), _user("dispatcher")
    police, justice = _user("police"), _user("justice")
    police_org, justice_org, court_org = _org_id("police"), _org_id("justice"), _org_id("judge")
    if (
        worker is None
        or dispatcher is None
        or police is None
        or justice is None
        or police_org is None
        or justice_org is None
        or court_org is None
    ):
        return WarningsSummary(0, 0)

    # 5 hours ago: nobody acknowledged in 2 hours; the sweep took it to the county.
    factory = _report(
        worker,
        DisputeCategory.LABOUR,
        "服装厂拖欠工人工资",
        "服装厂停产两个月，拖欠四十余名工人工资，工人们说明天一起去堵镇政府大门讨说法",
        ("吴秀兰", "某服装有限公司"),
    )
    warning = _back(factory, timedelta(hours=5))
    alerts.sweep_warnings(now - timedelta(hours=5) + timedelta(minutes=121))
    _acknowledge(warning, "dispatcher_county", now - timedelta(hours=2, minutes=40))

    # 2 days ago, 重大: acknowledged, an on-site response under way.
    land = _report(
        worker,
        DisputeCategory.EXPROPRIATION,
        "征地补偿款分配纠纷",
        "一百二十余户村民对征地补偿款分配方案不满，扬言要同归于尽，准备集体到区里上访",
        ("陈德旺", "某村股份经济合作社"),
    )
    warning = _back(land, timedelta(days=2))
    _acknowledge(warning, "dispatcher", now - timedelta(days=2) + timedelta(minutes=25))
    alerts.warning_record(
        actor=dispatcher,
        warning_id=warning.pk,
        measure="stabilise",
        note="镇党委副书记包案，当晚入户走访村民代表，掌握动态",
    )
    response = emergency.emergency_open(
        actor=dispatcher,
        case_id=land.pk,
        warning_id=warning.pk,
        title="征地补偿款分配纠纷应急处置",
        place="村委会",
        situation="村民代表三十余人聚集在村委会，情绪激动",
        lead_id=dispatcher.pk,
        org_ids=[police_org, justice_org, court_org],
        tasks=[
            emergency.TaskInput(
                "现场稳控，防止聚集、堵门等过激行为", police_org, now + timedelta(hours=4)
            ),
            emergency.TaskInput(
                "组织开展调解，疏导当事人情绪", justice_org, now + timedelta(days=3)
            ),
            emergency.TaskInput("提供法律指导，释法明理", court_org, now + timedelta(hours=8)),
        ],
    )
    tasks = {t.owner_org_id: t for t in response.tasks.all()}
    emergency.emergency_task_done(
        actor=police, task_id=tasks[police_org].pk, result="民警六人到场，劝离聚集人员，秩序平稳"
    )
    emergency.emergency_log(
        actor=justice, response_id=response.pk, text="司法所所长到场，约定三日后召开村民代表调解会"
    )
    by = timedelta(days=2)
    EmergencyResponse.objects.filter(pk=response.pk).update(opened_at=F("opened_at") - by)
    EmergencyLog.objects.filter(response=response).update(at=F("at") - by + timedelta(hours=2))
    EmergencyTask.objects.filter(pk=tasks[court_org].pk).update(due_at=now - timedelta(days=1))
    EmergencyTask.objects.filter(pk=tasks[police_org].pk).update(
        due_at=now - by + timedelta(hours=4), done_at=now - by + timedelta(hours=2)
    )
    WarningAction.objects.filter(warning=warning).update(at=F("at") - by + timedelta(hours=1))
    alerts.sweep_warnings(now)  # the overdue tribunal task is chased

    # 20 days ago: handled, closed.
    site = _report(
        worker,
        DisputeCategory.LABOUR,
        "工地拖欠农民工工资",
        "包工头拖欠三十多个农民工工资，工人们扬言不给钱就去堵区政府大门",
        ("黄建军", "某建筑劳务有限公司"),
    )
    warning = _back(site, timedelta(days=20))
    for name in ("dispatcher", "dispatcher_county"):
        _acknowledge(warning, name, now - timedelta(days=20) + timedelta(minutes=40))
    response = emergency.emergency_open(
        actor=dispatcher,
        case_id=site.pk,
        warning_id=warning.pk,
        title="工地讨薪现场处置",
        place="建筑工地门口",
        situation="三十余名农民工聚集在工地门口讨薪",
        lead_id=dispatcher.pk,
        org_ids=[police_org, justice_org],
        tasks=[
            emergency.TaskInput("现场稳控", police_org, now + timedelta(hours=4)),
            emergency.TaskInput("组织劳资双方调解", justice_org, now + timedelta(days=1)),
        ],
    )
    for task in response.tasks.select_related("owner_org"):
        actor = police if task.owner_org_id == police_org else justice
        emergency.emergency_task_done(
            actor=actor, task_id=task.pk, result="已完成：劳务公司当场支付首期工资"
        )
    emergency.emergency_close(
        actor=dispatcher, response_id=response.pk, summary="劳务公司分两期结清工资，工人散去"
    )
    alerts.warning_close(
        actor=dispatcher, warning_id=warning.pk, note="工资已结清，纳入回访，不再存在风险"
    )
    by = timedelta(days=20)
    EmergencyResponse.objects.filter(pk=response.pk).update(
        opened_at=F("opened_at") - by, closed_at=F("closed_at") - by + timedelta(days=1)
    )
    EmergencyTask.objects.filter(response=response).update(
        due_at=F("due_at") - by, done_at=F("done_at") - by + timedelta(hours=3)
    )
    EmergencyLog.objects.filter(response=response).update(at=F("at") - by + timedelta(hours=3))
    RiskWarning.objects.filter(pk=warning.pk).update(closed_at=now - by + timedelta(days=1))

    # The county directed the township on the factory's warning, which it never acknowledged.
    county = _user("dispatcher_county")
    notice = WarningNotice.objects.filter(
        warning__case=factory, org_id=_org_id("dispatcher")
    ).first()
    if county is not None and notice is not None:
        directive = directive_issue(
            actor=county,
            kind="warning",
            object_id=notice.pk,
            due_at=now + timedelta(hours=4),
            comment="请立即签收预警，落实包案稳控，今日内反馈处置情况",
        )
        directive_answer(
            actor=dispatcher,
            directive_id=directive.pk,
            answer="已补签收，镇包案领导已到厂约谈负责人，明日发放首期工资",
        )

    # 20 minutes ago: awaiting the township's acknowledgement.
    neighbour = _report(
        worker,
        DisputeCategory.NEIGHBOUR,
        "宅基地边界争执",
        "两家因宅基地边界多次争吵，一方扬言要报复对方全家",
        ("李春华", "李福根"),
    )
    _back(neighbour, timedelta(minutes=20))
    return WarningsSummary(
        warnings=RiskWarning.objects.count(), emergencies=EmergencyResponse.objects.count()
    )
