from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """报表中心 — the periodic reports (周分析, 月研判, 季通报, 年考核, the annual dispute survey
    report) and reports asked for on demand: generated in the task queue from the measures of
    ``stats`` into PDF, DOCX and XLSX, listed and downloaded within the user's data scope."""

    name = "fengqiao.reports"
    verbose_name = _("报表中心")

    def ready(self) -> None:
        from fengqiao.assessment.hooks import register_published_listener
        from fengqiao.reports.services import on_ranking_published

        # A published ranking queues again the 季通报/年考核/annual survey that print it.
        register_published_listener(on_ranking_published)
