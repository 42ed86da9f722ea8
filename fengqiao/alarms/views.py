"""报警直通 pages: parse, authorize (``policy.alarm_may``), call a service or a selector,
render."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.alarms import selectors, services
from fengqiao.alarms.forms import CloseForm, LogForm, RaiseForm
from fengqiao.alarms.policy import ACKNOWLEDGE, CLOSE, LOG, RAISE, alarm_may, raise_orgs
from fengqiao.disputes.models import Case

PAGE_SIZE = 30


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def alarm_raise(request: HttpRequest) -> HttpResponse:
    """GET: the confirm step (for a page without the button's dialog); POST: raise."""
    user = _actor(request)
    if not alarm_may(user, RAISE):
        raise PermissionDenied
    orgs = raise_orgs(user)
    if request.method == "POST":
        form = RaiseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            org = next((o for o in orgs if o.pk == data["org"]), None) if data["org"] else None
            case = Case.objects.filter(pk=data["case"]).first() if data["case"] else None
            try:
                raised = services.alarm_raise(
                    actor=user,
                    token=data["token"],
                    org=org,
                    case=case,
                    location=data["location"],
                    note=data["note"],
                )
            except services.AlarmRefused as exc:
                form.add_error(None, str(exc))
            else:
                alarm = raised.alarm
                if raised.created:
                    messages.success(
                        request,
                        _("已报警：%(station)s已收到（%(n)d人在线接收提醒），请注意自身安全。")
                        % {"station": alarm.station.name, "n": raised.told},
                    )
                else:
                    messages.info(request, _("本次报警已发出，请勿重复提交。"))
                return redirect("alarms:detail", alarm.pk)
    else:
        case_id = request.GET.get("case", "")
        form = RaiseForm(
            initial={
                "token": uuid.uuid4().hex,
                "case": int(case_id) if case_id.isdigit() else None,
            }
        )
    return render(request, "alarms/raise.html", {"form": form, "orgs": orgs})


@login_required
def alarm_list(request: HttpRequest) -> HttpResponse:
    """接警 (alarms sent to the user's station or escalated to the user's org) and 本单位报警."""
    user = _actor(request)
    tab = request.GET.get("tab", "")
    received = selectors.alarms_received(user)
    raised = selectors.alarms_raised(user)
    if tab not in {"received", "raised"}:
        tab = "raised" if alarm_may(user, RAISE) else "received"
    qs = received if tab == "received" else raised
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alarms/list.html",
        {"page_obj": page, "tab": tab, "may_raise": alarm_may(user, RAISE)},
    )


@login_required
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    alarm = selectors.alarm_get_for_user(user, pk)
    return render(
        request,
        "alarms/detail.html",
        {
            "alarm": alarm,
            "may_acknowledge": alarm_may(user, ACKNOWLEDGE, alarm),
            "log_form": LogForm() if alarm_may(user, LOG, alarm) else None,
            "close_form": CloseForm() if alarm_may(user, CLOSE, alarm) else None,
        },
    )


@login_required
@require_POST
def alarm_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    alarm = selectors.alarm_get_for_user(user, pk)
    try:
        services.alarm_acknowledge(actor=user, alarm=alarm)
    except services.AlarmRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认出警。"))
    return redirect("alarms:detail", alarm.pk)


@login_required
@require_POST
def alarm_log(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    alarm = selectors.alarm_get_for_user(user, pk)
    form = LogForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("记录未保存：请检查填写内容。"))
        return redirect("alarms:detail", alarm.pk)
    try:
        services.alarm_log(
            actor=user, alarm=alarm, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
        )
    except services.AlarmRefused as exc:
        messages.error(request, str(exc))
    return redirect("alarms:detail", alarm.pk)


@login_required
@require_POST
def alarm_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    alarm = selectors.alarm_get_for_user(user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写处置结果。"))
        return redirect("alarms:detail", alarm.pk)
    try:
        services.alarm_close(actor=user, alarm=alarm, summary=form.cleaned_data["summary"])
    except services.AlarmRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已处置完毕。"))
    return redirect("alarms:detail", alarm.pk)
