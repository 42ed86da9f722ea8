"""在线调解室 on the small demo county: scheduling (consent to online mediation first), the
invitation links (single use, expiry, wrong room, revoked), the mediator's controls and the
record they leave on the case; the policy that pages and services share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.models import Party, TimelineEvent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.mediation import rooms
from fengqiao.mediation.choices import MediationAction, RoomEventKind, RoomRole, RoomStatus
from fengqiao.mediation.models import PartyConsent, RoomEvent, RoomParticipant
from fengqiao.mediation.room_policy import HOST, RECORD, SCHEDULE, room_may
from fengqiao.mediation.tests.room_helpers import consent_online, mediating_case, scheduled_room

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def join_url(invitation: rooms.Invitation) -> str:
    return reverse("mediation:room_join", args=[invitation.token])


# --- Scheduling -------------------------------------------------------------------------------


def test_a_room_needs_every_invited_partys_consent_to_online_mediation() -> None:
    case, mediator = mediating_case()
    parties = list(Party.objects.filter(case=case))
    PartyConsent.objects.filter(case=case).update(online=False)
    with pytest.raises(CaseRuleError, match="尚未同意在线调解"):
        rooms.room_schedule(
            actor=mediator,
            case_id=case.pk,
            starts_at=timezone.now() + timedelta(hours=1),
            duration_minutes=60,
            party_ids=[p.pk for p in parties],
        )
    consent_online(case, mediator)
    room, invitations = rooms.room_schedule(
        actor=mediator,
        case_id=case.pk,
        starts_at=timezone.now() + timedelta(hours=1),
        duration_minutes=60,
        party_ids=[p.pk for p in parties if p.consent.online],
        guests=["王专家"],
    )
    assert room.status == RoomStatus.SCHEDULED
    assert room.participants.get(role=RoomRole.HOST).user == mediator
    assert {i.participant.role for i in invitations} == {RoomRole.PARTY, RoomRole.GUEST}
    # Only the digest of each token is stored, never the token.
    for invitation in invitations:
        stored = RoomParticipant.objects.get(pk=invitation.participant.pk)
        assert stored.token_hash == rooms.token_hash(invitation.token)
        assert invitation.token not in stored.token_hash
        assert len(invitation.token) >= 40
        assert stored.expires_at == room.ends_at + rooms.link_margin()
    event = TimelineEvent.objects.get(case=case, action=MediationAction.ROOM_SCHEDULE)
    assert event.data["room"] == room.pk


def test_the_consent_form_records_the_consent_to_online_mediation() -> None:
    case, mediator = mediating_case()
    party = Party.objects.filter(case=case).order_by("pk").first()
    assert party is not None
    client = Client()
    client.force_login(mediator)
    case.refresh_from_db()
    response = client.post(
        reverse("mediation:consent_record", args=[case.pk]),
        {
            "consent-party": party.pk,
            "consent-decision": "consented",
            "consent-method": "phone",
            "consent-online": "on",
            "consent-version": case.version,
        },
    )
    assert response.status_code in (200, 302)
    assert PartyConsent.objects.get(party=party).online is True


def test_the_schedule_is_refused_to_whoever_does_not_mediate_the_case() -> None:
    case, mediator = mediating_case()
    parties = consent_online(case, mediator)
    other = User.objects.get(username="mediator2")
    assert room_may(mediator, SCHEDULE, case)
    assert not room_may(other, SCHEDULE, case)
    with pytest.raises(PermissionDenied):
        rooms.room_schedule(
            actor=other,
            case_id=case.pk,
            starts_at=timezone.now() + timedelta(hours=1),
            duration_minutes=60,
            party_ids=[p.pk for p in parties],
        )


def test_every_demo_account_sees_the_schedule_page_exactly_when_the_policy_allows() -> None:
    """Page and service ask one policy: for each demo account, the page opens iff room_may."""
    case, _mediator = mediating_case()
    for user in User.objects.filter(is_active=True).order_by("username"):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("mediation:room_schedule", args=[case.pk]))
        allowed = room_may(user, SCHEDULE, case)
        assert (response.status_code == 200) == allowed, user.username
        assert response.status_code in (200, 302, 403, 404), user.username


def test_the_schedule_page_creates_the_room_and_shows_the_links_once() -> None:
    case, mediator = mediating_case()
    parties = consent_online(case, mediator)
    client = Client()
    client.force_login(mediator)
    start = timezone.localtime(timezone.now() + timedelta(hours=2))
    response = client.post(
        reverse("mediation:room_schedule", args=[case.pk]),
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "parties": [p.pk for p in parties],
            "guests": "李调解员\n",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "邀请链接（只显示这一次" in html
    assert html.count("data-link-for=") == len(parties) + 1
    again = client.get(response["Location"]).content.decode()
    assert "/mediation/join/" not in again  # shown once: the tokens are not stored


# --- Links ------------------------------------------------------------------------------------


def test_a_link_is_used_once_and_binds_the_browser_that_accepted_it() -> None:
    room, invitations, _mediator = scheduled_room()
    party, stranger = Client(), Client()
    # Opening the link shows the notice and uses nothing up (a chat app's preview fetches it).
    assert "在线调解告知与同意" in party.get(join_url(invitations[0])).content.decode()
    assert stranger.get(join_url(invitations[0])).status_code == 200
    response = party.post(join_url(invitations[0]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:room_party", args=[room.pk])
    assert "您已进入等候室" in party.get(response["Location"]).content.decode()
    # The same browser may open its link again; another browser may not.
    assert party.get(join_url(invitations[0]))["Location"] == response["Location"]
    for refused in (
        stranger.get(join_url(invitations[0])),
        stranger.post(join_url(invitations[0])),
    ):
        assert refused.status_code == 403
        assert "每个链接只能使用一次" in refused.content.decode()
    assert stranger.get(reverse("mediation:room_party", args=[room.pk])).status_code == 403


def test_an_expired_link_is_refused_in_plain_chinese() -> None:
    _room, invitations, _mediator = scheduled_room()
    RoomParticipant.objects.filter(pk=invitations[0].participant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().get(join_url(invitations[0]))
    assert response.status_code == 403
    assert "邀请链接已过期，请联系调解员重新发送。" in response.content.decode()


def test_an_unknown_or_revoked_link_is_refused() -> None:
    room, invitations, mediator = scheduled_room()
    unknown = Client().get(reverse("mediation:room_join", args=["x" * 43]))
    assert unknown.status_code == 403
    assert "邀请链接无效" in unknown.content.decode()
    rooms.room_remove(actor=mediator, room_id=room.pk, participant_id=invitations[1].participant.pk)
    revoked = Client().get(join_url(invitations[1]))
    assert "您已被调解员移出" in revoked.content.decode()


def test_a_link_binds_to_its_own_room_only() -> None:
    room, invitations, mediator = scheduled_room()
    other_room, _others = rooms.room_schedule(
        actor=mediator,
        case_id=room.case_id,
        starts_at=timezone.now() + timedelta(hours=3),
        duration_minutes=30,
        party_ids=[invitations[0].participant.party_id],
    )
    party = Client()
    party.post(join_url(invitations[0]))
    # Bound to the first room, the browser is a stranger to the second.
    refused = party.get(reverse("mediation:room_party", args=[other_room.pk]))
    assert refused.status_code == 403
    assert "请通过调解员发送给您的邀请链接进入" in refused.content.decode()


def test_a_reissued_link_replaces_the_old_one() -> None:
    room, invitations, mediator = scheduled_room()
    fresh = rooms.invitation_reissue(
        actor=mediator, room_id=room.pk, participant_id=invitations[0].participant.pk
    )
    assert Client().get(join_url(invitations[0])).status_code == 403
    assert Client().post(join_url(fresh)).status_code == 302


def test_the_consent_at_entry_is_kept_with_its_text() -> None:
    room, invitations, _mediator = scheduled_room()
    party = Client()
    assert not RoomEvent.objects.filter(room=room, kind=RoomEventKind.CONSENT).exists()
    response = party.post(join_url(invitations[0]))
    assert response.status_code == 302
    page = party.get(reverse("mediation:room_party", args=[room.pk])).content.decode()
    assert "您已进入等候室" in page
    event = RoomEvent.objects.get(room=room, kind=RoomEventKind.CONSENT)
    assert event.participant_id == invitations[0].participant.pk
    assert "《人民法院在线调解规则》第四条" in event.text


def test_the_invitation_messages_are_the_seam_for_the_sms_outbox() -> None:
    room, invitations, _mediator = scheduled_room()
    messages = rooms.invitation_messages(room, invitations, "https://fq.example.cn")
    assert [m.participant_id for m in messages] == [i.participant.pk for i in invitations]
    assert all("https://fq.example.cn/mediation/join/" in m.text for m in messages)
    assert all(m.phone for m in messages if m.participant_id)  # parties have their phone


# --- Controls and the record -------------------------------------------------------------------


def test_only_the_host_controls_the_room() -> None:
    room, invitations, mediator = scheduled_room()
    other = User.objects.get(username="mediator2")
    assert room_may(mediator, HOST, room)
    assert not room_may(other, HOST, room)
    for control in (rooms.room_admit, rooms.room_mute, rooms.room_remove):
        with pytest.raises(PermissionDenied):
            control(actor=other, room_id=room.pk, participant_id=invitations[0].participant.pk)
    with pytest.raises(PermissionDenied):
        rooms.room_end(actor=other, room_id=room.pk)
    with pytest.raises(PermissionDenied):
        rooms.draft_update(actor=other, room_id=room.pk, text="x")


def test_chat_and_draft_are_bounded() -> None:
    room, invitations, mediator = scheduled_room()
    pid = invitations[0].participant.pk
    rooms.room_admit(actor=mediator, room_id=room.pk, participant_id=pid)
    with pytest.raises(CaseRuleError, match="不能超过500个字"):
        rooms.chat_post(participant_id=pid, text="啊" * 501)
    with pytest.raises(CaseRuleError, match="控制字符"):
        rooms.chat_post(participant_id=pid, text="你好\x00")
    with pytest.raises(CaseRuleError, match="不能超过20000个字"):
        rooms.draft_update(actor=mediator, room_id=room.pk, text="约" * 20001)
    rooms.draft_update(actor=mediator, room_id=room.pk, text="一、双方同意……\n二、……")
    assert rooms.chat_post(participant_id=pid, text="我同意").kind == RoomEventKind.CHAT


def test_ending_closes_attendance_and_writes_the_case_timeline() -> None:
    room, invitations, mediator = scheduled_room()
    pid = invitations[0].participant.pk
    host = room.participants.get(role=RoomRole.HOST).pk
    rooms.room_connect(participant_id=host)
    rooms.room_connect(participant_id=pid)
    rooms.room_admit(actor=mediator, room_id=room.pk, participant_id=pid)
    rooms.room_end(actor=mediator, room_id=room.pk)
    room.refresh_from_db()
    assert room.status == RoomStatus.ENDED
    rows = {a.participant.pk: a for a in rooms.attendance(room)}
    assert rows[pid].spans
    assert rows[pid].spans[0][1] is not None
    assert rows[host].spans[0][1] is not None
    event = TimelineEvent.objects.get(case=room.case, action=MediationAction.ROOM_END)
    assert "在线调解结束" in event.note
    # Closed: the links no longer open it, the host controls nothing, the record is readable.
    assert "本次在线调解已结束" in Client().get(join_url(invitations[1])).content.decode()
    assert not room_may(mediator, HOST, room)
    assert room_may(mediator, RECORD, room)
    client = Client()
    client.force_login(mediator)
    record = client.get(reverse("mediation:room_host", args=[room.pk])).content.decode()
    assert "在线调解记录" in record
    assert "出席情况" in record


def test_the_room_pages_refuse_staff_outside_the_case() -> None:
    room, _invitations, _mediator = scheduled_room()
    outsider = User.objects.get(username="mediator2")
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("mediation:room_host", args=[room.pk])).status_code in (403, 404)
