"""在线调解室 pages: scheduling (the case's mediator), the host's room, the invitation link and
the party's waiting room and room (no account). Parse, authorize (``room_policy.room_may``),
call ``rooms``, render; the live part runs over the websocket (``consumers.RoomConsumer``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.accounts.access import require
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.mediation import rooms
from fengqiao.mediation.choices import RoomEventKind, RoomStatus
from fengqiao.mediation.forms import RoomScheduleForm
from fengqiao.mediation.models import Room, RoomEvent, RoomParticipant
from fengqiao.mediation.room_policy import HOST, RECORD, SCHEDULE, room_may

LINKS_KEY = "fq_room_links"


def case_panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's 在线调解 panel: the case's rooms and, for its mediator, the way to
    schedule one."""
    return {
        "rooms": list(Room.objects.filter(case=case).select_related("host")[:20]),
        "room_may_schedule": room_may(user, SCHEDULE, case),
    }


@login_required
@require_http_methods(["GET", "POST"])
def room_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    if not room_may(request.user, SCHEDULE, case):
        raise PermissionDenied(_("只有承办本案的调解员可以在调解期间预约在线调解。"))
    form = RoomScheduleForm(request.POST or None, case=case)
    blocker = rooms.online_blocker(case, form.fields["parties"].queryset)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            room, invitations = rooms.room_schedule(
                actor=request.user,
                case_id=case.pk,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                party_ids=[p.pk for p in data["parties"]],
                guests=form.guest_names(),
                base_url=_base(request),
            )
        except CaseRuleError as refused:
            form.add_error(None, str(refused))
        else:
            _keep_links(request, room, invitations)
            messages.success(
                request,
                _(
                    "已预约在线调解，已向有手机号的当事人短信发送各自的邀请链接；其他参加人请用下方链接邀请。"
                ),
            )
            return redirect("mediation:room_host", pk=room.pk)
    return render(
        request,
        "mediation/room_schedule.html",
        {"case": case, "form": form, "blocker": blocker},
    )


def _base(request: HttpRequest) -> str:
    """The public address when the deployment names one (behind a proxy), else this
    request's."""
    public = str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "")
    return (public or request.build_absolute_uri("/")).rstrip("/")


def _keep_links(request: HttpRequest, room: Room, invitations: list[rooms.Invitation]) -> None:
    """The links exist only now (their tokens are not stored): the host's page shows them once
    from the session, with the messages ``invitation_messages`` gives for the SMS to come."""
    base = _base(request)
    outgoing = rooms.invitation_messages(room, invitations, base)
    held = request.session.get(LINKS_KEY) or {}
    held[str(room.pk)] = [
        {"pid": m.participant_id, "name": m.name, "url": base + i.path, "text": m.text}
        for i, m in zip(invitations, outgoing, strict=True)
    ]
    request.session[LINKS_KEY] = held


def _room_for(request: HttpRequest, pk: int) -> Room:
    room = get_object_or_404(Room.objects.select_related("case", "host"), pk=pk)
    case_get_for_user(request.user, room.case_id)  # the data scope: 404 for a case not seen
    return room


@login_required
@never_cache
def room_host(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediator's room (while it runs), else its record."""
    require(request.user, VIEW_CASE)
    room = _room_for(request, pk)
    if room_may(request.user, HOST, room):
        held = request.session.get(LINKS_KEY) or {}
        links = held.pop(str(room.pk), [])
        if links:
            request.session[LINKS_KEY] = held
        return render(
            request,
            "mediation/room_host.html",
            {
                "room": room,
                "case": room.case,
                "links": links,
                "roster": rooms.roster(room),
            },
        )
    if not room_may(request.user, RECORD, room):
        raise PermissionDenied(_("只有承办本案的调解员可以查看在线调解记录。"))
    events = RoomEvent.objects.filter(room=room).select_related("participant")
    return render(
        request,
        "mediation/room_record.html",
        {
            "room": room,
            "case": room.case,
            "attendance": rooms.attendance(room),
            "events": events.exclude(kind=RoomEventKind.DRAFT),
        },
    )


@login_required
@require_POST
def room_reissue(request: HttpRequest, pk: int, pid: int) -> HttpResponse:
    room = _room_for(request, pk)
    try:
        invitation = rooms.invitation_reissue(
            actor=request.user, room_id=room.pk, participant_id=pid, base_url=_base(request)
        )
    except CaseRuleError as refused:
        messages.error(request, str(refused))
    else:
        _keep_links(request, room, [invitation])
        messages.success(request, _("已重新生成邀请链接，原链接已失效。"))
    return redirect("mediation:room_host", pk=room.pk)


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "mediation/room_refused.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def room_join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. GET shows the notice of online mediation and changes nothing (a
    messaging app's preview must not use the link up); POST — the party accepts — uses it once,
    binds this browser to its participant and records the consent."""
    held = request.session.get(rooms.SESSION_KEY) or {}
    try:
        if request.method == "GET":
            participant = rooms.invitation_check(token=token, held=held)
            if held.get(str(participant.room_id)) == participant.pk:
                return redirect("mediation:room_party", pk=participant.room_id)
            return render(
                request,
                "mediation/room_join.html",
                {
                    "room": participant.room,
                    "participant": participant,
                    "consent_text": rooms.entry_consent_text(),
                },
            )
        participant = rooms.invitation_redeem(token=token, held=held)
    except rooms.RoomRefused as refused:
        return _refused(request, str(refused))
    held[str(participant.room_id)] = participant.pk
    request.session[rooms.SESSION_KEY] = held
    return redirect("mediation:room_party", pk=participant.room_id)


@never_cache
@require_http_methods(["GET", "POST"])
def room_party(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's page: the consent at entry, then the waiting room and the room."""
    held = request.session.get(rooms.SESSION_KEY) or {}
    pid = held.get(str(pk))
    participant = (
        RoomParticipant.objects.select_related("room", "room__case")
        .filter(room_id=pk, pk=pid)
        .first()
        if isinstance(pid, int)
        else None
    )
    if participant is None:
        return _refused(request, _("请通过调解员发送给您的邀请链接进入。"))
    room = participant.room
    refusal = rooms.participant_refusal(participant, room)
    if refusal is not None:
        return _refused(request, refusal)
    if request.method == "POST":
        try:
            rooms.entry_consent(participant_id=participant.pk)
        except rooms.RoomRefused as refused:
            return _refused(request, str(refused))
        return redirect("mediation:room_party", pk=room.pk)
    return render(
        request,
        "mediation/room_party.html",
        {
            "room": room,
            "participant": participant,
            "consent_text": rooms.entry_consent_text(),
            "ended": room.status == RoomStatus.ENDED,
        },
    )
