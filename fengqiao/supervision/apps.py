from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """督办 — the board of what is late across the platform (overdue dispatches and
    mediations, unacknowledged warnings, open emergency responses, unfiled screening reports,
    overdue meeting tasks) by org and level, and the 督办令 a leader or platform issues on any of
    them. Sits above ``risk`` and ``governance``, whose reads it gathers."""

    name = "fengqiao.supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from fengqiao.disputes.actions import WorkPanel, register_work_panel
        from fengqiao.supervision.selectors import work_directives

        # 我的工作 shows the open 督办令 to the user's orgs until answered.
        register_work_panel(WorkPanel("supervision/_work_directives.html", work_directives))
