from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """办结方式 of a case, as the measures count it (docs/measures.md)."""

    OPEN = "", _("在办")
    RESOLVED = "resolved", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFERRED = "referred", _("不予调解转出")
    WITHDRAWN = "withdrawn", _("撤回")


class ExternalIndicator(models.TextChoices):
    """外部指标 — figures the platform cannot see, imported per region and period."""

    CIVIL_FILINGS = "civil_filings", _("民事一审收案数")
    PRIVATE_PROSECUTIONS = "private_prosecutions", _("刑事自诉案件数")
    PRIVATE_PROSECUTIONS_MEDIATED = "private_prosecutions_mediated", _("刑事自诉案件诉前调解成功数")
    CIVIL_TO_CRIMINAL = "civil_to_criminal", _("民转刑案件数（公安统计）")
    PROBATIONERS = "probationers", _("社区矫正（缓刑）人员数")
    PROBATION_REOFFENDERS = "probation_reoffenders", _("缓刑人员重新犯罪数")
    POPULATION = "population", _("常住人口")
