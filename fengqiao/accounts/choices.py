from django.db import models
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    """数据范围 — how far a role's permissions reach."""

    ALL = "all", _("全部")
    REGION = "region", _("本辖区（所在单位区划及下级）")
    ORG = "org", _("本单位")
    OWN = "own", _("本人经办")


class BuiltinRole(models.TextChoices):
    """Roles created by the platform (their permissions can be tuned by the security admin)."""

    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    LEADER = "leader", _("领导")
    DISPATCHER = "dispatcher", _("平安办调度员")
    MEDIATOR = "mediator", _("人民调解员")
    GRID_WORKER = "grid_worker", _("网格员")
    COURT_CLERK = "court_clerk", _("法院工作人员")
    JUDGE = "judge", _("法官")
    POLICE = "police", _("民警")
    JUSTICE_OFFICER = "justice_officer", _("司法所干部")
    ORG_ADMIN = "org_admin", _("组织管理员")
