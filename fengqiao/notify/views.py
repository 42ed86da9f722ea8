"""站内消息: the inbox, unread first, and marking messages read."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.notify.preferences import PERSONAL_CHANNELS
from fengqiao.notify.selectors import (
    channel_settings,
    notifications_for_user,
    unread_count,
    with_sms_status,
)
from fengqiao.notify.services import notification_mark_read, preferences_set

PAGE_SIZE = 30


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    qs = with_sms_status(
        notifications_for_user(request.user)
        .alias(unread=unread)
        .order_by("-unread", "-created_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/notification_list.html",
        {"page_obj": page, "unread": unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one message (``id``) or all of the user's messages read."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    notification_mark_read(actor=_actor(request), notification_ids=ids)
    return redirect("notify:list")


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a message read and go where it points."""
    notification = get_object_or_404(notifications_for_user(request.user), pk=pk)
    notification_mark_read(actor=_actor(request), notification_ids=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notify:list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """通知设置: which kinds of message also come by SMS and by email."""
    rows = channel_settings(request.user)
    if request.method == "POST":
        # A box not ticked is "no"; only the known kinds and channels are read.
        wanted = {
            (kind, str(channel)): request.POST.get(f"{kind}:{channel}") == "1"
            for kind, _label, _now in rows
            for channel in PERSONAL_CHANNELS
        }
        preferences_set(actor=_actor(request), wanted=wanted)
        messages.success(request, _("通知设置已保存"))
        return redirect("notify:settings")
    return render(request, "notify/settings.html", {"rows": rows})
