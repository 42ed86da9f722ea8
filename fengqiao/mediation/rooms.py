"""在线调解室 — scheduling a room, its invitation links, and what happens in it
(docs/online-mediation.md).

**Links.** Each participant but the host gets one link holding a random token (32 bytes,
``secrets.token_urlsafe``); only its SHA-256 is stored. Opening the link shows the notice of
online mediation; accepting it (a POST) uses the link: the participant is bound to that
browser's session (``SESSION_KEY``) and the link is marked redeemed, so the same link used
elsewhere is refused. It expires ``FENGQIAO_ROOM_LINK_MARGIN_MINUTES`` after the
room's planned end, and the mediator's 移出 revokes it. A lost link is replaced by a new one
(``invitation_reissue``), which voids the old.

**Sending.** Scheduling a room (and reissuing a link) sends each invited party their own link
by SMS through the notify outbox, in the same transaction (``invitation_send``: the
``PartyNotice`` of step 调解安排, docs/notifications.md "告知当事人"); ``invitation_messages``
gives the same words for the mediator's page, which also shows the links to pass on to
those with no mobile number and to the other participants.

**In the room.** The websocket consumer (``consumers.RoomConsumer``) calls the services below
for every change — connect and leave (attendance), admit, mute, remove, end, chat, the shared
draft — each in its own short transaction, each checked against ``room_policy.room_may``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.validators import validate_no_control_characters
from fengqiao.disputes.disclosure import MASKED
from fengqiao.disputes.models import Party
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.parties import parties_tell
from fengqiao.disputes.services.transitions import lock_case
from fengqiao.mediation.choices import (
    ConsentDecision,
    MediationAction,
    RoomEventKind,
    RoomRole,
    RoomStatus,
)
from fengqiao.mediation.consent import mediation_blocker
from fengqiao.mediation.models import PartyConsent, Room, RoomEvent, RoomParticipant
from fengqiao.mediation.room_policy import HOST, SCHEDULE, room_may
from fengqiao.mediation.services import record_write
from fengqiao.notify import party_texts
from fengqiao.notify.choices import PartyStep
from fengqiao.notify.models import PartyMessageTemplate

# The session key that holds {room id: participant id} for the links a browser opened.
SESSION_KEY = "fq_rooms"
TOKEN_BYTES = 32
DURATIONS = (30, 60, 90, 120, 180)
MAX_GUESTS = 5
MAX_SCHEDULE_AHEAD = timedelta(days=90)
CHAT_MAX = 500
DRAFT_MAX = 20000
NAME_MAX = 50
# A draft version is kept in the record at most this often (the room's draft is always the
# latest; the end of the room keeps the final text).
DRAFT_RECORD_EVERY = timedelta(minutes=1)


def entry_consent_text() -> str:
    """What every invited person reads and accepts before entering the waiting room."""
    return _(
        "本次调解以在线视频方式进行。依照《人民法院在线调解规则》第四条，在线调解须经当事人同意。"
        "点击“同意并进入”即表示您同意以在线方式参加调解；调解过程中请保持环境安静，"
        "不得录音、录像、截屏或向他人传播调解内容；您所说的话与文字消息将记入调解记录。"
        "您可以随时离开，也可以要求改为现场调解。"
    )


class RoomRefused(Exception):
    """A link or a participant that may not enter, with the words the person is shown."""


def ice_servers() -> list[dict[str, Any]]:
    """The STUN/TURN servers for RTCPeerConnection (``FENGQIAO_WEBRTC_ICE_SERVERS``)."""
    return list(getattr(settings, "FENGQIAO_WEBRTC_ICE_SERVERS", []))


def link_margin() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "FENGQIAO_ROOM_LINK_MARGIN_MINUTES", 120)))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


@dataclass(frozen=True)
class Invitation:
    """A link just issued: the raw token exists only here, never in the database."""

    participant: RoomParticipant
    token: str

    @property
    def path(self) -> str:
        return reverse("mediation:room_join", args=[self.token])


@dataclass(frozen=True)
class OutgoingMessage:
    """One invitation to send: to whom (a party's phone, when known), and the words."""

    participant_id: int
    name: str
    phone: str
    text: str


def _clean_line(value: str, what: str, limit: int, *, multiline: bool = False) -> str:
    value = value.strip() if not multiline else value
    if len(value) > limit:
        raise CaseRuleError(_("%(what)s不能超过%(n)d个字。") % {"what": what, "n": limit})
    try:
        validate_no_control_characters(value, multiline=multiline)
    except ValidationError as error:
        raise CaseRuleError(error.messages[0]) from error
    return value


def online_blocker(case: Any, parties: Iterable[Party]) -> str | None:
    """Why an online room cannot be scheduled with ``parties`` now: the mediation's own
    conditions (consent, rights notice), then each party's consent to online mediation."""
    blocker = mediation_blocker(case, _("进行在线调解"))
    if blocker is not None:
        return blocker
    parties = list(parties)
    if not parties:
        return _("请至少选择一名当事人参加在线调解。")
    consented = set(
        PartyConsent.objects.filter(
            party__in=parties, decision=ConsentDecision.CONSENTED, online=True
        ).values_list("party_id", flat=True)
    )
    missing = [p for p in parties if p.pk not in consented]
    if missing:
        names = "、".join(MASKED.name(p.name, p.kind) for p in missing)
        return _(
            "%(names)s尚未同意在线调解（《人民法院在线调解规则》第四条），"
            "请先在“记录调解意愿”中记录其同意在线调解。"
        ) % {"names": names}
    return None


def _issue(participant: RoomParticipant) -> Invitation:
    raw, digest = _new_token()
    participant.token_hash = digest
    participant.expires_at = participant.room.ends_at + link_margin()
    participant.redeemed_at = None
    return Invitation(participant, raw)


def room_schedule(
    *,
    actor: Any,
    case_id: int,
    starts_at: datetime,
    duration_minutes: int,
    party_ids: Iterable[int],
    guests: Iterable[str] = (),
    base_url: str = "",
) -> tuple[Room, list[Invitation]]:
    """预约在线调解: the room, the host's place in it and one link per other participant; each
    invited party is sent their link by SMS (``base_url``: the address links start with,
    else ``FENGQIAO_PUBLIC_URL``)."""
    if duration_minutes not in DURATIONS:
        raise CaseRuleError(_("请选择预计时长。"))
    now = timezone.now()
    if starts_at < now - timedelta(minutes=5):
        raise CaseRuleError(_("开始时间不能早于现在。"))
    if starts_at > now + MAX_SCHEDULE_AHEAD:
        raise CaseRuleError(_("开始时间不能晚于90天之后。"))
    guest_names = [_clean_line(g, _("参加人姓名"), NAME_MAX) for g in guests]
    guest_names = [g for g in guest_names if g]
    if len(guest_names) > MAX_GUESTS:
        raise CaseRuleError(_("其他参加人最多%(n)d名。") % {"n": MAX_GUESTS})
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not room_may(actor, SCHEDULE, case):
            raise PermissionDenied(_("只有承办本案的调解员可以在调解期间预约在线调解。"))
        parties = list(Party.objects.filter(case=case, pk__in=set(party_ids)).order_by("pk"))
        blocker = online_blocker(case, parties)
        if blocker is not None:
            raise CaseRuleError(blocker)
        room = Room.objects.create(
            case=case, starts_at=starts_at, duration_minutes=duration_minutes, host=actor
        )
        RoomParticipant.objects.create(
            room=room,
            role=RoomRole.HOST,
            name=actor.display_name[:NAME_MAX],
            user=actor,
            consented_at=now,
            admitted_at=now,
        )
        invited = [
            RoomParticipant(room=room, role=RoomRole.PARTY, name=p.name[:NAME_MAX], party=p)
            for p in parties
        ] + [RoomParticipant(room=room, role=RoomRole.GUEST, name=g) for g in guest_names]
        invitations = [_issue(p) for p in invited]
        for p in invited:
            p.save()
        when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        data = {
            "room": room.pk,
            "starts_at": starts_at.isoformat(),
            "duration": duration_minutes,
            "parties": [p.pk for p in parties],
            "guests": len(guest_names),
        }
        record_write(
            case,
            actor=actor,
            action=MediationAction.ROOM_SCHEDULE,
            event_type=EventType.MEDIATION_ROOM,
            obj=room,
            note=_("在线调解 %(when)s，%(n)d分钟，邀请%(people)d人")
            % {"when": when, "n": duration_minutes, "people": len(invited)},
            data=data,
        )
        room.case = case
        invitation_send(room, invitations, base_url)
    return room, invitations


def _host_room(actor: Any, room_id: int) -> Room:
    """The room locked for a control of its host (``PermissionDenied`` for anyone else)."""
    room = Room.objects.select_for_update().select_related("case").filter(pk=room_id).first()
    if room is None or not room_may(actor, HOST, room):
        raise PermissionDenied(_("只有主持本次在线调解的调解员可以操作。"))
    return room


def _guest(room: Room, participant_id: Any) -> RoomParticipant:
    try:
        pk = int(participant_id)
    except (TypeError, ValueError):
        pk = 0
    participant = (
        RoomParticipant.objects.select_for_update()
        .filter(room=room, pk=pk)
        .exclude(role=RoomRole.HOST)
        .first()
    )
    if participant is None:
        raise CaseRuleError(_("该参加人不在本调解室。"))
    return participant


def invitation_reissue(
    *, actor: Any, room_id: int, participant_id: int, base_url: str = ""
) -> Invitation:
    """重新生成邀请链接: a new token for a participant not yet removed; the old link stops and
    a party is sent the new one by SMS."""
    with transaction.atomic():
        room = _host_room(actor, room_id)
        participant = _guest(room, participant_id)
        if participant.revoked_at is not None:
            raise CaseRuleError(_("该参加人已被移出，不能再邀请。"))
        participant.room = room
        invitation = _issue(participant)
        participant.save(update_fields=["token_hash", "expires_at", "redeemed_at"])
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATION_ROOM,
            obj=participant,
            after={"reissued": participant.pk},
        )
        invitation_send(room, [invitation], base_url)
    return invitation


def _session_values(room: Room) -> dict[str, str]:
    return {"when": timezone.localtime(room.starts_at).strftime("%m月%d日 %H:%M")}


def public_base(base_url: str = "") -> str:
    """The address links start with: the one given (the request's), else
    ``FENGQIAO_PUBLIC_URL``."""
    return (base_url or str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "")).rstrip("/")


def invitation_messages(
    room: Room, invitations: Iterable[Invitation], base_url: str
) -> list[OutgoingMessage]:
    """The words that carry each link to its participant (the party SMS template of 调解安排),
    for the mediator's page. Nothing is sent from here (``invitation_send`` does)."""
    messages = []
    common = {
        **_session_values(room),
        "site": settings.FENGQIAO_SMS_SIGN,
        "case_number": room.case.number,
    }
    template = PartyMessageTemplate.objects.filter(step=PartyStep.SESSION, is_active=True).first()
    for invitation in invitations:
        participant = invitation.participant
        phone = participant.party.phone if participant.party is not None else ""
        values = {**common, "name": participant.name, "link": base_url + invitation.path}
        text = party_texts.render(
            PartyStep.SESSION, template.text if template else None, values
        ).text
        messages.append(OutgoingMessage(participant.pk, participant.name, phone or "", text))
    return messages


def invitation_send(room: Room, invitations: Iterable[Invitation], base_url: str = "") -> None:
    """Send each invited party their link by SMS (in the caller's transaction: the outbox row
    commits with the room). One message per link issued; a participant who is not a party
    (an expert, staff) gets the link from the mediator. Without a public address there is no
    link a phone could open: nothing is sent and the page shows the links."""
    base = public_base(base_url)
    if not base:
        return
    for invitation in invitations:
        participant = invitation.participant
        if participant.party is None or participant.token_hash is None:
            continue
        parties_tell(
            room.case,
            step=PartyStep.SESSION,
            ref=f"room{room.pk}:{participant.token_hash[:16]}",
            parties=[participant.party],
            values={**_session_values(room), "org": _handling_org_name(room)},
            per_party={participant.party.pk: {"link": base + invitation.path}},
        )


def _handling_org_name(room: Room) -> str:
    org = room.case.handling_org
    return org.name if org is not None else ""


def participant_refusal(participant: RoomParticipant, room: Room) -> str | None:
    """Why a participant bound to a browser may not be in the room now, or ``None``."""
    if participant.revoked_at is not None:
        return _("您已被调解员移出本次在线调解。如有疑问，请联系调解员。")
    if room.status == RoomStatus.ENDED:
        return _("本次在线调解已结束。")
    if participant.role != RoomRole.HOST and (
        participant.expires_at is None or participant.expires_at <= timezone.now()
    ):
        return _("邀请链接已过期，请联系调解员重新发送。")
    return None


def _linked(token: str, held: dict[str, int], *, lock: bool) -> RoomParticipant:
    if not token or len(token) > 100:
        raise RoomRefused(_("邀请链接无效，请核对短信中的链接，或联系调解员。"))
    rows = RoomParticipant.objects.select_related("room")
    if lock:
        rows = rows.select_for_update()
    participant = rows.filter(token_hash=token_hash(token)).first()
    if participant is None:
        raise RoomRefused(_("邀请链接无效，请核对短信中的链接，或联系调解员。"))
    refusal = participant_refusal(participant, participant.room)
    if refusal is not None:
        raise RoomRefused(refusal)
    if participant.redeemed_at is not None and held.get(str(participant.room_id)) != participant.pk:
        raise RoomRefused(
            _("此邀请链接已在另一台设备上使用过，每个链接只能使用一次。请联系调解员重新发送。")
        )
    return participant


def invitation_check(*, token: str, held: dict[str, int]) -> RoomParticipant:
    """The participant a link names, if it may still be used from this browser — without using
    it: opening the link only shows the notice (a messaging app that fetches the link to
    preview it must not use it up)."""
    return _linked(token, held, lock=False)


def invitation_redeem(*, token: str, held: dict[str, int]) -> RoomParticipant:
    """The participant a link names, now bound to this browser (``held``: the browser's
    session entries) and their consent to online mediation recorded. Refused (``RoomRefused``)
    when unknown, expired, revoked, the room ended, or already used by another browser."""
    with transaction.atomic():
        participant = _linked(token, held, lock=True)
        if participant.redeemed_at is None:
            participant.redeemed_at = timezone.now()
            participant.save(update_fields=["redeemed_at"])
    return entry_consent(participant_id=participant.pk)


def _admissible(participant_id: int) -> RoomParticipant:
    """The participant, locked (in the caller's transaction), or ``RoomRefused`` with the
    reason they may not be in the room now."""
    participant = (
        RoomParticipant.objects.select_for_update().select_related("room").get(pk=participant_id)
    )
    refusal = participant_refusal(participant, participant.room)
    if refusal is not None:
        raise RoomRefused(refusal)
    return participant


def entry_consent(*, participant_id: int) -> RoomParticipant:
    """The participant read and accepted the consent to online mediation shown at entry; the
    text they saw is kept in the room's record."""
    with transaction.atomic():
        participant = _admissible(participant_id)
        if participant.consented_at is None:
            participant.consented_at = timezone.now()
            participant.save(update_fields=["consented_at"])
            RoomEvent.objects.create(
                room=participant.room,
                participant=participant,
                kind=RoomEventKind.CONSENT,
                text=entry_consent_text(),
                at=participant.consented_at,
            )
    return participant


# --- In the room (called by the websocket consumer) ------------------------------------------


def room_connect(*, participant_id: int) -> RoomParticipant:
    """A socket of the participant opened: attendance (进入) is recorded."""
    with transaction.atomic():
        participant = _admissible(participant_id)
        RoomParticipant.objects.filter(pk=participant.pk).update(connected=F("connected") + 1)
        participant.connected += 1
        RoomEvent.objects.create(
            room=participant.room, participant=participant, kind=RoomEventKind.JOIN
        )
    return participant


def room_disconnect(*, participant_id: int) -> None:
    """A socket of the participant closed: attendance (离开) is recorded."""
    with transaction.atomic():
        participant = RoomParticipant.objects.select_for_update().get(pk=participant_id)
        if participant.connected == 0:
            return  # already marked as leaving (the end of the room)
        participant.connected -= 1
        participant.save(update_fields=["connected"])
        RoomEvent.objects.create(
            room_id=participant.room_id, participant=participant, kind=RoomEventKind.LEAVE
        )


def room_admit(*, actor: Any, room_id: int, participant_id: Any) -> RoomParticipant:
    with transaction.atomic():
        room = _host_room(actor, room_id)
        participant = _guest(room, participant_id)
        if participant.revoked_at is not None:
            raise CaseRuleError(_("该参加人已被移出。"))
        if participant.admitted_at is None:
            participant.admitted_at = timezone.now()
            participant.save(update_fields=["admitted_at"])
            RoomEvent.objects.create(room=room, participant=participant, kind=RoomEventKind.ADMIT)
    return participant


def room_mute(*, actor: Any, room_id: int, participant_id: Any) -> RoomParticipant:
    """Ask a participant's page to turn off its microphone (the page does; the record keeps
    that the mediator asked)."""
    with transaction.atomic():
        room = _host_room(actor, room_id)
        participant = _guest(room, participant_id)
        RoomEvent.objects.create(room=room, participant=participant, kind=RoomEventKind.MUTE)
    return participant


def room_remove(*, actor: Any, room_id: int, participant_id: Any) -> RoomParticipant:
    """移出: the participant's link is revoked (no browser may enter with it again)."""
    with transaction.atomic():
        room = _host_room(actor, room_id)
        participant = _guest(room, participant_id)
        if participant.revoked_at is None:
            participant.revoked_at = timezone.now()
            participant.save(update_fields=["revoked_at"])
            RoomEvent.objects.create(room=room, participant=participant, kind=RoomEventKind.REMOVE)
            audit_record(
                actor=actor,
                event_type=EventType.MEDIATION_ROOM,
                obj=participant,
                after={"removed": participant.pk},
            )
    return participant


def chat_post(*, participant_id: int, text: str) -> RoomEvent:
    """A chat message, kept in the room's record (bounded, no control characters)."""
    text = _clean_line(text, _("消息"), CHAT_MAX)
    if not text:
        raise CaseRuleError(_("消息不能为空。"))
    with transaction.atomic():
        participant = RoomParticipant.objects.select_related("room").get(pk=participant_id)
        refusal = participant_refusal(participant, participant.room)
        if refusal is not None:
            raise RoomRefused(refusal)
        if participant.admitted_at is None:
            raise CaseRuleError(_("请等待调解员准许进入后再发言。"))
        return RoomEvent.objects.create(
            room=participant.room, participant=participant, kind=RoomEventKind.CHAT, text=text
        )


def draft_update(*, actor: Any, room_id: int, text: str) -> Room:
    """The shared draft agreement text, as the host typed it (kept in the record at most
    once a minute and at the end)."""
    text = _clean_line(text, _("协议草稿"), DRAFT_MAX, multiline=True)
    with transaction.atomic():
        room = _host_room(actor, room_id)
        if text == room.draft:
            return room
        room.draft = text
        room.save(update_fields=["draft"])
        last = (
            RoomEvent.objects.filter(room=room, kind=RoomEventKind.DRAFT)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if last is None or timezone.now() - last >= DRAFT_RECORD_EVERY:
            RoomEvent.objects.create(room=room, kind=RoomEventKind.DRAFT, text=text)
    return room


def room_end(*, actor: Any, room_id: int) -> Room:
    """结束: the room is closed, everyone still in it is marked as leaving now, and the case's
    timeline says who attended for how long (the room's record is linked from it)."""
    with transaction.atomic():
        # The case first, then the room: the order every mediation write locks in.
        probe = Room.objects.filter(pk=room_id).values_list("case_id", flat=True).first()
        if probe is None:
            raise PermissionDenied(_("只有主持本次在线调解的调解员可以操作。"))
        case = lock_case(actor, probe)
        room = _host_room(actor, room_id)
        now = timezone.now()
        present = list(RoomParticipant.objects.filter(room=room, connected__gt=0))
        RoomEvent.objects.bulk_create(
            RoomEvent(room=room, participant=p, kind=RoomEventKind.LEAVE, at=now) for p in present
        )
        RoomParticipant.objects.filter(room=room).update(connected=0)
        room.status = RoomStatus.ENDED
        room.ended_at = now
        room.save(update_fields=["status", "ended_at"])
        RoomEvent.objects.create(room=room, kind=RoomEventKind.END, text=room.draft, at=now)
        summary = attendance_summary(room)
        record_write(
            case,
            actor=actor,
            action=MediationAction.ROOM_END,
            event_type=EventType.MEDIATION_ROOM,
            obj=room,
            note=_("在线调解结束，参加：%(who)s") % {"who": summary or _("无")},
            data={"room": room.pk, "ended_at": now.isoformat()},
        )
    return room


# --- Reading the room ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    participant: RoomParticipant
    spans: list[tuple[datetime, datetime | None]]

    @property
    def minutes(self) -> int:
        total = sum(((end or timezone.now()) - start).total_seconds() for start, end in self.spans)
        return int(total // 60)


def attendance(room: Room) -> list[Attendance]:
    """Each participant's times in the room (进入 → 离开), from the record (two queries)."""
    participants = list(RoomParticipant.objects.filter(room=room).order_by("pk"))
    spans: dict[int, list[tuple[datetime, datetime | None]]] = {p.pk: [] for p in participants}
    open_since: dict[int, list[datetime]] = {}
    events = RoomEvent.objects.filter(
        room=room, kind__in=(RoomEventKind.JOIN, RoomEventKind.LEAVE)
    ).order_by("at", "pk")
    for event in events:
        pid = event.participant_id
        if pid is None:
            continue
        if event.kind == RoomEventKind.JOIN:
            open_since.setdefault(pid, []).append(event.at)
        elif open_since.get(pid):
            spans[pid].append((open_since[pid].pop(0), event.at))
    for pid, starts in open_since.items():
        spans[pid].extend((start, None) for start in starts)
    return [Attendance(p, sorted(spans[p.pk], key=lambda s: s[0])) for p in participants]


def attendance_summary(room: Room) -> str:
    """``姓名（身份）N分钟`` for each who came, masked names for parties (the timeline is read by
    everyone who sees the case)."""
    parts = []
    for row in attendance(room):
        if not row.spans:
            continue
        p = row.participant
        name = MASKED.name(p.name, p.party.kind) if p.party_id and p.party else p.name
        parts.append(
            _("%(name)s（%(role)s）%(n)d分钟")
            % {"name": name, "role": p.get_role_display(), "n": row.minutes}
        )
    return "、".join(parts)


def roster(room: Room) -> list[dict[str, Any]]:
    """Who is invited and where each stands, for the host's page (one query)."""
    rows = []
    for p in RoomParticipant.objects.filter(room=room).order_by("pk"):
        if p.revoked_at is not None:
            state, label = "removed", _("已移出")
        elif p.connected > 0 and p.admitted_at is not None:
            state, label = "present", _("在会")
        elif p.connected > 0:
            state, label = "waiting", _("等候中")
        elif p.redeemed_at is not None or p.role == RoomRole.HOST:
            state, label = "away", _("未在线")
        else:
            state, label = "invited", _("未进入")
        rows.append(
            {
                "id": p.pk,
                "name": p.name,
                "role": str(p.get_role_display()),
                "host": p.role == RoomRole.HOST,
                "state": state,
                "label": str(label),
            }
        )
    return rows


def chat_history(room: Room, limit: int = 100) -> list[dict[str, Any]]:
    events = list(
        RoomEvent.objects.filter(room=room, kind=RoomEventKind.CHAT)
        .select_related("participant")
        .order_by("-at", "-pk")[:limit]
    )
    return [chat_payload(e) for e in reversed(events)]


def chat_payload(event: RoomEvent) -> dict[str, Any]:
    return {
        "type": "chat",
        "from": event.participant_id,
        "name": event.participant.name if event.participant else "",
        "text": event.text,
        "at": timezone.localtime(event.at).strftime("%H:%M"),
    }
