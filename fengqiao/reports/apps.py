from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """报表中心 — the periodic reports (周分析, 月研判, 季通报, 年考核, the annual dispute survey
    report) and reports asked for on demand: generated in the task queue from the measures of
    ``stats`` into PDF, DOCX and XLSX, listed and downloaded within the user's data scope."""

    name = "fengqiao.reports"
    verbose_name = _("报表中心")
