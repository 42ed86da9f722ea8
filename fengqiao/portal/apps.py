from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "fengqiao.portal"
    verbose_name = _("公众服务")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.disputes.actions import Panel, register_panel
        from fengqiao.portal.selectors import evaluations_panel_context

        # The parties' ratings on the case page (whoever sees the case sees them).
        register_panel(Panel("portal/_case_panel.html", evaluations_panel_context))
        from fengqiao.portal.services import EVIDENCE_MAX_FILES, evidence_file_limit

        # The application form is public: its evidence (a few photos or PDFs) is its own limit.
        register_upload(
            "portal:apply", lambda: EVIDENCE_MAX_FILES * evidence_file_limit(), anonymous=True
        )
