from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """工作台帐 — the XLSX ledgers of the list pages (cases, mediation sessions, agreements,
    judicial confirmations, warnings, screening reports, meetings): streamed while the user
    waits, or written by the task queue when the selection is large (我的导出). It sits below
    the domains: each registers its own ledger here (``registry.register``) from its
    ``AppConfig.ready``, and the ledger's rows are built in that app's ``exports.py``."""

    name = "fengqiao.ledgers"
    verbose_name = _("工作台帐")
