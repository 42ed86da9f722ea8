"""报警直通 on the demo county (``seed_demo --small``): where an alarm goes, who may raise and
acknowledge it, escalation exactly once, the response log, the pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.alarms import routing, services
from fengqiao.alarms.choices import ActionKind, AlarmStatus
from fengqiao.alarms.models import Alarm, AlarmRoute
from fengqiao.alarms.policy import ACKNOWLEDGE, RAISE, alarm_may
from fengqiao.audit.models import AuditEvent
from fengqiao.notify.models import Notification
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org_of(username: str) -> Organization:
    return RoleGrant.objects.select_related("org__region").get(user__username=username).org


def _raise(username: str = "clerk", **kw: Any) -> services.Raised:
    return services.alarm_raise(actor=_user(username), token=uuid.uuid4().hex, **kw)


def _other_station_officer() -> User:
    """An officer of another township's 派出所 (the demo has one account per role only)."""
    mine = _org_of("police")
    other = (
        Organization.objects.filter(kind__code="police_station")
        .exclude(pk=mine.pk)
        .order_by("pk")
        .first()
    )
    assert other is not None
    officer = UserFactory(username="police_other")
    grant(officer, BuiltinRole.POLICE, other)
    return officer


def _sweep(minutes: float) -> int:
    return services.alarm_escalate_due(now=timezone.now() + timedelta(minutes=minutes))


def _notices(user: User, alarm: Alarm) -> Any:
    return Notification.objects.filter(
        recipient=user, kind="alarm", url=reverse("alarms:detail", args=[alarm.pk])
    )


def test_an_alarm_from_a_village_committee_reaches_its_townships_police_station() -> None:
    committee, station = _org_of("mediator"), _org_of("police")
    raised = _raise("mediator", location="村委会调解室", note="当事人持械威胁")
    alarm = raised.alarm
    assert raised.created
    assert alarm.station == station
    assert station.region == committee.region.parent  # the 派出所 of the village's township
    assert alarm.org == committee
    assert alarm.region == committee.region
    assert alarm.status == AlarmStatus.OPEN
    # The officer of that station is told (in-app), nobody of another station is.
    other = _other_station_officer()
    notice = _notices(_user("police"), alarm).get()
    assert committee.name in notice.title
    assert "村委会调解室" in notice.body
    assert "当事人持械威胁" in notice.body
    assert not Notification.objects.filter(recipient=other, kind="alarm").exists()
    assert raised.told == 1
    event = AuditEvent.objects.filter(event_type="alarm.raised").latest("pk")
    assert event.after["station"] == station.pk
    assert event.after["rule"] == routing.REGION


def test_the_tribunal_follows_its_route_to_the_station_that_guards_it() -> None:
    # The demo's tribunal sits in the neighbouring township; its route (AlarmRoute, seeded
    # as an administrator would) names the demo police's station.
    tribunal, station = _org_of("clerk"), _org_of("police")
    assert tribunal.region != station.region
    destination = routing.station_for(tribunal)
    assert destination is not None
    assert (destination.station, destination.rule) == (station, routing.ROUTE)
    alarm = _raise("judge").alarm
    assert alarm.station == station
    assert _notices(_user("police"), alarm).count() == 1
    # Without the route, the 派出所 of the township the tribunal sits in.
    AlarmRoute.objects.filter(place=tribunal).delete()
    destination = routing.station_for(tribunal)
    assert destination is not None
    assert destination.rule == routing.REGION
    assert destination.station.region == tribunal.region


def test_a_village_committees_alarm_goes_to_its_own_townships_station() -> None:
    committee = _org_of("mediator2")  # a village of the second township
    alarm = _raise("mediator2").alarm
    assert alarm.station.kind.family == OrgFamily.POLICE
    assert alarm.station.region == committee.region.parent
    assert alarm.station != _org_of("police")


def test_a_county_level_committee_falls_back_to_the_county_public_security_bureau() -> None:
    committee = _org_of("mediator_industry")  # county level
    # The county seat's 城区派出所 (a county-level station) is the nearest: it takes the alarm.
    destination = routing.station_for(committee)
    assert destination is not None
    assert destination.rule == routing.REGION
    assert destination.station.region == committee.region
    assert destination.station.kind.family == OrgFamily.POLICE
    # Without a station at county level, the 公安分局 its stations belong to.
    Organization.objects.filter(kind__family=OrgFamily.POLICE, region=committee.region).exclude(
        pk=_org_of("police").parent_id
    ).update(is_active=False)
    destination = routing.station_for(committee)
    assert destination is not None
    assert destination.rule == routing.COUNTY_POLICE
    assert destination.station == _org_of("police").parent  # the 公安分局
    # An administrator's route wins over the rule.
    AlarmRoute.objects.create(place=committee, station=_org_of("police"))
    destination = routing.station_for(committee)
    assert destination is not None
    assert (destination.station, destination.rule) == (_org_of("police"), routing.ROUTE)


def test_the_same_submit_twice_raises_one_alarm() -> None:
    clerk = _user("clerk")
    token = uuid.uuid4().hex
    first = services.alarm_raise(actor=clerk, token=token)
    again = services.alarm_raise(actor=clerk, token=token)
    assert first.created
    assert not again.created
    assert again.alarm.pk == first.alarm.pk
    assert Alarm.objects.filter(raised_by=clerk).count() == 1
    assert _notices(_user("police"), first.alarm).count() == 1


@pytest.mark.parametrize(
    "username", ["dispatcher", "dispatcher_county", "leader", "police", "sysadmin", "auditor"]
)
def test_someone_outside_a_court_justice_office_or_mediation_room_cannot_raise(
    username: str,
) -> None:
    user = _user(username)
    assert not alarm_may(user, RAISE)
    with pytest.raises(services.AlarmRefused):
        services.alarm_raise(actor=user, token=uuid.uuid4().hex)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("alarms:raise")).status_code == 403
    assert client.post(reverse("alarms:raise"), {"token": uuid.uuid4().hex}).status_code == 403
    assert 'id="alarm-button"' not in client.get(reverse("web:home")).content.decode()
    assert not Alarm.objects.filter(raised_by=user).exists()


@pytest.mark.parametrize("username", ["clerk", "judge", "justice", "mediator", "mediator_court"])
def test_court_justice_and_mediation_staff_see_the_button_on_every_page(username: str) -> None:
    user = _user(username)
    assert alarm_may(user, RAISE)
    client = Client()
    client.force_login(user)
    for name in ("web:home", "notify:list", "alarms:list"):
        assert 'id="alarm-button"' in client.get(reverse(name)).content.decode()


def test_raising_from_a_case_page_names_the_case() -> None:
    from fengqiao.disputes.selectors import case_list_for_user

    clerk = _user("clerk")
    case = case_list_for_user(clerk).first()
    assert case is not None
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert f'name="case" value="{case.pk}"' in page
    token = uuid.uuid4().hex
    response = client.post(
        reverse("alarms:raise"), {"token": token, "case": case.pk, "location": "调解室"}
    )
    alarm = Alarm.objects.get(raised_by=clerk)
    assert response.status_code == 302
    assert response["Location"] == reverse("alarms:detail", args=[alarm.pk])
    assert alarm.from_case == case
    notice = _notices(_user("police"), alarm).get()
    assert case.number in notice.body
    # The double tap: the same form again is the same alarm.
    client.post(reverse("alarms:raise"), {"token": token, "case": case.pk})
    assert Alarm.objects.filter(raised_by=clerk).count() == 1


def test_acknowledgement_stops_escalation() -> None:
    alarm = _raise().alarm
    police = _user("police")
    assert alarm_may(police, ACKNOWLEDGE, alarm)
    services.alarm_acknowledge(actor=police, alarm=alarm)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED
    assert alarm.acknowledged_by == police
    assert alarm.escalate_at is None
    assert _sweep(10) == 0
    alarm.refresh_from_db()
    assert alarm.escalated_at is None
    # The caller hears the station took it.
    assert _notices(_user("clerk"), alarm).filter(title__contains="已确认出警").exists()
    # Acknowledging again (the second officer's tap, a double tap) changes nothing.
    services.alarm_acknowledge(actor=police, alarm=alarm)
    assert alarm.actions.filter(kind=ActionKind.ACKNOWLEDGED).count() == 1


def test_an_unacknowledged_alarm_escalates_exactly_once() -> None:
    alarm = _raise().alarm
    county = _user("dispatcher_county")
    assert _sweep(1) == 0  # within the limit (3 minutes)
    assert _sweep(4) == 1
    assert _sweep(5) == 0  # the second sweep finds nothing due
    alarm.refresh_from_db()
    assert alarm.escalated_at is not None
    assert alarm.escalate_at is None
    assert alarm.status == AlarmStatus.OPEN
    targets = set(alarm.escalated_to.all())
    assert _org_of("police").parent in targets  # the 公安分局
    assert _org_of("dispatcher_county") in targets  # the county 综治中心
    assert _notices(county, alarm).count() == 1
    assert (
        AuditEvent.objects.filter(event_type="alarm.escalated", object_id=str(alarm.pk)).count()
        == 1
    )
    assert alarm.actions.filter(kind=ActionKind.ESCALATED).count() == 1
    # Now the county may acknowledge it too.
    services.alarm_acknowledge(actor=county, alarm=alarm)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED


def test_another_station_cannot_acknowledge() -> None:
    alarm = _raise().alarm
    other = _other_station_officer()
    assert not alarm_may(other, ACKNOWLEDGE, alarm)
    with pytest.raises(services.AlarmRefused):
        services.alarm_acknowledge(actor=other, alarm=alarm)
    client = Client()
    client.force_login(other)
    assert client.post(reverse("alarms:acknowledge", args=[alarm.pk])).status_code == 404
    assert client.get(reverse("alarms:detail", args=[alarm.pk])).status_code == 404
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.OPEN
    # Nor may the caller acknowledge their own alarm.
    assert not alarm_may(_user("clerk"), ACKNOWLEDGE, alarm)


def test_the_station_logs_its_response_and_closes_the_alarm() -> None:
    alarm = _raise().alarm
    client = Client()
    client.force_login(_user("police"))
    detail = reverse("alarms:detail", args=[alarm.pk])
    page = client.get(detail).content.decode()
    assert 'id="alarm-acknowledge"' in page
    assert 'id="alarm-close-form"' not in page  # only after 确认出警
    client.post(reverse("alarms:acknowledge", args=[alarm.pk]))
    client.post(reverse("alarms:log", args=[alarm.pk]), {"kind": "arrived", "text": "民警2人到达"})
    client.post(reverse("alarms:close", args=[alarm.pk]), {"summary": "已将持械人员带离，无人受伤"})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLOSED
    assert alarm.summary == "已将持械人员带离，无人受伤"
    kinds = list(alarm.actions.values_list("kind", flat=True))
    assert kinds == [ActionKind.ACKNOWLEDGED, ActionKind.ARRIVED, ActionKind.CLOSED]
    page = client.get(detail).content.decode()
    assert "民警2人到达" in page
    assert "已处置" in page
    # The caller's org sees it in its list; a closed alarm takes no more records.
    clerk = Client()
    clerk.force_login(_user("judge"))
    assert "已处置" in clerk.get(reverse("alarms:list") + "?tab=raised").content.decode()
    with pytest.raises(services.AlarmRefused):
        services.alarm_log(actor=_user("police"), alarm=alarm, kind="note", text="补充")


def test_the_station_sees_waiting_alarms_on_every_page_and_its_list(
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        _raise()
    client = Client()
    client.force_login(_user("police"))
    home = client.get(reverse("web:home")).content.decode()
    assert home.count("fq-alarm-banner") == 3  # the demo's past alarms are closed
    with django_assert_max_num_queries(12):
        page = client.get(reverse("alarms:list") + "?tab=received").content.decode()
    assert page.count("table-danger") == 3
    assert page.count("已处置") >= 2  # and listed below
