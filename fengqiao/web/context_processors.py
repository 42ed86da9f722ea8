"""Navigation per role: each entry appears only for users holding its permission (and, for a
role's own tool such as the grid worker's 快速上报, that role); the holiday-calendar banner for
those who import the holiday schedules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.access import role_codes, user_perms
from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.permissions import MANAGE_ACCOUNTS, MANAGE_ROLES
from fengqiao.adminsite import ADMIN_PERMS
from fengqiao.assessment.permissions import VIEW_RANKING
from fengqiao.audit.permissions import VIEW_AUDITEVENT
from fengqiao.court.permissions import REVIEW_CONFIRMATION
from fengqiao.disputes import deadlines
from fengqiao.disputes.permissions import CHANGE_CALENDAROVERRIDE, REGISTER_CASE, VIEW_CASE
from fengqiao.ledgers.permissions import EXPORT_LEDGER
from fengqiao.mediators.permissions import STAFF_PERMS as MEDIATORS_STAFF_PERMS
from fengqiao.mediators.permissions import VIEW_OWN_WORK
from fengqiao.orgs.permissions import VIEW_ORGANIZATION, VIEW_PERSON, VIEW_REPORTS
from fengqiao.regions.permissions import VIEW_REGION
from fengqiao.reports.permissions import VIEW_REPORT
from fengqiao.stats.permissions import VIEW_STATISTICS
from fengqiao.supervision.permissions import OVERSEE


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    perm: str | None
    roles: frozenset[str] | None = None
    # Shown to whoever holds any of these (the admin site opens that way).
    any_perm: frozenset[str] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV = [
    NavItem(_("工作台"), "web:home", None),
    NavItem(
        _("快速上报"),
        "disputes:case_report",
        REGISTER_CASE,
        frozenset({BuiltinRole.GRID_WORKER.value}),
    ),
    NavItem(_("我的工作"), "disputes:my_work", VIEW_CASE),
    NavItem(_("纠纷案件"), "disputes:case_list", VIEW_CASE),
    NavItem(_("登记纠纷"), "disputes:case_new", REGISTER_CASE),
    NavItem(_("司法确认"), "court:confirmation_queue", REVIEW_CONFIRMATION),
    NavItem(
        _("诉调对接"),
        "court:queues",
        REGISTER_CASE,
        frozenset({BuiltinRole.COURT_CLERK.value, BuiltinRole.JUDGE.value}),
    ),
    NavItem(
        _("业务指导"),
        "mediation:guidance_list",
        VIEW_CASE,
        frozenset(
            {
                BuiltinRole.MEDIATOR.value,
                BuiltinRole.JUSTICE_OFFICER.value,
                BuiltinRole.POLICE.value,
                BuiltinRole.JUDGE.value,
                BuiltinRole.COURT_CLERK.value,
            }
        ),
    ),
    NavItem(
        _("会议与任务"),
        "governance:home",
        VIEW_CASE,
        frozenset(
            {
                BuiltinRole.DISPATCHER.value,
                BuiltinRole.LEADER.value,
                BuiltinRole.JUSTICE_OFFICER.value,
                BuiltinRole.POLICE.value,
                BuiltinRole.JUDGE.value,
                BuiltinRole.COURT_CLERK.value,
            }
        ),
    ),
    NavItem(
        _("风险预警"),
        "risk:warning_list",
        VIEW_CASE,
        frozenset(
            {
                BuiltinRole.DISPATCHER.value,
                BuiltinRole.LEADER.value,
                BuiltinRole.MEDIATOR.value,
                BuiltinRole.JUSTICE_OFFICER.value,
                BuiltinRole.POLICE.value,
                BuiltinRole.JUDGE.value,
                BuiltinRole.COURT_CLERK.value,
            }
        ),
    ),
    # 报警直通 (docs/alarms.md): a station's 接警 list and an org's own alarms.
    NavItem(
        _("报警直通"),
        "alarms:list",
        VIEW_CASE,
        frozenset(
            {
                BuiltinRole.DISPATCHER.value,
                BuiltinRole.LEADER.value,
                BuiltinRole.JUSTICE_OFFICER.value,
                BuiltinRole.POLICE.value,
                BuiltinRole.JUDGE.value,
                BuiltinRole.COURT_CLERK.value,
            }
        ),
    ),
    NavItem(_("督办"), "supervision:board", OVERSEE),
    NavItem(_("统计分析"), "stats:dashboard", VIEW_STATISTICS),
    # 报表中心 (docs/reports.md): the leader's and the platforms' periodic reports.
    NavItem(_("报表中心"), "reports:home", VIEW_REPORT),
    # 考核排名 (docs/assessment.md): the leaders and the 综治中心/平安办.
    NavItem(
        _("考核排名"),
        "assessment:ranking",
        VIEW_RANKING,
        frozenset({BuiltinRole.DISPATCHER.value, BuiltinRole.LEADER.value}),
    ),
    # 排查: the filers (网格员, 村调委会) and the platforms that watch their reports.
    NavItem(
        _("排查"),
        "governance:screening",
        VIEW_CASE,
        frozenset(
            {
                BuiltinRole.DISPATCHER.value,
                BuiltinRole.LEADER.value,
                BuiltinRole.MEDIATOR.value,
                BuiltinRole.GRID_WORKER.value,
                BuiltinRole.JUSTICE_OFFICER.value,
            }
        ),
    ),
    # 工作台帐: the ledgers the user may export and 我的导出 (docs/ledgers.md).
    NavItem(_("工作台帐"), "ledgers:index", EXPORT_LEDGER),
    # 调解员管理 (docs/mediators.md): 选聘, 投诉, 评星定级, 案件补贴, 业绩; a mediator's own page.
    NavItem(_("调解员管理"), "mediators:home", None, any_perm=frozenset(MEDIATORS_STAFF_PERMS)),
    NavItem(_("我的业绩"), "mediators:my_work", VIEW_OWN_WORK),
    NavItem(_("行政区划"), "regions:tree", VIEW_REGION),
    NavItem(_("单位"), "orgs:org_list", VIEW_ORGANIZATION),
    NavItem(_("调解员名册"), "orgs:roster", VIEW_PERSON),
    NavItem(_("队伍建设报表"), "orgs:reports", VIEW_REPORTS),
    NavItem(_("用户管理"), "accounts:user_list", MANAGE_ACCOUNTS),
    NavItem(_("角色与授权"), "accounts:role_list", MANAGE_ROLES),
    NavItem(_("密码重置"), "accounts:reset_list", MANAGE_ROLES),
    NavItem(_("审计日志"), "audit:event_list", VIEW_AUDITEVENT),
    NavItem(_("基础数据"), "admin:index", None, any_perm=frozenset(ADMIN_PERMS)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    perms = user_perms(user)
    roles = role_codes(user)
    items = [
        item
        for item in NAV
        if (item.perm is None or item.perm in perms)
        and (item.roles is None or not item.roles.isdisjoint(roles))
        and (item.any_perm is None or not item.any_perm.isdisjoint(perms))
    ]
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return {"nav_items": items, "nav_current": current, "user_perms": perms}


def calendar_warning(request: HttpRequest) -> dict[str, Any]:
    """On every page (the admin's too) of a user who keeps the calendar (who may import the
    holiday schedules): the missing years."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or CHANGE_CALENDAROVERRIDE not in user_perms(user):
        return {}
    return {"calendar_warning": deadlines.calendar_warning()}
