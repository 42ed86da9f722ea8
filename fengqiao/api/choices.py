from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    """What an API key may do; the acting user's role and data scope still apply on top."""

    CASES_READ = "cases:read", _("查询案件")
    CASES_WRITE = "cases:write", _("登记案件")
