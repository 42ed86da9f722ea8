from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    """What an API key may do; the acting user's role and data scope still apply on top."""

    CASES_READ = "cases:read", _("查询案件")
    CASES_WRITE = "cases:write", _("登记案件")
    CONFIRMATIONS_READ = "confirmations:read", _("查询司法确认")
    CONFIRMATIONS_WRITE = "confirmations:write", _("申请、受理与裁定司法确认")
    REFERRALS_READ = "referrals:read", _("查询委派委托")
    REFERRALS_WRITE = "referrals:write", _("委派委托与立案")
