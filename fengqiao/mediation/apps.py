from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "fengqiao.mediation"
    verbose_name = _("调解")

    def ready(self) -> None:
        from fengqiao.disputes.timeline import register_actions
        from fengqiao.mediation.choices import MediationAction

        # disputes owns the timeline but may not import this app: it is told our entries here.
        register_actions(MediationAction)
