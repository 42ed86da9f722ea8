"""The court's referral pages: the queues (/court/), 委派/委托 of a registered case, 登记立案
of a returned case, and the 特邀调解 roster. Parse, authorize (``referral_may``), call, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.accounts.models import User
from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.models.referral import OPEN_REFERRAL
from fengqiao.court.referral_forms import (
    FileForm,
    NumberForm,
    ReferralSendForm,
    RosterApplyForm,
    RosterDecideForm,
    WithdrawForm,
)
from fengqiao.court.referral_policy import (
    COURT_CHANNELS,
    FILE,
    MANAGE_ORGS,
    NUMBER,
    QUEUES,
    ROSTER_DECIDE,
    SEND,
    WITHDRAW,
    court_ids,
    needs_number,
    referral_may,
)
from fengqiao.court.selectors import referral as selectors
from fengqiao.court.services import referral as services
from fengqiao.court.tabs import queue_tabs
from fengqiao.disputes.choices import IntakeChannel
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import AlreadyDone, CaseRuleError, StaleCase
from fengqiao.disputes.workflow import TransitionNotAllowed
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization, Person


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def queues(request: HttpRequest) -> HttpResponse:
    """诉调对接 — the court's tabs, each with its count; the chosen tab's first page."""
    user = _actor(request)
    if not referral_may(user, QUEUES):
        raise PermissionDenied(_("只有法院（法庭）的工作人员可以查看诉调对接队列。"))
    courts = court_ids(user)
    tabs = queue_tabs()
    current = next((t for t in tabs if t.key == request.GET.get("tab")), tabs[0])
    counts = {t.key: t.queryset(courts).count() for t in tabs}
    rows = current.decorate(list(current.queryset(courts)[: selectors.PAGE]))
    for row in rows:
        if isinstance(row, CourtReferral):
            # What each row offers, by the one policy (the courts read once for the page).
            row.needs_number = needs_number(row)  # type: ignore[attr-defined]
            row.may_number = referral_may(user, NUMBER, row, courts=courts)  # type: ignore[attr-defined]
            row.may_withdraw = referral_may(user, WITHDRAW, row, courts=courts)  # type: ignore[attr-defined]
    return render(
        request,
        "court/referral/queues.html",
        {
            "tabs": [(t, counts[t.key]) for t in tabs],
            "current": current,
            "rows": rows,
            "total": counts[current.key],
            "page_size": selectors.PAGE,
            "file_form": FileForm(),
        },
    )


@login_required
def referral_send(request: HttpRequest, case_pk: int) -> HttpResponse:
    """委派/委托 of a registered case to a member of the court's roster."""
    user = _actor(request)
    case = case_get_for_user(user, case_pk)
    if not referral_may(user, SEND, case):
        raise PermissionDenied(_("只有登记该案件的法院（法庭）可以在案件登记后委派或委托调解。"))
    members = selectors.roster_choices(case.source_org_id)
    form = ReferralSendForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_send(
                actor=user,
                case_id=case.pk,
                member_id=form.cleaned_data["member"].pk,
                court_case_number=form.cleaned_data["court_case_number"],
                procedure=form.cleaned_data["procedure"],
                note=form.cleaned_data["note"],
                version=case.version,
            )
        except CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已委派，等待调解组织受理。"))
            return redirect("/court/?tab=sent")
    return render(
        request,
        "court/referral/send.html",
        {
            "case": case,
            "form": form,
            "is_post": case.channel == IntakeChannel.COURT_POST,
            "no_members": not members.exists(),
        },
    )


@login_required
@require_POST
def referral_file(request: HttpRequest, pk: int) -> HttpResponse:
    """登记立案 of a returned case."""
    user = _actor(request)
    try:
        selectors.referral_get_for_user(user, pk)
    except CourtReferral.DoesNotExist:
        raise Http404 from None
    form = FileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写立案案号。"))
        return redirect("/court/?tab=to_file")
    try:
        services.referral_file(
            actor=user, referral_id=pk, filed_number=form.cleaned_data["filed_number"]
        )
    except CaseRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已登记立案。"))
    return redirect("/court/?tab=to_file")


def _court_referral(user: User, pk: int) -> CourtReferral:
    try:
        return selectors.referral_get_for_user(user, pk)
    except CourtReferral.DoesNotExist:
        raise Http404 from None


def _tab_of(referral: CourtReferral) -> str:
    return "mediating" if referral.accepted_at is not None else "sent"


@login_required
def referral_number(request: HttpRequest, pk: int) -> HttpResponse:
    """补录案号 of a 委托 the platform dispatched: the court's 案号 and its procedure."""
    user = _actor(request)
    referral = _court_referral(user, pk)
    may = referral_may(user, NUMBER, referral)
    form = NumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_number(
                actor=user,
                referral_id=pk,
                court_case_number=form.cleaned_data["court_case_number"],
                procedure=form.cleaned_data["procedure"],
            )
        except CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            referral.refresh_from_db()
            messages.success(
                request,
                _("已补录法院案号%(n)s，调解期限按%(p)s计算。")
                % {"n": referral.court_case_number, "p": referral.get_procedure_display()},
            )
            return redirect(f"/court/?tab={_tab_of(referral)}")
    return render(
        request,
        "court/referral/number.html",
        {"referral": referral, "form": form if may or form.errors else None},
        status=400 if form.errors else 200,
    )


@login_required
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回 of an open 委派/委托, with its reason."""
    user = _actor(request)
    referral = _court_referral(user, pk)
    may = referral_may(user, WITHDRAW, referral)
    form = WithdrawForm(request.POST or None, initial={"version": referral.case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_withdraw(
                actor=user,
                referral_id=pk,
                reason=form.reason_text(),
                version=form.cleaned_data["version"],
            )
        except AlreadyDone as again:
            messages.info(request, str(again))
            return redirect("/court/?tab=withdrawn")
        except (CaseRuleError, StaleCase, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已撤回%(n)s，已通知%(org)s。")
                % {"n": referral.case.number, "org": referral.org.name},
            )
            return redirect("/court/?tab=withdrawn")
    return render(
        request,
        "court/referral/withdraw.html",
        {"referral": referral, "form": form if may or form.errors else None},
        status=400 if form.errors else 200,
    )


def _apply_choices(user: User) -> tuple[Any, Any]:
    """The courts a user may apply to, and the orgs they may apply for (their own, or those
    they administer)."""
    courts = Organization.objects.filter(kind__family=OrgFamily.COURT, is_active=True)
    orgs = Organization.objects.filter(is_active=True).exclude(kind__family=OrgFamily.COURT)

    own = Q(pk__in=list(grant_org_ids(user)))
    administered = restrict(Organization.objects.all(), user, MANAGE_ORGS).values("pk")
    return courts.order_by("name"), orgs.filter(own | Q(pk__in=administered)).order_by("name")


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """特邀调解名册 — a court sees and decides its roster; an org's administrator or a mediator
    applies and sees their entries."""
    user = _actor(request)
    courts, orgs = _apply_choices(user)
    is_court = referral_may(user, QUEUES)
    apply_form = RosterApplyForm(
        request.POST if request.POST.get("form") == "apply" else None, courts=courts, orgs=orgs
    )
    if request.method == "POST" and request.POST.get("form") == "apply" and apply_form.is_valid():
        mediator = None
        if apply_form.cleaned_data["as_mediator"]:
            mediator = Person.objects.filter(user=user).first()
            if mediator is None:
                apply_form.add_error(None, _("您的账号没有对应的调解员档案。"))
        if not apply_form.errors:
            try:
                services.roster_apply(
                    actor=user,
                    court=apply_form.cleaned_data["court"],
                    org=apply_form.cleaned_data["org"],
                    mediator=mediator,
                )
            except (CaseRuleError, PermissionDenied) as exc:
                apply_form.add_error(None, str(exc))
            else:
                messages.success(request, _("入册申请已提交，等待法院审核。"))
                return redirect("court:roster")
    entries = list(selectors.roster_for_user(user))
    for entry in entries:
        entry.may_decide = referral_may(user, ROSTER_DECIDE, entry)  # type: ignore[attr-defined]
    return render(
        request,
        "court/referral/roster.html",
        {
            "entries": entries,
            "apply_form": apply_form if orgs.exists() else None,
            "decide_form": RosterDecideForm(),
            "is_court": is_court,
        },
    )


@login_required
@require_POST
def roster_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    entry = RosterMember.objects.filter(pk=pk).first()
    if entry is None or not referral_may(user, ROSTER_DECIDE, entry):
        raise Http404
    form = RosterDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return redirect("court:roster")
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            services.roster_approve(actor=user, entry_id=pk, review_due=data["review_due"])
        elif data["decision"] == "reject":
            services.roster_reject(actor=user, entry_id=pk, reason=data["reason"])
        elif data["decision"] == "review":
            if data["review_due"] is None:
                raise CaseRuleError(_("请填写下次复核日期。"))
            services.roster_review(actor=user, entry_id=pk, review_due=data["review_due"])
        else:
            services.roster_remove(actor=user, entry_id=pk, reason=data["reason"])
    except CaseRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("名册已更新。"))
    return redirect("court:roster")


def case_panel_context(user: Any, case: Any) -> dict[str, Any]:
    """What the case page's referral panel shows: the referral with its period, and the
    委派 link or 立案 form for the court."""
    if case.channel not in COURT_CHANNELS:
        # No court sent it: no referral to read (the page of every other case costs nothing).
        return {}
    referral = selectors.referral_for_case(case)
    # The user's courts are read once, and only for a referral the court could still act on.
    acts = referral is not None and (referral.to_file or referral.status in OPEN_REFERRAL)
    courts = court_ids(user) if acts else []
    return {
        "court_referral": referral,
        "court_may_send": referral is None and referral_may(user, SEND, case),
        "court_may_file": referral is not None
        and referral_may(user, FILE, referral, courts=courts),
        "court_may_number": referral is not None
        and referral_may(user, NUMBER, referral, courts=courts),
        "court_may_withdraw": referral is not None
        and referral_may(user, WITHDRAW, referral, courts=courts),
        "court_needs_number": referral is not None and needs_number(referral),
        "court_file_form": FileForm(),
    }
