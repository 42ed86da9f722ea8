"""The mediation panel's actions. Each view parses a form, calls one service and goes back to
the case page with the outcome as a message; evidence is served only through an access check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import CaseRuleError, StaleCase
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.mediation import forms, selectors, services

REFUSALS = (CaseRuleError, StaleCase, TransitionNotAllowed, PermissionDenied)


def panel_context(user: Any, case: Case) -> dict[str, Any]:
    """What ``mediation/_case_panel.html`` needs on the case page."""
    panel = selectors.case_panel(user, case)
    context: dict[str, Any] = {"mediation": panel}
    if panel.can_act:
        context.update(
            consent_form=forms.ConsentForm(case=case, user=user, prefix="consent"),
            notice_form=forms.RightsNoticeForm(case=case, user=user, prefix="notice"),
            session_form=forms.SessionForm(case=case, user=user, prefix="session"),
            evidence_form=forms.EvidenceForm(case=case, user=user, prefix="evidence"),
            opinion_form=forms.ExpertOpinionForm(case=case, user=user, prefix="opinion"),
        )
    return context


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


def _act(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.CaseForm],
    prefix: str,
    run: Callable[[User, Case, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    require(request.user, VIEW_CASE)
    user = cast(User, request.user)
    case = case_get_for_user(user, pk)
    form = form_class(request.POST, request.FILES, case=case, user=user, prefix=prefix)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            run(user, case, form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, str(exc) or _("您无权办理该案件。"))
        else:
            messages.success(request, f"{case.number}：{done}")
    return redirect("disputes:case_detail", pk=case.pk)


@login_required
@require_POST
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, case: Case, d: dict[str, Any]) -> object:
        return services.consent_record(
            actor=user,
            case_id=case.pk,
            party_id=d["party"].pk,
            decision=d["decision"],
            method=d["method"],
            note=d["note"],
        )

    return _act(request, pk, forms.ConsentForm, "consent", run, _("已记录调解意愿。"))


@login_required
@require_POST
def notice_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, case: Case, d: dict[str, Any]) -> object:
        return services.rights_notice_deliver(
            actor=user,
            case_id=case.pk,
            method=d["method"],
            acknowledged_party_ids=[p.pk for p in d["acknowledged"]],
        )

    return _act(request, pk, forms.RightsNoticeForm, "notice", run, _("已记录告知书送达。"))


@login_required
@require_POST
def session_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, case: Case, d: dict[str, Any]) -> object:
        return services.session_record(
            actor=user,
            case_id=case.pk,
            held_at=d["held_at"],
            mode=d["mode"],
            place=d["place"],
            attendees=d["attendees"],
            record=d["record"],
            outcome=d["outcome"],
            mediators=list(d["mediators"]),
        )

    return _act(request, pk, forms.SessionForm, "session", run, _("已记录调解笔录。"))


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, case: Case, d: dict[str, Any]) -> object:
        upload = d["file"]
        return services.evidence_upload(
            actor=user,
            case_id=case.pk,
            file=upload,
            name=upload.name or "",
            size=upload.size or 0,
            title=d["title"],
            session_id=d["session"].pk if d["session"] else None,
        )

    return _act(request, pk, forms.EvidenceForm, "evidence", run, _("证据材料已上传。"))


@login_required
@require_POST
def opinion_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, case: Case, d: dict[str, Any]) -> object:
        return services.expert_opinion_record(
            actor=user,
            case_id=case.pk,
            expert=d["expert"],
            field=d["field"],
            opinion=d["opinion"],
            given_at=d["given_at"],
        )

    return _act(request, pk, forms.ExpertOpinionForm, "opinion", run, _("已记录专家意见。"))


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    require(request.user, VIEW_CASE)
    evidence = selectors.evidence_get_for_user(request.user, pk)
    response = FileResponse(
        services.evidence_open(actor=request.user, evidence=evidence),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
