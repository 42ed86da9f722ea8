"""告知当事人 on the small demo county (seed 004 item 26): each party with a mobile number is
told by SMS of registration, acceptance, the online session, the agreement, the outcome and
the court's ruling — once per step however often the action is sent, through the outbox,
never to a group robot; the staff see on the case page that (and whether) each was sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyRole, RiskGrade
from fengqiao.disputes.models import Case, PartyNotice
from fengqiao.disputes.policy import platform_above
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, PartyInput, StaleCase
from fengqiao.disputes.services.intake import IntakeReport, case_register
from fengqiao.disputes.services.parties import parties_tell
from fengqiao.disputes.tests.factories import start_mediation
from fengqiao.mediation import rooms
from fengqiao.mediation.outcomes import case_agree, case_fail
from fengqiao.mediation.tests.room_helpers import consent_online
from fengqiao.notify import backends
from fengqiao.notify.choices import Channel, DeliveryStatus, NotificationKind, PartyStep
from fengqiao.notify.models import Delivery, PartyMessageTemplate, RobotWebhook
from fengqiao.notify.outbox import drain
from fengqiao.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("demo_county", "db")

APPLICANT_PHONE = "13811112222"
RESPONDENT_PHONE = "13933334444"
ID_NUMBER = "330102198001011234"
PUBLIC = "https://tiaojie.example.cn"


@pytest.fixture(autouse=True)
def _sms(settings: Any) -> Iterator[None]:
    settings.FENGQIAO_PUBLIC_URL = PUBLIC
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()


def _committee() -> tuple[User, Organization]:
    mediator = User.objects.get(username="mediator")
    grant = mediator.role_grants.select_related("org__region").get()
    assert grant.org is not None
    return mediator, grant.org


def _register(*, third_without_phone: bool = False) -> Case:
    dispatcher = User.objects.get(username="dispatcher")
    _, committee = _committee()
    platform = platform_above(committee.region)
    assert platform is not None
    parties = [
        PartyInput(
            role=PartyRole.APPLICANT, name="周晓梅", id_number=ID_NUMBER, phone=APPLICANT_PHONE
        ),
        PartyInput(role=PartyRole.RESPONDENT, name="吴建国", phone=RESPONDENT_PHONE),
    ]
    if third_without_phone:
        parties.append(PartyInput(role=PartyRole.THIRD_PARTY, name="郑大伯"))
    report = IntakeReport(
        channel=IntakeChannel.WALK_IN,
        category=DisputeCategory.NEIGHBOUR,
        region=committee.region,
        title="邻里排水沟堵塞纠纷",
        facts="排水沟被杂物堵塞，雨天积水漫入申请人院内。",
        parties=tuple(parties),
    )
    return case_register(actor=dispatcher, platform=platform, report=report)


def _accepted(case: Case) -> Case:
    dispatcher = User.objects.get(username="dispatcher")
    mediator, committee = _committee()
    case_assess(
        actor=dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：一般邻里纠纷。",
    )
    case = case_dispatch(actor=dispatcher, case_id=case.pk, version=None, orgs=[committee])
    return dispatch_accept(actor=mediator, dispatch_id=case.dispatches.get().pk)


def _party_sms(case: Case) -> list[backends.SentSms]:
    return [s for s in backends.sms_outbox if case.number in s.text]


def test_registration_tells_each_party_once_with_the_case_number_and_where_to_track() -> None:
    case = _register(third_without_phone=True)
    # Nothing leaves inside the transaction: the outbox holds one SMS per party with a phone.
    assert backends.sms_outbox == []
    rows = Delivery.objects.filter(kind=NotificationKind.PARTY, text__contains=case.number)
    assert sorted(r.address for r in rows) == [APPLICANT_PHONE, RESPONDENT_PHONE]

    drain(seconds=10)

    sent = _party_sms(case)
    assert sorted(s.phone for s in sent) == [APPLICANT_PHONE, RESPONDENT_PHONE]
    to_applicant = next(s for s in sent if s.phone == APPLICANT_PHONE)
    assert "周晓梅您好" in to_applicant.text
    assert case.number in to_applicant.text
    assert case.platform.name in to_applicant.text
    assert f"{PUBLIC}/portal/" in to_applicant.text
    assert "您反映的纠纷已登记" in to_applicant.text
    # The other side is told of a dispute that concerns them, not one "they reported"
    to_respondent = next(s for s in sent if s.phone == RESPONDENT_PHONE)
    assert "涉及您的一起纠纷已登记" in to_respondent.text
    assert "您反映的" not in to_respondent.text
    # Each party's SMS names only them: not the other side, no ID number.
    assert "吴建国" not in to_applicant.text
    assert ID_NUMBER not in to_applicant.text
    # The third party has no phone: recorded, so the staff know they were not told.
    notices = PartyNotice.objects.filter(case=case, step=PartyStep.REGISTERED)
    assert notices.count() == 3
    assert notices.get(party__name="郑大伯").delivery is None

    # Telling again (a retried step) sends nothing more.
    parties_tell(case, step=PartyStep.REGISTERED, values={"org": case.platform.name})
    drain(seconds=10)
    assert len(_party_sms(case)) == 2
    assert PartyNotice.objects.filter(case=case, step=PartyStep.REGISTERED).count() == 3


def test_acceptance_sent_twice_tells_the_parties_once() -> None:
    case = _register()
    mediator, committee = _committee()
    dispatcher = User.objects.get(username="dispatcher")
    case = case_assess(
        actor=dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：一般邻里纠纷。",
    )
    case = case_dispatch(actor=dispatcher, case_id=case.pk, version=None, orgs=[committee])
    order = case.dispatches.get()
    version = case.version
    dispatch_accept(actor=mediator, dispatch_id=order.pk, version=version)
    # The double click: the same form again.
    with pytest.raises((AlreadyDone, StaleCase, CaseRuleError)):
        dispatch_accept(actor=mediator, dispatch_id=order.pk, version=version)
    drain(seconds=10)
    accepted = [s for s in _party_sms(case) if "受理" in s.text and "已登记" not in s.text]
    assert sorted(s.phone for s in accepted) == [APPLICANT_PHONE, RESPONDENT_PHONE]
    assert all(committee.name in s.text for s in accepted)


def test_each_step_reaches_the_parties_and_the_case_page_shows_it() -> None:
    case = _accepted(_register())
    mediator, _committee_org = _committee()
    case = start_mediation(case, mediator)
    parties = consent_online(case, mediator)
    _room, invitations = rooms.room_schedule(
        actor=mediator,
        case_id=case.pk,
        starts_at=timezone.now() + timedelta(hours=2),
        duration_minutes=60,
        party_ids=[p.pk for p in parties],
    )
    case_agree(
        actor=mediator,
        case_id=case.pk,
        version=None,
        kind="written",
        facts="排水沟堵塞致积水。",
        disputed_points="清理责任。",
        terms="被申请人于三日内清理排水沟。",
    )
    drain(seconds=10)

    by_phone: dict[str, list[str]] = {}
    for sms in _party_sms(case):
        by_phone.setdefault(sms.phone, []).append(sms.text)
    for phone in (APPLICANT_PHONE, RESPONDENT_PHONE):
        texts = by_phone[phone]
        assert len(texts) == 4, texts  # 登记, 受理, 在线调解, 达成协议
        session = next(t for t in texts if "在线视频调解" in t)
        # Each party's own link: one of the room's tokens, whole.
        tokens = [i.token for i in invitations if i.participant.party.phone == phone]
        assert tokens
        assert f"{PUBLIC}/mediation/join/{tokens[0]}/" in session
        assert any("达成调解协议" in t and "司法确认" in t for t in texts)

    # The staff's case page: each party was told, with the SMS's state.
    client = Client()
    client.force_login(mediator)
    page = client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert 'id="party-notices"' in page
    assert page.count("已短信告知当事人") == 8
    assert APPLICANT_PHONE not in page
    assert "138****2222" in page


def test_a_failed_mediation_tells_what_the_parties_can_do_next() -> None:
    case = _accepted(_register())
    mediator, _ = _committee()
    case = start_mediation(case, mediator)
    case_fail(
        actor=mediator,
        case_id=case.pk,
        version=None,
        undisputed_facts="排水沟位于两户之间。",
    )
    drain(seconds=10)
    results = [s for s in _party_sms(case) if "调解终止" in s.text]
    assert len(results) == 2
    assert all("人民法院起诉" in s.text for s in results)


def test_a_broken_template_falls_back_to_the_default_and_says_so() -> None:
    PartyMessageTemplate.objects.create(step=PartyStep.REGISTERED, text="{{ name }}：{{ secret }}")
    case = _register()
    rows = Delivery.objects.filter(kind=NotificationKind.PARTY, text__contains=case.number)
    assert rows.count() == 2
    for row in rows:
        assert "secret" in row.template_error
        assert "已登记" in row.text  # the built-in words
    mediator, _ = _committee()
    client = Client()
    client.force_login(mediator)
    # Not this committee's case yet: the platform's dispatcher sees it.
    client.force_login(User.objects.get(username="dispatcher"))
    page = client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert "短信模板有误，已改发默认文字" in page


def test_an_edited_template_is_used() -> None:
    PartyMessageTemplate.objects.create(
        step=PartyStep.REGISTERED,
        text="【{{ site }}】{{ name }}，您的案件编号是{{ case_number }}。",
    )
    case = _register()
    drain(seconds=10)
    texts = {s.text for s in _party_sms(case)}
    assert f"【枫桥平台】周晓梅，您的案件编号是{case.number}。" in texts


def test_a_dead_sms_is_shown_to_the_staff() -> None:
    case = _register()
    Delivery.objects.filter(kind=NotificationKind.PARTY, text__contains=case.number).update(
        status=DeliveryStatus.DEAD, last_error="HTTP 500"
    )
    client = Client()
    client.force_login(User.objects.get(username="dispatcher"))
    page = client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert page.count("短信发送失败") == 2
    assert "HTTP 500" in page


def test_no_robot_message_carries_a_phone_or_id_number(settings: Any) -> None:
    # The township's group robot hears of new cases; its posts never name the parties.
    _, committee = _committee()
    platform = platform_above(committee.region)
    assert platform is not None
    RobotWebhook.objects.create(
        org=platform,
        name="镇平安办群",
        provider="wecom",
        url="https://127.0.0.1:9/robot",
        secret="",
        kinds=[NotificationKind.NEW_CASE, NotificationKind.ASSIGNMENT],
    )
    case = _accepted(_register())
    from fengqiao.notify.outbox import fan_out

    fan_out()
    robot_rows = Delivery.objects.filter(channel=Channel.ROBOT)
    assert robot_rows.exists()
    # A mobile number or an ID number standing alone (the case number's region code is not).
    personal = re.compile(r"(?<![\d-])(1[3-9]\d{9}|\d{17}[\dXx])(?![\d-])")
    for row in robot_rows:
        assert not personal.search(row.text), row.text
        for value in (APPLICANT_PHONE, RESPONDENT_PHONE, ID_NUMBER, "周晓梅", "吴建国"):
            assert value not in row.text
    # And the party SMS are SMS only, to the parties' phones.
    party_rows = Delivery.objects.filter(kind=NotificationKind.PARTY, text__contains=case.number)
    assert {r.channel for r in party_rows} == {Channel.SMS}
    assert {r.address for r in party_rows} == {APPLICANT_PHONE, RESPONDENT_PHONE}


def test_the_courts_ruling_is_told_to_the_applicants() -> None:
    from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus
    from fengqiao.court.services.confirmation import confirmation_rule, flag_acknowledge

    judge = User.objects.get(username="judge")
    confirmation = Confirmation.objects.filter(status=ConfirmationStatus.ACCEPTED).first()
    assert confirmation is not None
    applicants = list(confirmation.applicants.all())
    for party in applicants:
        party.phone = APPLICANT_PHONE if party.role == PartyRole.APPLICANT else RESPONDENT_PHONE
        party.save()
    for flag in confirmation.flags.filter(acknowledged_at__isnull=True):
        flag_acknowledge(actor=judge, flag_id=flag.pk, note="已核实。")
    confirmation_rule(
        actor=judge, confirmation_id=confirmation.pk, confirmed=True, reasons="协议合法有效。"
    )
    drain(seconds=10)
    told = [s for s in backends.sms_outbox if "裁定确认调解协议有效" in s.text]
    assert {s.phone for s in told} == {p.phone for p in applicants}
    assert all(confirmation.court.name in s.text and "强制执行" in s.text for s in told)
