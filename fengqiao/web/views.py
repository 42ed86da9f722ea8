from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from fengqiao.accounts.access import has_perm
from fengqiao.disputes import views as disputes_views
from fengqiao.disputes.forms import QuickReportForm
from fengqiao.disputes.permissions import REGISTER_CASE
from fengqiao.disputes.selectors import intake_platform_for
from fengqiao.governance.selectors import screening_todo, work_tasks
from fengqiao.mediation.guidance import guidance_work
from fengqiao.web import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own work (issue 18 item 8)."""
    user = request.user
    landing = selectors.landing_for(user)
    if landing == selectors.MEDIATOR:
        # 我的工作 itself, at the address the login leads to.
        return disputes_views.my_work(request)
    if landing == selectors.GRID:
        # 排查: the reports the grid worker owes (网格每日, 村每周) before the quick report.
        todo = screening_todo(user)
        return render(
            request,
            "web/home_grid.html",
            {
                "form": QuickReportForm(user=user),
                "platform": intake_platform_for(user),
                "reports": selectors.recent_reports_for_user(user),
                "todo": todo,
                "todo_open": sum(1 for t in todo if t.report is None),
            },
        )
    context: dict[str, Any] = {"summary": selectors.home_summary_for_user(user)}
    # 会议交办任务: the open tasks of the user's orgs and platforms, until done.
    context.update(work_tasks(user))
    # 业务指导: the questions put to the user's org (法庭, 派出所, 司法所) and not yet answered.
    context.update(guidance_work(user))
    if landing == selectors.DISPATCHER:
        context["queues"] = selectors.queues.queue_counts(user)
    elif landing == selectors.LEADER:
        context["figures"] = selectors.area_month_figures(user)
    elif landing == selectors.LIAISON:
        context["unit_cases"], context["unit_open_count"] = selectors.unit_open_cases(user)
        context["can_register"] = has_perm(user, REGISTER_CASE)
    return render(request, "web/home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links; the icon is a static file."""
    return HttpResponsePermanentRedirect(static("web/favicon.ico"))
