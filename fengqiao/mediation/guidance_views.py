"""业务指导 pages: the case page's panel (ask), the list of requests (to answer / asked) and a
request's page (answer). Parse, authorize (``guidance_policy.guidance_may``), call, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require, restrict
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.mediation import guidance, services
from fengqiao.mediation.forms import GuidanceAnswerForm, GuidanceAskForm
from fengqiao.mediation.guidance_policy import ANSWER, ASK, askable_orgs, guidance_may


def case_panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's 业务指导 panel: the requests and, for the case's mediator, the form."""
    may_ask = guidance_may(user, ASK, case)
    return {
        "guidance_requests": guidance.guidance_for_case(case),
        "guidance_form": GuidanceAskForm(orgs=askable_orgs(case)) if may_ask else None,
        "guidance_now": timezone.now(),
    }


def _back(case_pk: int) -> HttpResponse:
    return redirect(reverse("disputes:case_detail", args=[case_pk]) + "#guidance")


@login_required
@require_POST
def guidance_ask(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    if not guidance_may(request.user, ASK, case):
        # As every case action: the page says why (a stale page, a case no longer mediated).
        messages.error(request, _("只有承办本案的调解员可以在调解期间请求业务指导。"))
        return _back(case.pk)
    form = GuidanceAskForm(request.POST, orgs=askable_orgs(case))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(case.pk)
    data = form.cleaned_data
    try:
        asked = guidance.guidance_ask(
            actor=request.user,
            case_id=case.pk,
            asked_org_id=data["asked_org"],
            question=data["question"],
            submit_key=data["submit_key"] or None,
        )
    except guidance.AlreadyRecorded as again:
        messages.info(request, str(again))
    except CaseRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已向%(org)s请求业务指导，答复期限%(due)s。")
            % {
                "org": asked.asked_org.name,
                "due": timezone.localtime(asked.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return _back(case.pk)


@login_required
@require_GET
def guidance_list(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_CASE)
    open_only = request.GET.get("status") == "open"
    return render(
        request,
        "mediation/guidance_list.html",
        {
            "lists": guidance.guidance_list_for_user(request.user, open_only=open_only),
            "open_only": open_only,
            "now": timezone.now(),
        },
    )


@login_required
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, and 答复 for whoever acts for the asked org while it is unanswered."""
    require(request.user, VIEW_CASE)
    asked = guidance.guidance_get_for_user(request.user, pk)
    may_answer = guidance_may(request.user, ANSWER, asked)
    form = GuidanceAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["attachment"]
            try:
                guidance.guidance_answer(
                    actor=request.user,
                    request_id=asked.pk,
                    answer=form.cleaned_data["answer"],
                    attachment=guidance.Attachment(upload, upload.name, upload.size)
                    if upload
                    else None,
                )
            except guidance.AlreadyRecorded as again:
                messages.info(request, str(again))
                return redirect("mediation:guidance_detail", pk=asked.pk)
            except CaseRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已答复，答复意见已记入案件。"))
                return redirect("mediation:guidance_detail", pk=asked.pk)
        elif not may_answer and asked.answered_at is None:
            raise PermissionDenied(_("只有被咨询单位的工作人员可以答复。"))
    return render(
        request,
        "mediation/guidance_detail.html",
        {
            "g": asked,
            "form": form if may_answer else None,
            "now": timezone.now(),
            "case_visible": restrict(
                Case.objects.filter(pk=asked.case_id), request.user, VIEW_CASE
            ).exists(),
        },
    )


@login_required
@require_GET
def guidance_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The answer's file, for whoever sees the request (the asked org's people need not see
    the case)."""
    require(request.user, VIEW_CASE)
    asked = guidance.guidance_get_for_user(request.user, pk)
    if asked.attachment is None:
        raise Http404
    evidence = asked.attachment
    response = FileResponse(
        services.evidence_open(actor=request.user, evidence=evidence),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
