"""The demo county's meetings and 法治宣传 (governance): the demo ``dispatcher``'s township
platform held last quarter's 一办一庭两所联席会议 and this quarter's, with attendance, minutes and
resolutions whose tasks belong to the orgs of the demo ``police``, ``justice`` and ``judge`` —
one open, one done with its evidence, one overdue; this half-month's 分析研判会 is scheduled, not
held (so 本期应开会议 shows it missing, as it does the county's 诉源治理联席会议 of
``dispatcher_county``, held last quarter only). Two joint 法治宣传 activities for that township
(target met), one for the county. Written through the services; a few dozen rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.governance import services
from fengqiao.governance.models import MeetingType


@dataclass(frozen=True)
class GovernanceSummary:
    meetings: int
    tasks: int
    activities: int


def _org_of(username: str) -> int | None:
    grant = RoleGrant.objects.filter(user__username=username, org__isnull=False).first()
    return grant.org_id if grant else None


def demo_governance_seed(*, today: date | None = None) -> GovernanceSummary:
    today = today or timezone.localdate()
    dispatcher = User.objects.filter(username="dispatcher").first()
    county = User.objects.filter(username="dispatcher_county").first()
    platform = _org_of("dispatcher")
    county_platform = _org_of("dispatcher_county")
    police, justice, tribunal = _org_of("police"), _org_of("justice"), _org_of("judge")
    if (
        dispatcher is None
        or county is None
        or platform is None
        or county_platform is None
        or police is None
        or justice is None
        or tribunal is None
    ):
        return GovernanceSummary(0, 0, 0)
    types = {t.code: t for t in MeetingType.objects.all()}
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    partners = [tribunal, police, justice]
    meetings = tasks = 0

    def meeting(actor: User, org: int, code: str, title: str, held_on: date, held: bool) -> int:
        nonlocal meetings
        meetings += 1
        return services.meeting_create(
            actor=actor,
            meeting_type_id=types[code].pk,
            convening_org_id=org,
            title=title,
            held_on=held_on,
            place="综治中心会议室",
            participant_ids=partners,
            held=held,
            minutes="通报本期矛盾纠纷排查化解情况，分析研判辖区热点难点问题，部署下一阶段工作。"
            if held
            else "",
        ).pk

    def resolve(actor: User, meeting_id: int, text: str, owner: int, due: date) -> int:
        nonlocal tasks
        tasks += 1
        return services.resolution_add(
            actor=actor, meeting_id=meeting_id, text=text, owner_org_id=owner, due_date=due
        ).pk

    last_quarter = quarter_start - timedelta(days=20)
    earlier = meeting(
        dispatcher, platform, "joint_1c2s", "上季度一办一庭两所联席会议", last_quarter, True
    )
    for org, name, present, reason in (
        (tribunal, "人民法庭庭长", True, ""),
        (police, "派出所所长", True, ""),
        (justice, "司法所所长", False, "参加区司法局培训"),
    ):
        services.attendance_add(
            actor=dispatcher,
            meeting_id=earlier,
            org_id=org,
            name=name,
            present=present,
            absence_reason=reason,
        )
    done = resolve(
        dispatcher,
        earlier,
        "司法所组织村调委会调解员开展业务培训",
        justice,
        today - timedelta(days=10),
    )
    services.task_complete(
        actor=User.objects.get(username="justice"),
        task_id=done,
        evidence_text="已于上月组织全镇调解员培训一次，参训38人。",
    )
    resolve(
        dispatcher,
        earlier,
        "人民法庭到重点村开展巡回审判和以案释法",
        tribunal,
        today - timedelta(days=5),
    )
    current = meeting(
        dispatcher,
        platform,
        "joint_1c2s",
        "本季度一办一庭两所联席会议",
        max(quarter_start, today - timedelta(days=7)),
        True,
    )
    resolve(
        dispatcher,
        current,
        "派出所牵头排查辖区欠薪隐患并建立台账",
        police,
        today + timedelta(days=10),
    )
    # This half-month's analysis meeting: scheduled a few days ahead, not held yet.
    meeting(
        dispatcher,
        platform,
        "township_analysis",
        "矛盾纠纷分析研判会",
        today + timedelta(days=2),
        False,
    )
    county_meeting = meeting(
        county, county_platform, "source_governance", "上季度诉源治理联席会议", last_quarter, True
    )
    resolve(
        county, county_meeting, "各人民法庭通报诉前调解情况", tribunal, today + timedelta(days=15)
    )
    activities = 0
    for organizer, actor, title, orgs, days in (
        (platform, dispatcher, "法律咨询进村入户", [justice, tribunal], 40),
        (platform, dispatcher, "防范电信诈骗法治宣传", [police], 12),
        (county_platform, county, "宪法宣传周法治文艺汇演", [tribunal], 30),
    ):
        services.publicity_record(
            actor=actor,
            organizer_id=organizer,
            kind="consultation",
            title=title,
            held_on=max(date(today.year, 1, 1), today - timedelta(days=days)),
            org_ids=orgs,
            audience=120,
        )
        activities += 1
    return GovernanceSummary(meetings, tasks, activities)
