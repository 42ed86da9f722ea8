"""督办 pages: the board, the items behind a count, and the 督办令."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.supervision import forms, selectors, services
from fengqiao.supervision.policy import ANSWER, VIEW, supervision_may


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _overseer(request: HttpRequest) -> User:
    user = _actor(request)
    if not supervision_may(user, VIEW):
        raise PermissionDenied(_("督办台供领导和综治中心（平安办）使用。"))
    return user


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = _overseer(request)
    return render(request, "supervision/board.html", {"board": selectors.board(user)})


@login_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    """The items behind one count; each may be given a 督办令."""
    user = _overseer(request)
    key = request.GET.get("kind") or "warning"
    source = selectors.source(key)
    if source is None:
        raise Http404
    org_id: int | None = None
    if request.GET.get("org"):
        try:
            org_id = int(request.GET["org"])
        except ValueError as exc:
            raise Http404 from exc
    due = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)
    return render(
        request,
        "supervision/items.html",
        {
            "source": source,
            "items": selectors.board_items(user, key, org_id),
            "org_id": org_id,
            "form": forms.DirectiveForm(initial={"kind": key, "due_at": due}),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    user = _overseer(request)
    form = forms.DirectiveForm(request.POST)
    back = request.POST.get("back") or "/supervision/"
    if not back.startswith("/supervision/"):
        back = "/supervision/"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        directive = services.directive_issue(
            actor=user,
            kind=data["kind"],
            object_id=data["object_id"],
            due_at=data["due_at"],
            comment=data["comment"],
        )
    except CaseRuleError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _("督办令已下达，%(org)s已收到通知。") % {"org": directive.org.name})
    return redirect("supervision:directive_detail", pk=directive.pk)


@login_required
@require_GET
def directive_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    answered = request.GET.get("tab") == "answered"
    return render(
        request,
        "supervision/directive_list.html",
        {
            "answered": answered,
            "directives": selectors.directive_list(user, answered=answered),
            "may_view_board": supervision_may(user, VIEW),
        },
    )


@login_required
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    directive = selectors.directive_get_for_user(user, pk)
    if directive is None:
        raise Http404
    may_answer = supervision_may(user, ANSWER, directive)
    form: Any = forms.AnswerForm(request.POST or None) if may_answer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("该督办令已反馈，或您无权反馈。"))
        if form.is_valid():
            try:
                services.directive_answer(
                    actor=user, directive_id=directive.pk, answer=form.cleaned_data["answer"]
                )
            except CaseRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已反馈。"))
                return redirect("supervision:directive_detail", pk=directive.pk)
    return render(
        request, "supervision/directive_detail.html", {"directive": directive, "form": form}
    )
