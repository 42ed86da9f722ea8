"""The built-in roles and their default permissions (三员分立 for the three admin roles).

Created after every migrate when missing; the security admin may tune their permissions
afterwards, and a later migrate never overwrites that.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.choices import BuiltinRole, DataScope
from fengqiao.accounts.permissions import MANAGE_ACCOUNTS, MANAGE_ROLES
from fengqiao.audit.permissions import VIEW_AUDITEVENT

ROSTER = [
    "regions.view_region",
    "orgs.view_organization",
    "orgs.view_person",
    "orgs.view_reports",
    "orgs.export_reports",
]

# Case permissions (disputes app): reading, reporting, assessing/dispatching, handling.
CASE_READ = ["disputes.view_case"]
CASE_REPORT = ["disputes.view_case", "disputes.register_case"]
CASE_DISPATCH = [*CASE_REPORT, "disputes.assess_case"]
CASE_HANDLE = [*CASE_REPORT, "disputes.handle_case", "disputes.archive_case"]
# 工作台帐: the ledgers of the lists a role reads (docs/ledgers.md).
LEDGER = ["ledgers.export_ledger"]

# 调解员管理 (docs/mediators.md): 司法行政 staff run all of it; an org admin runs 选聘 and reads
# the mediators' work; a leader reads it; a mediator reads their own.
MEDIATORS_STAFF = [
    "mediators.manage_recruitment",
    "mediators.handle_complaint",
    "mediators.rate_mediators",
    "mediators.manage_subsidy",
    "mediators.view_mediator_work",
]

# 报表中心: the periodic reports of the roles' regions, and asking for one on demand.
REPORTS = ["reports.view_report", "reports.generate_report"]

BUILTIN_ROLES: dict[str, dict[str, Any]] = {
    # System admin: accounts and reference configuration, no case data.
    BuiltinRole.SYSTEM_ADMIN: {
        "scope": DataScope.ALL,
        "perms": [
            MANAGE_ACCOUNTS,
            "regions.view_region",
            "regions.add_region",
            "regions.change_region",
            "orgs.view_organization",
            "orgs.add_organization",
            "orgs.change_organization",
            "orgs.view_orgkind",
            "orgs.change_orgkind",
            "orgs.view_person",
            "api.view_apikey",
            "api.add_apikey",
            "api.change_apikey",
            "disputes.view_territoryrule",
            "disputes.change_territoryrule",
            "disputes.view_subjectrule",
            "disputes.add_subjectrule",
            "disputes.change_subjectrule",
            "disputes.view_calendaroverride",
            "disputes.add_calendaroverride",
            "disputes.change_calendaroverride",
            "disputes.view_deadlinelimit",
            "disputes.add_deadlinelimit",
            "portal.view_article",
            "portal.add_article",
            "portal.change_article",
            "disputes.change_deadlinelimit",
            "governance.view_meetingtype",
            "governance.change_meetingtype",
            "governance.view_screeningplan",
            "governance.change_screeningplan",
            # 风险研判规则, its lexicon and the sensitive periods (docs/risk.md).
            "risk.view_riskrule",
            "risk.add_riskrule",
            "risk.change_riskrule",
            "risk.view_lexiconterm",
            "risk.add_lexiconterm",
            "risk.change_lexiconterm",
            "risk.delete_lexiconterm",
            "risk.view_sensitiveperiod",
            "risk.add_sensitiveperiod",
            "risk.change_sensitiveperiod",
            "risk.delete_sensitiveperiod",
            "risk.view_warninglimit",
            "risk.change_warninglimit",
            # 报警路由: where a place's alarms go when the township's 派出所 does not fit.
            "alarms.view_alarmroute",
            "alarms.add_alarmroute",
            "alarms.change_alarmroute",
            "alarms.delete_alarmroute",
            # 消息发送: group robots, message templates, org defaults, and the failed deliveries
            # (地址脱敏, no message text) with their retry (docs/notifications.md).
            "notify.view_robotwebhook",
            "notify.add_robotwebhook",
            "notify.change_robotwebhook",
            "notify.delete_robotwebhook",
            "notify.view_messagetemplate",
            "notify.add_messagetemplate",
            "notify.change_messagetemplate",
            "notify.delete_messagetemplate",
            "notify.view_partymessagetemplate",
            "notify.add_partymessagetemplate",
            "notify.change_partymessagetemplate",
            "notify.delete_partymessagetemplate",
            "notify.view_channelpreference",
            "notify.add_channelpreference",
            "notify.change_channelpreference",
            "notify.delete_channelpreference",
            "notify.view_delivery",
            "notify.change_delivery",
        ],
        "description": "账户与系统配置（含接口密钥）；不能查看案件数据",
    },
    # Security admin: roles, permissions and grants.
    BuiltinRole.SECURITY_ADMIN: {
        "scope": DataScope.ALL,
        "perms": [MANAGE_ROLES],
        "description": "角色、权限与授权策略",
    },
    # Auditor: the audit log and nothing else.
    BuiltinRole.AUDITOR: {
        "scope": DataScope.ALL,
        "perms": [VIEW_AUDITEVENT],
        "description": "只能查看审计日志",
    },
    BuiltinRole.LEADER: {
        "scope": DataScope.REGION,
        "perms": [
            *ROSTER,
            *CASE_READ,
            *LEDGER,
            "supervision.oversee",
            "stats.view_statistics",
            "mediators.view_mediator_work",
            *REPORTS,
            "assessment.view_ranking",
        ],
        "description": "辖区只读：报表、名册；督办",
    },
    BuiltinRole.DISPATCHER: {
        "scope": DataScope.REGION,
        "perms": [
            *ROSTER,
            *CASE_DISPATCH,
            *LEDGER,
            "supervision.oversee",
            "stats.view_statistics",
            # 外部指标 (court filings, 公安 statistics) imported by the 平安办 (docs/measures.md).
            "stats.view_externalfigure",
            "stats.add_externalfigure",
            *REPORTS,
            # 考核: the county platform keeps the scheme and publishes the rankings
            # (assessment/policy.py: a township's dispatcher ranks in no county).
            "assessment.view_ranking",
            "assessment.manage_scheme",
            "assessment.publish_ranking",
        ],
        "description": "平安办研判、交办、督办",
    },
    BuiltinRole.MEDIATOR: {
        "scope": DataScope.REGION,
        "perms": [
            "regions.view_region",
            "orgs.view_organization",
            "orgs.view_person",
            *CASE_HANDLE,
            *LEDGER,
            "mediators.view_own_work",
        ],
        "description": "本村（社区）/本调委会调解工作",
    },
    BuiltinRole.GRID_WORKER: {
        "scope": DataScope.REGION,
        "perms": ["regions.view_region", "orgs.view_organization", *CASE_REPORT],
        "description": "网格排查与上报",
    },
    BuiltinRole.COURT_CLERK: {
        "scope": DataScope.ORG,
        "perms": [
            "orgs.view_organization",
            "orgs.view_person",
            *CASE_REPORT,
            "court.review_confirmation",
            *LEDGER,
        ],
        "description": "法院/法庭诉调对接",
    },
    BuiltinRole.JUDGE: {
        "scope": DataScope.ORG,
        "perms": [
            "orgs.view_organization",
            "orgs.view_person",
            *CASE_REPORT,
            "court.review_confirmation",
            "court.rule_confirmation",
            *LEDGER,
        ],
        "description": "法官：委派委托、司法确认",
    },
    BuiltinRole.POLICE: {
        "scope": DataScope.ORG,
        "perms": ["orgs.view_organization", "orgs.view_person", *CASE_REPORT, *LEDGER],
        "description": "派出所警调对接",
    },
    BuiltinRole.JUSTICE_OFFICER: {
        "scope": DataScope.REGION,
        "perms": [*ROSTER, *CASE_HANDLE, *LEDGER, "stats.view_statistics", *MEDIATORS_STAFF],
        "description": "司法所：指导人民调解，调解员选聘、投诉、评星定级与案件补贴",
    },
    # Org admin: the county's (or a township's) organisations, people and mediator files in its
    # region — not an account or role admin (三员分立), and no case data.
    BuiltinRole.ORG_ADMIN: {
        "scope": DataScope.REGION,
        "perms": [
            *ROSTER,
            "orgs.manage_orgs",
            "mediators.manage_recruitment",
            "mediators.view_mediator_work",
        ],
        "description": "辖区单位、人员、任职与调解员档案的建立与维护",
    },
}

# 三员分立: the three admin roles, and the one permission that defines each. A defining
# permission belongs to its own role only; the admin roles never share a permission and never
# hold case data.
ADMIN_ROLES = frozenset({BuiltinRole.SYSTEM_ADMIN, BuiltinRole.SECURITY_ADMIN, BuiltinRole.AUDITOR})
ADMIN_DEFINING_PERMS = {
    MANAGE_ACCOUNTS: BuiltinRole.SYSTEM_ADMIN,
    MANAGE_ROLES: BuiltinRole.SECURITY_ADMIN,
    VIEW_AUDITEVENT: BuiltinRole.AUDITOR,
}
# Apps whose rows are case data (DESIGN §6); the admin roles hold none of their permissions.
CASE_DATA_APPS = frozenset(
    {
        "disputes",
        "mediation",
        "court",
        "risk",
        "documents",
        "intel",
        "supervision",
        "alarms",
        "stats",
        "ledgers",
    }
)
# Configuration kept in those apps that holds no case data: the system admin edits it.
REFERENCE_MODELS = frozenset(
    {
        "disputes.territoryrule",
        "disputes.subjectrule",
        "disputes.calendaroverride",
        "disputes.holidayschedule",
        "disputes.deadlinelimit",
        "risk.riskrule",
        "risk.lexiconterm",
        "risk.sensitiveperiod",
        "risk.warninglimit",
        "alarms.alarmroute",
    }
)


def is_case_data_permission(app_label: str, model: str) -> bool:
    return app_label in CASE_DATA_APPS and f"{app_label}.{model}" not in REFERENCE_MODELS


def is_admin_role(role: Any) -> bool:
    return str(role.code) in ADMIN_ROLES


def assignable_permission_codes() -> set[str]:
    """Permissions the platform acts on: those of the built-in roles and every permission an
    app of the platform declares itself. Django's generic add/change/delete rows that no page
    checks (on the audit log, for one) are not offered."""
    from django.apps import apps

    codes = {code for spec in BUILTIN_ROLES.values() for code in spec["perms"]}
    for config in apps.get_app_configs():
        if not config.name.startswith("fengqiao."):
            continue
        for model in config.get_models():
            codes |= {f"{config.label}.{codename}" for codename, _name in model._meta.permissions}
    return codes


ACTION_LABELS = {
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
    "view": gettext_lazy("查看"),
}


def permission_label(permission: Permission) -> str:
    """A Chinese label for a permission (Django names the default ones in English)."""
    action, _sep, _rest = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if (
        action in ACTION_LABELS
        and model is not None
        and permission.codename == (f"{action}_{model._meta.model_name}")
    ):
        return _("%(action)s%(model)s") % {
            "action": ACTION_LABELS[action],
            "model": model._meta.verbose_name,
        }
    return _(permission.name)


def _permissions(codes: list[str]) -> list[Permission]:
    found = []
    for code in codes:
        app_label, codename = code.split(".", 1)
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            found.append(perm)
    return found


def ensure_builtin_roles() -> None:
    from fengqiao.accounts.models import Role

    for code, spec in BUILTIN_ROLES.items():
        role, created = Role.objects.get_or_create(
            code=code,
            defaults={
                "name": str(BuiltinRole(code).label),
                "scope": spec["scope"],
                "description": spec["description"],
                "is_builtin": True,
            },
        )
        if created:
            role.permissions.set(_permissions(spec["perms"]))
