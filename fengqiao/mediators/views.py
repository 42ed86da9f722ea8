"""调解员管理 pages: parse, authorize (``policy``), call a service or a selector, render.

A page needing a section's permission answers 403 without it; an object outside the user's
scope is 404 (the selectors); an action the object's state refuses (a decided applicant, a
concluded complaint, an approved statement) and any rule a service refuses is shown as the
policy or the service words it, nothing typed being lost.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import has_perm, require, restrict
from fengqiao.accounts.models import User
from fengqiao.core.masking import mask_id_number, mask_name, mask_phone
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.mediators import forms, selectors, services, services_rating, services_subsidy
from fengqiao.mediators.choices import ComplaintStatus, StatementStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import SubsidyRule
from fengqiao.mediators.permissions import (
    HANDLE_COMPLAINT,
    MANAGE_RECRUITMENT,
    MANAGE_SUBSIDY,
    RATE_MEDIATORS,
    VIEW_MEDIATOR_WORK,
    VIEW_OWN_WORK,
)
from fengqiao.mediators.policy import (
    APPOINT,
    APPROVE_RATING,
    APPROVE_STATEMENT,
    EXPORT,
    HANDLE,
    NOT_PERMITTED,
    PREPARE,
    RATE,
    RECRUIT,
    RESUME,
    SUBSIDY,
    mediators_may,
    refusal,
)
from fengqiao.mediators.workflow import complaint_actions
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership

SECTIONS = [
    (MANAGE_RECRUITMENT, "mediators:round_list", gettext_lazy("选聘")),
    (HANDLE_COMPLAINT, "mediators:complaint_list", gettext_lazy("投诉处理")),
    (RATE_MEDIATORS, "mediators:ratings", gettext_lazy("评星定级")),
    (MANAGE_SUBSIDY, "mediators:statements", gettext_lazy("案件补贴")),
    (VIEW_MEDIATOR_WORK, "mediators:mediator_list", gettext_lazy("调解员业绩")),
]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _allow(user: User, action: str, obj: Any = None) -> str | None:
    """403 without the action's permission or scope over ``obj``; otherwise the rule that
    refuses the action in the object's state (None: allowed), for the page to say."""
    reason = refusal(user, action, obj)
    if reason == NOT_PERMITTED:
        raise PermissionDenied
    return reason


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """调解员管理 — the sections the user may open."""
    user = _actor(request)
    sections = [(url, label) for perm, url, label in SECTIONS if has_perm(user, perm)]
    if has_perm(user, VIEW_OWN_WORK):
        sections.append(("mediators:my_work", gettext_lazy("我的业绩")))
    if not sections:
        raise PermissionDenied
    return render(request, "mediators/home.html", {"sections": sections})


# --- 选聘 ----------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    return render(
        request,
        "mediators/round_list.html",
        {"rounds": selectors.round_list(user), "may_open": mediators_may(user, RECRUIT)},
    )


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    _allow(user, RECRUIT)
    form = forms.RoundForm(
        request.POST or None, orgs=selectors.mediating_orgs(user, MANAGE_RECRUITMENT)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.round_open(actor=user, **data)
        except MediatorRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("选聘已发起。"))
            return redirect("mediators:round_detail", pk=found.pk)
    return render(request, "mediators/round_new.html", {"form": form})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round: its applicants ranked by combined score (ID numbers and phones masked), the
    score entry and decisions the policy allows, and the form for a new applicant."""
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    found = selectors.round_get_for_user(user, pk)
    return _round_page(request, user, found, forms.ApplicationForm())


def _round_page(
    request: HttpRequest, user: User, found: Any, application_form: Any, status: int = 200
) -> HttpResponse:
    view = selectors.round_view(found)
    rows = [
        {
            "r": r,
            "id_number": mask_id_number(r.application.id_number),
            "phone": mask_phone(r.application.phone),
            "may_decide": mediators_may(user, APPOINT, r.application),
        }
        for r in view.ranking
    ]
    return render(
        request,
        "mediators/round_detail.html",
        {
            "view": view,
            "rows": rows,
            "may_edit": mediators_may(user, RECRUIT, found),
            "application_form": application_form,
        },
        status=status,
    )


@login_required
@require_POST
def application_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    found = selectors.round_get_for_user(user, pk)
    _allow(user, RECRUIT, found)
    form = forms.ApplicationForm(request.POST)
    if form.is_valid():
        try:
            services.application_add(actor=user, round_id=found.pk, **form.cleaned_data)
        except MediatorRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("报名已登记。"))
            return redirect("mediators:round_detail", pk=found.pk)
    return _round_page(request, user, found, form, status=400)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    found = selectors.round_get_for_user(user, pk)
    _allow(user, RECRUIT, found)
    try:
        services.round_close(actor=user, round_id=found.pk)
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("选聘已结束。"))
    return redirect("mediators:round_detail", pk=found.pk)


@login_required
@require_POST
def application_score(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    application = selectors.application_get_for_user(user, pk)
    _allow(user, APPOINT, application)
    form = forms.ScoreForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.application_score(
                actor=user, application_id=application.pk, **form.cleaned_data
            )
        except MediatorRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s的成绩已保存。") % {"name": application.name})
    return redirect("mediators:round_detail", pk=application.round_id)


@login_required
def application_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    application = selectors.application_get_for_user(user, pk)
    reason = _allow(user, APPOINT, application)
    if reason is not None:
        messages.error(request, reason)
        return redirect("mediators:round_detail", pk=application.round_id)
    form = forms.AppointForm(request.POST or None, initial={"term_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_appoint(
                actor=user, application_id=application.pk, **form.cleaned_data
            )
        except MediatorRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s已聘任为调解员。") % {"name": application.name})
            return redirect("mediators:round_detail", pk=application.round_id)
    return render(
        request,
        "mediators/appoint.html",
        {"application": application, "form": form, "decline_form": forms.DeclineForm()},
    )


@login_required
@require_POST
def application_decline(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_RECRUITMENT)
    application = selectors.application_get_for_user(user, pk)
    _allow(user, APPOINT, application)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("mediators:application_appoint", pk=application.pk)
    try:
        services.application_decline(
            actor=user, application_id=application.pk, note=form.cleaned_data["note"]
        )
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已决定不予聘任%(name)s。") % {"name": application.name})
    return redirect("mediators:round_detail", pk=application.round_id)


# --- 投诉 ----------------------------------------------------------------------------------------


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, HANDLE_COMPLAINT)
    status = request.GET.get("status", "")
    return render(
        request,
        "mediators/complaint_list.html",
        {
            "complaints": selectors.complaint_list(user, status=status),
            "status": status,
            "statuses": ComplaintStatus.choices,
        },
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, HANDLE_COMPLAINT)
    form = forms.ComplaintForm(
        request.POST or None, posts=selectors.serving_posts(user, HANDLE_COMPLAINT)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = None
        if data["case_number"]:
            case = (
                restrict(Case.objects.all(), user, VIEW_CASE)
                .filter(number=data["case_number"])
                .first()
            )
            if case is None:
                form.add_error("case_number", _("未找到该案件编号，或您无权查看该案件。"))
        if not form.errors:
            try:
                complaint = services.complaint_record(
                    actor=user,
                    membership=data["post"],
                    source=data["source"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    summary=data["summary"],
                    received_on=data["received_on"],
                    case=case,
                    days=data["days"],
                )
            except MediatorRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("投诉已受理。"))
                return redirect("mediators:complaint_detail", pk=complaint.pk)
    return render(request, "mediators/complaint_new.html", {"form": form})


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, HANDLE_COMPLAINT)
    complaint = selectors.complaint_get_for_user(user, pk)
    may_handle = mediators_may(user, HANDLE, complaint)
    steps = complaint_actions(complaint.status) if may_handle else []
    may_resume = mediators_may(user, RESUME, complaint)
    return render(
        request,
        "mediators/complaint_detail.html",
        {
            "complaint": complaint,
            "phone": mask_phone(complaint.complainant_phone),
            "steps": steps,
            "investigate_form": forms.InvestigateForm() if "investigate" in steps else None,
            "conclude_form": forms.ConcludeForm(
                initial={
                    "investigation": complaint.investigation,
                    "suspended_until": timezone.localdate()
                    + timedelta(days=services.SUSPENSION_DEFAULT_DAYS),
                }
            )
            if "conclude" in steps
            else None,
            "resume_form": forms.ResumeForm() if may_resume else None,
        },
    )


@login_required
@require_POST
def complaint_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """恢复调解: end the complaint's 暂停调解工作 now, with the reason."""
    user = _actor(request)
    require(user, HANDLE_COMPLAINT)
    complaint = selectors.complaint_get_for_user(user, pk)
    reason = _allow(user, RESUME, complaint)
    if reason is not None:
        messages.error(request, reason)
        return redirect("mediators:complaint_detail", pk=complaint.pk)
    form = forms.ResumeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("mediators:complaint_detail", pk=complaint.pk)
    try:
        services.complaint_resume(
            actor=user, complaint_id=complaint.pk, reason=form.cleaned_data["reason"]
        )
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已恢复调解，即日起可为该调解员分派案件。"))
    return redirect("mediators:complaint_detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = _actor(request)
    require(user, HANDLE_COMPLAINT)
    complaint = selectors.complaint_get_for_user(user, pk)
    _allow(user, HANDLE, complaint)
    try:
        if step == "investigate":
            form: Any = forms.InvestigateForm(request.POST)
            if form.is_valid():
                services.complaint_investigate(
                    actor=user, complaint_id=complaint.pk, note=form.cleaned_data["note"]
                )
                messages.success(request, _("已开始调查。"))
        elif step == "conclude":
            form = forms.ConcludeForm(request.POST)
            if form.is_valid():
                services.complaint_conclude(
                    actor=user, complaint_id=complaint.pk, **form.cleaned_data
                )
                messages.success(request, _("投诉已处理完毕。"))
        else:
            raise Http404
        if not form.is_valid():
            _form_errors(request, form)
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    return redirect("mediators:complaint_detail", pk=complaint.pk)


# --- 评星定级 ------------------------------------------------------------------------------------


@login_required
@require_GET
def ratings(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, RATE_MEDIATORS)
    year = _year(request)
    rows = [
        {
            "rating": r,
            "may_approve": mediators_may(user, APPROVE_RATING, r),
            "form": forms.ApproveRatingForm(
                prefix=f"r{r.pk}",
                initial={"stars": r.proposed_stars, "grade": r.proposed_grade},
            ),
        }
        for r in selectors.ratings_for_user(user, year)
    ]
    return render(
        request,
        "mediators/ratings.html",
        {
            "year": year,
            "rows": rows,
            "criteria": selectors.criteria_for(year),
            "may_rate": mediators_may(user, RATE),
        },
    )


def _criteria_initial(year: int) -> list[dict[str, Any]]:
    have = {c.stars: c for c in selectors.criteria_for(year)}
    rows = []
    for stars in range(1, 6):
        c = have.get(stars)
        rows.append(
            {
                "stars": stars,
                "enabled": c is not None,
                "grade": c.grade if c else "",
                "min_cases": c.min_cases if c else 0,
                "min_success_rate": c.min_success_rate if c else 0,
                "min_performance_rate": c.min_performance_rate if c else 0,
                "min_satisfaction_rate": c.min_satisfaction_rate if c else 0,
                "min_trainings": c.min_trainings if c else 0,
                "max_upheld_complaints": c.max_upheld_complaints if c else 0,
            }
        )
    return rows


@login_required
def criteria(request: HttpRequest) -> HttpResponse:
    """The year's 评星定级 criteria: a row per star, ticked to award it."""
    user = _actor(request)
    _allow(user, RATE)
    year = _year(request)
    formset = forms.CriterionFormSet(request.POST or None, initial=_criteria_initial(year))
    if request.method == "POST" and formset.is_valid():
        rows = [
            services_rating.CriterionInput(
                **{k: v for k, v in f.cleaned_data.items() if k != "enabled"}
            )
            for f in formset
            if f.cleaned_data.get("enabled")
        ]
        try:
            services_rating.criteria_set(actor=user, year=year, rows=rows)
        except MediatorRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(year)d年度评星定级标准已保存。") % {"year": year})
            return redirect(f"{_url('mediators:ratings')}?year={year}")
    return render(request, "mediators/criteria.html", {"year": year, "formset": formset})


def _url(name: str) -> str:
    return reverse(name)


@login_required
@require_POST
def ratings_propose(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    _allow(user, RATE)
    year = _year(request)
    try:
        count = services_rating.ratings_propose(actor=user, year=year)
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已计算%(n)d名调解员的评定建议。") % {"n": count})
    return redirect(f"{_url('mediators:ratings')}?year={year}")


@login_required
@require_POST
def rating_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, RATE_MEDIATORS)
    rating = selectors.rating_get_for_user(user, pk)
    _allow(user, APPROVE_RATING, rating)
    form = forms.ApproveRatingForm(request.POST, prefix=f"r{rating.pk}")
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services_rating.rating_approve(actor=user, rating_id=rating.pk, **form.cleaned_data)
        except MediatorRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s的评定已审定。") % {"name": rating.person.name})
    return redirect(f"{_url('mediators:ratings')}?year={rating.year}")


# --- 以案定补 ------------------------------------------------------------------------------------


def _last_month() -> date:
    first = timezone.localdate().replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


@login_required
@require_GET
def statements(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    form = forms.ComputeForm(
        orgs=selectors.mediating_orgs(user, MANAGE_SUBSIDY),
        initial={"month": f"{_last_month():%Y-%m}"},
    )
    return render(
        request,
        "mediators/statements.html",
        {"statements": selectors.statement_list(user), "form": form},
    )


@login_required
@require_POST
def statement_compute(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    form = forms.ComputeForm(request.POST, orgs=selectors.mediating_orgs(user, MANAGE_SUBSIDY))
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("mediators:statements")
    org = form.cleaned_data["org"]
    _allow(user, SUBSIDY, org)
    try:
        statement = services_subsidy.statement_compute(
            actor=user, org=org, month=form.cleaned_data["month"]
        )
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
        return redirect("mediators:statements")
    messages.success(request, _("结算单已计算。"))
    return redirect("mediators:statement_detail", pk=statement.pk)


@login_required
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    statement = selectors.statement_get_for_user(user, pk)
    may_prepare = mediators_may(user, PREPARE, statement)
    approve_refusal = refusal(user, APPROVE_STATEMENT, statement)
    users = User.objects.filter(
        person__memberships__org=statement.org,
        person__memberships__role__in=CASE_MEDIATOR_ROLES,
    ).distinct()
    return render(
        request,
        "mediators/statement_detail.html",
        {
            "statement": statement,
            "lines": selectors.statement_lines(statement),
            "totals": selectors.statement_totals(statement),
            "may_prepare": may_prepare,
            "may_approve": approve_refusal is None,
            # Why a draft is not offered for 审批 to one who may otherwise approve (its
            # compiler); an approved statement says its state in the badge already.
            "approve_refusal": approve_refusal
            if approve_refusal not in (None, NOT_PERMITTED)
            and statement.status == StatementStatus.DRAFT
            else None,
            "may_export": mediators_may(user, EXPORT, statement),
            "adjust_form": forms.AdjustForm(users=users) if may_prepare else None,
        },
    )


@login_required
@require_POST
def statement_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    statement = selectors.statement_get_for_user(user, pk)
    _allow(user, PREPARE, statement)
    try:
        services_subsidy.statement_compute(actor=user, org=statement.org, month=statement.month)
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("结算单已重新计算。"))
    return redirect("mediators:statement_detail", pk=statement.pk)


@login_required
@require_POST
def statement_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    statement = selectors.statement_get_for_user(user, pk)
    _allow(user, PREPARE, statement)
    users = User.objects.filter(
        person__memberships__org=statement.org,
        person__memberships__role__in=CASE_MEDIATOR_ROLES,
    ).distinct()
    form = forms.AdjustForm(request.POST, users=users)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services_subsidy.statement_adjust(
                actor=user, statement_id=statement.pk, **form.cleaned_data
            )
        except MediatorRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("调整已登记。"))
    return redirect("mediators:statement_detail", pk=statement.pk)


@login_required
@require_POST
def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    statement = selectors.statement_get_for_user(user, pk)
    _allow(user, APPROVE_STATEMENT, statement)
    try:
        services_subsidy.statement_approve(actor=user, statement_id=statement.pk)
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("结算单已审批。"))
    return redirect("mediators:statement_detail", pk=statement.pk)


@login_required
@require_GET
def statement_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    statement = selectors.statement_get_for_user(user, pk)
    reason = _allow(user, EXPORT, statement)
    if reason is not None:
        messages.error(request, reason)
        return redirect("mediators:statement_detail", pk=statement.pk)
    exported = services_subsidy.statement_export(actor=user, statement_id=statement.pk)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


@login_required
@require_GET
def subsidy_rules(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, MANAGE_SUBSIDY)
    return render(
        request,
        "mediators/rules.html",
        {
            "rules": selectors.subsidy_rules(),
            "may_edit": mediators_may(user, SUBSIDY),
            "end_form": forms.RuleEndForm(initial={"effective_to": timezone.localdate()}),
            "today": timezone.localdate(),
        },
    )


@login_required
def subsidy_rule_new(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    _allow(user, SUBSIDY)
    form = forms.RuleForm(
        request.POST or None, initial={"effective_from": timezone.localdate().replace(day=1)}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["performance_bonus"] = data["performance_bonus"] or 0
        try:
            services_subsidy.subsidy_rule_add(actor=user, **data)
        except MediatorRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("补贴标准已设定。"))
            return redirect("mediators:subsidy_rules")
    return render(request, "mediators/rule_new.html", {"form": form})


@login_required
@require_POST
def subsidy_rule_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    _allow(user, SUBSIDY)
    form = forms.RuleEndForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("mediators:subsidy_rules")
    try:
        services_subsidy.subsidy_rule_end(
            actor=user, rule_id=pk, effective_to=form.cleaned_data["effective_to"]
        )
    except SubsidyRule.DoesNotExist:
        raise Http404 from None
    except MediatorRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("补贴标准已停用。"))
    return redirect("mediators:subsidy_rules")


# --- 调解员业绩 ----------------------------------------------------------------------------------


@login_required
@require_GET
def mediator_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_MEDIATOR_WORK)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return render(
        request,
        "mediators/mediator_list.html",
        {"page": selectors.mediator_page(user, number), "year": timezone.localdate().year},
    )


def _work_context(user: User, work: selectors.MediatorWork, *, own: bool) -> dict[str, Any]:
    complaints = [
        {"c": c, "who": c.complainant_name if not own else mask_name(c.complainant_name)}
        for c in work.complaints
    ]
    figure_rows = [
        (_("%(year)d年") % {"year": work.year}, work.year_figures),
        (work.month_label, work.month_figures),
    ]
    return {
        "work": work,
        "own": own,
        "complaints": complaints,
        "figure_rows": figure_rows,
        "has_login": work.person.user_id is not None,
    }


@login_required
@require_GET
def mediator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_MEDIATOR_WORK)
    person = selectors.mediator_get_for_user(user, pk)
    work = selectors.mediator_work(user, person)
    return render(request, "mediators/work.html", _work_context(user, work, own=False))


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """我的业绩: the mediator's own figures, stars, concluded complaints and subsidies."""
    user = _actor(request)
    require(user, VIEW_OWN_WORK)
    person = selectors.own_person(user)
    if (
        person is None
        or not Membership.objects.filter(person=person, role__in=CASE_MEDIATOR_ROLES).exists()
    ):
        return render(request, "mediators/work_none.html", status=200)
    work = selectors.mediator_work(user, person)
    return render(request, "mediators/work.html", _work_context(user, work, own=True))
