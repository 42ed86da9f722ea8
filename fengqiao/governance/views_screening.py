"""排查 pages: the 报送情况 board and what the user owes, the phone-sized filing form, a
report, and 专项排查. Parse, authorize (``policy``), call a service or a selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.access import require
from fengqiao.accounts.models import User
from fengqiao.core.paths import subtree_q
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance import forms, selectors, services, services_screening
from fengqiao.governance.choices import ScreeningState
from fengqiao.governance.exports import SCREENING_LEDGER
from fengqiao.governance.models import ScreeningCampaign
from fengqiao.governance.policy import CONVENE, governance_may, platforms_for
from fengqiao.governance.views import _platforms
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if 0 < number < 2**31 else default


@login_required
@require_GET
def screening(request: HttpRequest) -> HttpResponse:
    """排查 — what the user owes (a filer), and 报送情况 by unit and period in their area."""
    user = _actor(request)
    # The same parse as the board's ledger (governance/exports.py).
    query = selectors.board_query(user, request.GET)
    levels, campaigns = query.levels, query.campaigns
    board = selectors.screening_board(
        user, level=query.level, campaign=query.campaign, page=query.page
    )
    todo = selectors.screening_todo(user)
    return render(
        request,
        "governance/screening.html",
        {
            "tab": "screening",
            "board": board,
            "levels": levels,
            "level": board.level,
            "campaigns": campaigns,
            "todo": todo,
            "todo_open": sum(1 for t in todo if t.report is None),
            "states": ScreeningState,
            "may_deploy": governance_may(user, CONVENE),
            "can_export": SCREENING_LEDGER.may_export(user),
        },
    )


@login_required
def screening_file(request: HttpRequest) -> HttpResponse:
    """报送排查报告 (phone first): one unit, one period; 零报告 or the disputes found."""
    user = _actor(request)
    params = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and "unit" not in params:
        # No report chosen: what the filer owes, to choose one.
        todo = selectors.screening_todo(user)
        if not todo:
            raise PermissionDenied(_("您不是排查报送人员。"))
        return render(
            request,
            "governance/screening_choose.html",
            {"todo": todo, "todo_open": sum(1 for t in todo if t.report is None)},
        )
    unit_id = _int(params.get("unit"))
    try:
        start = date.fromisoformat(params.get("period", ""))
    except ValueError:
        raise Http404 from None
    if unit_id is None:
        raise Http404
    item = selectors.screening_due_for(
        user,
        unit_id=unit_id,
        plan_id=_int(params.get("plan")),
        campaign_id=_int(params.get("campaign")),
        start=start,
    )
    if item is None:
        raise PermissionDenied(_("您不是该单位的排查报送人员，或该期不可报送。"))
    if item.report is not None:
        messages.info(request, _("该期排查报告已报送。"))
        return redirect("governance:screening_report", pk=item.report.pk)
    cases = selectors.finding_cases(user, item.unit, item.period)
    form = forms.ScreeningReportForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        try:
            report = services_screening.screening_report_file(
                actor=user,
                unit_id=item.unit.pk,
                plan_id=item.plan.pk if item.plan else None,
                campaign_id=item.campaign.pk if item.campaign else None,
                period_start=item.period.start,
                zero=form.cleaned_data["result"] == forms.ZERO,
                case_ids=form.case_ids,
                descriptions=form.descriptions,
                note=form.cleaned_data.get("note") or "",
            )
        except services.AlreadyRecorded as again:
            messages.info(request, _("该期排查报告已报送，本次重复提交未再保存。"))
            return redirect("governance:screening_report", pk=again.obj.pk)
        except services.GovernanceRefused as exc:
            form.add_error(None, str(exc))
        else:
            done = _("已报送%(unit)s %(period)s排查报告") % {
                "unit": item.unit.name,
                "period": item.period.label,
            }
            if report.is_zero:
                done += _("（零报告）")
            if report.is_late:
                done += _("，已超过应报时间，记为迟报")
            messages.success(request, done + "。")
            return redirect("web:home")
    return render(
        request,
        "governance/screening_file.html",
        {"item": item, "form": form, "now": timezone.now()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def screening_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    require(user, VIEW_CASE)
    report = selectors.screening_report_get_for_user(user, pk)
    return render(
        request,
        "governance/screening_report.html",
        {
            "tab": "screening",
            "report": report,
            "findings": selectors.screening_findings(user, report),
        },
    )


def _campaign_regions(user: User) -> Any:
    """The places a platform user may deploy a 专项排查 over: their platforms' areas down to
    villages."""
    paths = [o.region.path for o in platforms_for(user)]
    return (
        Region.objects.filter(subtree_q(paths) if paths else Q(pk__in=[]))
        .filter(level__lte=RegionLevel.VILLAGE)
        .order_by("path")
    )


@login_required
def screening_campaign_new(request: HttpRequest) -> HttpResponse:
    """部署专项排查 (a platform's)."""
    user = _actor(request)
    if not governance_may(user, CONVENE):
        raise PermissionDenied(_("只有综治中心（平安办）的工作人员可以部署专项排查。"))
    form = forms.ScreeningCampaignForm(
        request.POST or None, platforms=_platforms(user), regions=_campaign_regions(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services_screening.screening_campaign_create(
                actor=user,
                organizer_id=data["organizer"].pk,
                region_id=data["region"].pk,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                unit_level=data["unit_level"],
                categories=data["categories"],
                note=data["note"],
                submit_key=data["submit_key"] or None,
            )
        except services.AlreadyRecorded as again:
            messages.info(request, str(again))
            campaign = cast(ScreeningCampaign, again.obj)
        except services.GovernanceRefused as exc:
            form.add_error(None, str(exc))
            campaign = None
        else:
            messages.success(request, _("专项排查已部署。"))
        if campaign is not None:
            return redirect(f"{_board_url()}?campaign={campaign.pk}")
    return render(request, "governance/screening_campaign_new.html", {"form": form})


def _board_url() -> str:
    return services_screening.board_url()
