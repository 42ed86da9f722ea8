"""Meetings, resolutions → tasks, reminders, 本期应开会议 and 法治宣传, on the cast's county
(fengqiao/conftest.py: the org structure seed_demo builds)."""

from __future__ import annotations

import contextlib
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from fengqiao.audit.models import AuditEvent
from fengqiao.governance import selectors, services
from fengqiao.governance.choices import MeetingStatus, TaskStatus
from fengqiao.governance.models import Meeting, MeetingType, ResolutionTask
from fengqiao.governance.periods import period_of
from fengqiao.notify.models import Notification

pytestmark = pytest.mark.django_db


def _type(code: str = "joint_1c2s") -> MeetingType:
    return MeetingType.objects.get(code=code)


def _meeting(cast: Any, world: Any, *, held_on: date | None = None, **kw: Any) -> Meeting:
    return services.meeting_create(
        actor=cast.dispatcher,
        meeting_type_id=_type().pk,
        convening_org_id=world.town_a_platform.pk,
        title="甲镇一办一庭两所联席会议",
        held_on=held_on or timezone.localdate(),
        participant_ids=[world.tribunal_a.pk, world.police_station_a.pk, world.justice_office_a.pk],
        held=True,
        minutes="通报本季度矛盾纠纷化解情况。",
        **kw,
    )


def _png() -> services.Upload:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    size = out.tell()
    out.seek(0)
    return services.Upload(out, "现场.png", size)


def test_resolutions_become_tasks_for_their_owner(cast: Any, world: Any) -> None:
    meeting = _meeting(cast, world)
    due = timezone.localdate() + timedelta(days=20)
    task = services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="派出所牵头开展校园周边矛盾纠纷排查",
        owner_org_id=world.police_station_a.pk,
        due_date=due,
    )
    assert task.status == TaskStatus.OPEN
    assert task.resolution.number == 1
    # The owner's users are told, and see it on their work page until it is done.
    assert Notification.objects.filter(recipient=cast.police, url__contains=f"/tasks/{task.pk}/")
    assert [t.pk for t in selectors.work_tasks(cast.police)["gov_tasks"]] == [task.pk]
    assert [t.pk for t in selectors.work_tasks(cast.dispatcher)["gov_tasks"]] == [task.pk]
    assert AuditEvent.objects.filter(event_type="governance.resolution").exists()
    services.task_complete(
        actor=cast.police,
        task_id=task.pk,
        evidence_text="已排查12所学校周边",
        evidence_files=[_png()],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.files.count() == 1
    assert selectors.work_tasks(cast.police) == {}
    # The platform hears it was done.
    assert Notification.objects.filter(recipient=cast.dispatcher, kind="result").exists()


def test_only_the_owner_or_platform_completes_and_twice_is_once(cast: Any, world: Any) -> None:
    meeting = _meeting(cast, world)
    task = services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="司法所组织调解员培训",
        owner_org_id=world.justice_office_a.pk,
        due_date=timezone.localdate(),
    )
    with pytest.raises(services.GovernanceRefused, match="责任单位"):
        services.task_complete(actor=cast.police, task_id=task.pk, evidence_text="x")
    with pytest.raises(services.GovernanceRefused, match="请填写办结情况"):
        services.task_complete(actor=cast.justice_officer, task_id=task.pk, evidence_text=" ")
    services.task_complete(actor=cast.justice_officer, task_id=task.pk, evidence_text="已培训")
    with pytest.raises(services.AlreadyRecorded):
        services.task_complete(actor=cast.justice_officer, task_id=task.pk, evidence_text="已培训")
    assert AuditEvent.objects.filter(event_type="governance.task_done").count() == 1


def test_bad_input_is_refused_in_chinese(cast: Any, world: Any) -> None:
    meeting = _meeting(cast, world)
    with pytest.raises(services.GovernanceRefused, match="办结期限不能早于会议日期"):
        services.resolution_add(
            actor=cast.dispatcher,
            meeting_id=meeting.pk,
            text="x",
            owner_org_id=world.police_station_a.pk,
            due_date=meeting.held_on - timedelta(days=1),
        )
    with pytest.raises(services.GovernanceRefused, match="责任单位须是本次会议"):
        services.resolution_add(
            actor=cast.dispatcher,
            meeting_id=meeting.pk,
            text="x",
            owner_org_id=world.committee_south.pk,
            due_date=meeting.held_on,
        )
    with pytest.raises(services.GovernanceRefused, match="缺席的人员请填写缺席原因"):
        services.attendance_add(
            actor=cast.dispatcher,
            meeting_id=meeting.pk,
            org_id=world.police_station_a.pk,
            name="王警官",
            present=False,
        )
    with pytest.raises(services.GovernanceRefused, match="不能登记为已召开"):
        _meeting(cast, world, held_on=timezone.localdate() + timedelta(days=3))
    bad = services.Upload(io.BytesIO(b"\x89PNG\r\n\x1a\n<html>"), "纪要.png", 14)
    with pytest.raises(services.GovernanceRefused, match="图片无法解码"):
        services.meeting_record(
            actor=cast.dispatcher, meeting_id=meeting.pk, minutes="新纪要", attachments=[bad]
        )
    meeting.refresh_from_db()
    assert meeting.minutes == "通报本季度矛盾纠纷化解情况。"
    # Someone not of the convening platform records nothing.
    with pytest.raises(services.GovernanceRefused, match="召集会议的平台"):
        services.attendance_add(
            actor=cast.police, meeting_id=meeting.pk, org_id=world.police_station_a.pk, name="王"
        )
    with pytest.raises(services.GovernanceRefused, match="综治中心"):
        services.meeting_create(
            actor=cast.police,
            meeting_type_id=_type().pk,
            convening_org_id=world.town_a_platform.pk,
            title="x",
            held_on=timezone.localdate(),
        )


def test_double_submit_records_one_meeting_and_one_resolution(cast: Any, world: Any) -> None:
    first = _meeting(cast, world, submit_key="k1")
    with pytest.raises(services.AlreadyRecorded) as again:
        _meeting(cast, world, submit_key="k1")
    assert again.value.obj.pk == first.pk
    assert Meeting.objects.count() == 1
    for _ in range(2):
        with contextlib.suppress(services.AlreadyRecorded):
            services.resolution_add(
                actor=cast.dispatcher,
                meeting_id=first.pk,
                text="法庭开展巡回审判",
                owner_org_id=world.tribunal_a.pk,
                due_date=first.held_on,
            )
    assert ResolutionTask.objects.count() == 1


def test_overdue_tasks_are_reminded_once(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    meeting = _meeting(cast, world, held_on=today - timedelta(days=30))
    late = services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="逾期事项",
        owner_org_id=world.police_station_a.pk,
        due_date=today - timedelta(days=2),
    )
    soon = services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="将到期事项",
        owner_org_id=world.tribunal_a.pk,
        due_date=today + timedelta(days=1),
    )
    first = services.task_remind(today=today)
    assert (first.reminded, first.overdue) == (1, 1)
    assert Notification.objects.filter(recipient=cast.police, kind="overdue").count() == 1
    assert Notification.objects.filter(recipient=cast.dispatcher, kind="overdue").count() == 1
    assert Notification.objects.filter(recipient=cast.judge, kind="reminder").count() == 1
    sent = Notification.objects.filter(kind__in=["overdue", "reminder"]).count()
    again = services.task_remind(today=today)
    assert (again.reminded, again.overdue) == (0, 0)
    assert Notification.objects.filter(kind__in=["overdue", "reminder"]).count() == sent
    late.refresh_from_db()
    soon.refresh_from_db()
    assert late.overdue_notified_at
    assert soon.reminded_at


def test_scope_village_mediator_never_sees_the_township_county_sees_all(
    cast: Any, world: Any
) -> None:
    meeting = _meeting(cast, world)
    task = services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="事项",
        owner_org_id=world.police_station_a.pk,
        due_date=meeting.held_on,
    )
    assert not selectors.meetings_for_user(cast.mediator_east).exists()
    assert not selectors.meetings_for_user(cast.mediator_west).exists()
    assert not selectors.tasks_for_user(cast.mediator_east).exists()
    for user in (cast.county_dispatcher, cast.leader, cast.dispatcher, cast.police, cast.judge):
        assert list(selectors.meetings_for_user(user)) == [meeting], user.username
    assert list(selectors.tasks_for_user(cast.police)) == [task]
    for user in (cast.system_admin, cast.outsider, cast.citizen):
        assert not selectors.meetings_for_user(user).exists()


def test_pages_refuse_outside_the_scope(cast: Any, world: Any, client_for: Any) -> None:
    meeting = _meeting(cast, world)
    url = reverse("governance:meeting_detail", args=[meeting.pk])
    assert client_for(cast.mediator_east).get(url).status_code == 404
    assert client_for(cast.county_dispatcher).get(url).status_code == 200
    act = reverse("governance:meeting_act", args=[meeting.pk, "minutes"])
    # The county sees the township's meeting but does not write its minutes.
    assert client_for(cast.county_dispatcher).post(act, {"minutes": "x"}).status_code == 403
    page = client_for(cast.dispatcher).post(
        reverse("governance:meeting_act", args=[meeting.pk, "resolution"]),
        {"res-text": "事项", "res-owner_org": world.police_station_a.pk, "res-due_date": "坏日期"},
        follow=True,
    )
    assert "请输入有效的日期" in page.content.decode() or "日期" in page.content.decode()
    assert not ResolutionTask.objects.exists()


def test_due_meetings_show_what_has_not_been_held(cast: Any, world: Any) -> None:
    rows = selectors.due_meetings(cast.county_dispatcher)
    missing = {(r.platform.pk, r.meeting_type.code) for r in rows if r.held is None}
    assert (world.town_a_platform.pk, "joint_1c2s") in missing
    assert (world.county_platform.pk, "source_governance") in missing
    assert (world.county_platform.pk, "joint_1c2s") not in missing  # townships only
    _meeting(cast, world)
    rows = selectors.due_meetings(cast.county_dispatcher)
    held = {(r.platform.pk, r.meeting_type.code) for r in rows if r.held is not None}
    assert held == {(world.town_a_platform.pk, "joint_1c2s")}
    # A village mediator's area holds no platform.
    assert selectors.due_meetings(cast.mediator_east) == []


def test_periods() -> None:
    assert period_of("quarterly", date(2026, 5, 31)).label == "2026年第2季度"
    half = period_of("half_monthly", date(2026, 2, 16))
    assert (half.start, half.end) == (date(2026, 2, 16), date(2026, 2, 28))
    assert period_of("half_monthly", date(2026, 12, 15)).end == date(2026, 12, 15)
    assert period_of("ad_hoc", date(2026, 1, 1)) is None


def test_publicity_target_met_with_two_joint_activities(cast: Any, world: Any) -> None:
    year = timezone.localdate().year
    day = timezone.localdate()
    for partners in ([world.justice_office_a.pk], [], [world.tribunal_a.pk]):
        services.publicity_record(
            actor=cast.dispatcher,
            organizer_id=world.town_a_platform.pk,
            kind="consultation",
            title="法律咨询进村",
            held_on=day,
            org_ids=partners,
            audience=80,
            photos=[_png()] if partners else [],
        )
    targets = {t.platform.pk: t for t in selectors.publicity_targets(cast.county_dispatcher, year)}
    assert targets[world.town_a_platform.pk].joint == 2
    assert targets[world.town_a_platform.pk].met
    assert not targets[world.town_b_platform.pk].met
    with pytest.raises(services.GovernanceRefused, match="受众人数不能为负数"):
        services.publicity_record(
            actor=cast.dispatcher,
            organizer_id=world.town_a_platform.pk,
            kind="board",
            title="宣传栏",
            held_on=day,
            audience=-1,
        )
    assert MeetingStatus.HELD


def test_the_meeting_form_submitted_twice_records_one_meeting(
    cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(cast.dispatcher)
    data = {
        "meeting_type": _type().pk,
        "convening_org": world.town_a_platform.pk,
        "title": "甲镇联席会议",
        "held_on": timezone.localdate().isoformat(),
        "participants": [world.police_station_a.pk],
        "held": "on",
        "minutes": "纪要",
        "submit_key": "same-key",
    }
    first = client.post(reverse("governance:meeting_new"), data)
    again = client.post(reverse("governance:meeting_new"), data, follow=True)
    assert first.status_code == 302
    assert Meeting.objects.count() == 1
    assert "本次重复提交未再保存" in again.content.decode()
    # Held without minutes: refused in Chinese, what was typed is kept.
    data |= {"submit_key": "other", "minutes": "", "title": "第二次会议"}
    refused = client.post(reverse("governance:meeting_new"), data)
    assert refused.status_code == 200
    assert "登记已召开的会议，请填写会议纪要" in refused.content.decode()
    assert "第二次会议" in refused.content.decode()
    assert Meeting.objects.count() == 1


def test_a_task_can_name_its_owner_person(cast: Any, world: Any, client_for: Any) -> None:
    meeting = _meeting(cast, world)
    url = reverse("governance:meeting_act", args=[meeting.pk, "resolution"])
    base = {
        "res-text": "法庭派员参加",
        "res-owner_org": world.tribunal_a.pk,
        "res-due_date": meeting.held_on.isoformat(),
    }
    wrong = client_for(cast.dispatcher).post(
        url, {**base, "res-owner_user": cast.police.pk}, follow=True
    )
    assert "责任人须是责任单位的工作人员" in wrong.content.decode()
    client_for(cast.dispatcher).post(url, {**base, "res-owner_user": cast.judge.pk})
    task = ResolutionTask.objects.get()
    assert task.owner_user == cast.judge


def test_the_landing_pages_stay_within_their_queries(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    meeting = _meeting(cast, world)
    for n in range(5):
        services.resolution_add(
            actor=cast.dispatcher,
            meeting_id=meeting.pk,
            text=f"事项{n}",
            owner_org_id=world.police_station_a.pk,
            due_date=meeting.held_on,
        )
    client = client_for(cast.police)
    for name in ("governance:home", "governance:task_list", "governance:due"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get("/")
    assert page.content.decode().count("事项") >= 5


@pytest.mark.usefixtures("demo_small")
def test_the_demo_gives_each_role_its_tasks() -> None:
    from fengqiao.accounts.models import User

    today = timezone.localdate()
    police = User.objects.get(username="police")
    justice = User.objects.get(username="justice")
    judge = User.objects.get(username="judge")
    assert any(t.due_date >= today for t in selectors.work_tasks(police)["gov_tasks"])
    assert any(t.due_date < today for t in selectors.work_tasks(judge)["gov_tasks"])
    assert selectors.tasks_for_user(justice).filter(status=TaskStatus.DONE).exists()
    dispatcher = User.objects.get(username="dispatcher")
    rows = selectors.due_meetings(dispatcher)
    assert any(r.held for r in rows)
    assert any(r.held is None for r in rows)
    county = User.objects.get(username="dispatcher_county")
    assert selectors.meetings_for_user(county).count() >= 4
    targets = selectors.publicity_targets(dispatcher, today.year)
    assert [t.met for t in targets] == [True]


def test_the_morning_task_runs_the_sweep(cast: Any, world: Any) -> None:
    from fengqiao.governance.tasks import remind_tasks

    meeting = _meeting(cast, world, held_on=timezone.localdate() - timedelta(days=9))
    services.resolution_add(
        actor=cast.dispatcher,
        meeting_id=meeting.pk,
        text="逾期事项",
        owner_org_id=world.police_station_a.pk,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    assert remind_tasks.call_local() == {"reminded": 0, "overdue": 1}
    assert remind_tasks.call_local() == {"reminded": 0, "overdue": 0}
