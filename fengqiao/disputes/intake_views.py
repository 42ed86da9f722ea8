"""The intake pages: 登记纠纷 (``case_new``), the grid worker's 快速上报 (``case_report``) and the
pages shown after a report was registered or linked to an earlier case as 重复反映."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.core.validators import is_credit_code
from fengqiao.disputes import forms, selectors
from fengqiao.disputes.choices import IntakeChannel, PartyKind, PartyRole
from fengqiao.disputes.duplicates import find_duplicates
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.services.errors import CaseRuleError, PartyInput
from fengqiao.disputes.services.intake import IntakeOutcome, IntakeReport, case_intake

# What the intake service may refuse with; each carries a message for the user.
REFUSALS = (CaseRuleError, PermissionDenied)


def _actor(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _refusal_message(exc: Exception) -> str:
    return str(exc) or _("您无权办理该案件。")


def _report_of_intake_form(d: dict[str, Any]) -> IntakeReport:
    return IntakeReport(
        channel=d["channel"],
        category=d["category"],
        region=d["region"],
        title=d["title"],
        parties=(
            PartyInput(
                role=PartyRole.APPLICANT,
                name=d["applicant_name"],
                id_number=d["applicant_id_number"],
                phone=d["applicant_phone"],
            ),
            PartyInput(
                role=PartyRole.RESPONDENT,
                # A company or other organisation is recorded by its 统一社会信用代码.
                kind=(
                    PartyKind.ORGANIZATION
                    if is_credit_code(d["respondent_id_number"])
                    else PartyKind.PERSON
                ),
                name=d["respondent_name"],
                id_number=d["respondent_id_number"],
                phone=d["respondent_phone"],
            ),
        ),
        facts=d["facts"],
        claims=d["claims"],
        address=d["address"],
        occurred_at=d["occurred_at"],
        amount=d["amount"],
        people_count=d["people_count"],
    )


def _report_of_quick_form(d: dict[str, Any]) -> IntakeReport:
    return IntakeReport(
        channel=IntakeChannel.GRID,
        category=d["category"],
        region=d["region"],
        title=d["title"],
        parties=(
            PartyInput(
                role=PartyRole.APPLICANT, name=d["applicant_name"], phone=d["applicant_phone"]
            ),
            PartyInput(role=PartyRole.RESPONDENT, name=d["respondent_name"]),
        ),
        facts=d["facts"],
    )


def _submit_intake(
    request: HttpRequest, form: forms.PlaceMixin, report: IntakeReport
) -> IntakeOutcome:
    """A valid intake form through the intake service, with the registrant's answer to the
    duplicate check (if any): ``link_to`` records it on that case as 重复反映; ``confirm_new``
    registers it; neither registers only if the check finds nothing. A refusal goes on the
    form (with the cases found again, when linking was refused)."""
    user = _actor(request)
    choice = forms.DuplicateChoiceForm(request.POST)
    choice.is_valid()
    link_to = choice.cleaned_data.get("link_to")
    try:
        return case_intake(
            actor=user,
            report=report,
            link_to=link_to,
            confirm_new=bool(choice.cleaned_data.get("confirm_new")),
        )
    except REFUSALS as exc:
        form.add_error(None, _refusal_message(exc))
    if not link_to:
        return IntakeOutcome()
    return IntakeOutcome(
        duplicates=find_duplicates(
            user=user,
            category=report.category,
            region=report.region,
            parties=report.parties,
            address=report.address,
        )
    )


def _linked_message(report: Any) -> str:
    return _(
        "已作为重复反映并入案件%(n)s，不另行登记、不重复交办；该案的平安办和承办单位已收到通知。"
    ) % {"n": report.case.number}


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require(request.user, REGISTER_CASE)
    user = _actor(request)
    form = forms.IntakeForm(request.POST or None, user=user)
    outcome = IntakeOutcome()
    if request.method == "POST" and form.is_valid():
        outcome = _submit_intake(request, form, _report_of_intake_form(form.cleaned_data))
        if outcome.case is not None:
            case = outcome.case
            messages.success(request, _("已登记，案件编号：%(n)s") % {"n": case.number})
            if selectors.case_visible_to(user, case.pk):
                return redirect("disputes:case_detail", pk=case.pk)
            return redirect("disputes:case_new")
        if outcome.linked is not None:
            messages.success(request, _linked_message(outcome.linked))
            if selectors.case_visible_to(user, outcome.linked.case_id):
                return redirect("disputes:case_detail", pk=outcome.linked.case_id)
            return redirect("disputes:case_new")
    return render(
        request,
        "disputes/case_new.html",
        {
            "form": form,
            "platform": selectors.intake_platform_for(user),
            "duplicates": outcome.duplicates,
        },
        status=200 if not form.is_bound or outcome.duplicates is not None else 400,
    )


@login_required
def case_report(request: HttpRequest) -> HttpResponse:
    """网格员快速上报 (mobile first)."""
    require(request.user, REGISTER_CASE)
    user = _actor(request)
    form = forms.QuickReportForm(request.POST or None, user=user)
    outcome = IntakeOutcome()
    if request.method == "POST" and form.is_valid():
        outcome = _submit_intake(request, form, _report_of_quick_form(form.cleaned_data))
        if outcome.case is not None:
            case = outcome.case
            if selectors.case_visible_to(user, case.pk):
                return redirect("disputes:report_done", pk=case.pk)
            messages.success(request, _("已上报，案件编号：%(n)s") % {"n": case.number})
            return redirect("disputes:case_report")
        if outcome.linked is not None:
            if selectors.case_visible_to(user, outcome.linked.case_id):
                return redirect("disputes:report_linked", pk=outcome.linked.case_id)
            messages.success(request, _linked_message(outcome.linked))
            return redirect("disputes:case_report")
    return render(
        request,
        "disputes/case_report.html",
        {
            "form": form,
            "duplicates": outcome.duplicates,
            "platform": selectors.intake_platform_for(user),
        },
        status=200 if not form.is_bound or outcome.duplicates is not None else 400,
    )


@login_required
def report_done(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, VIEW_CASE)
    case = selectors.case_get_for_user(request.user, pk)
    return render(request, "disputes/report_done.html", {"case": case})


@login_required
def report_linked(request: HttpRequest, pk: int) -> HttpResponse:
    """After a quick report was linked to an earlier case: which case it went to."""
    require(request.user, VIEW_CASE)
    case = selectors.case_get_for_user(request.user, pk)
    return render(request, "disputes/report_done.html", {"case": case, "linked": True})
