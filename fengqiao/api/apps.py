from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "fengqiao.api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from fengqiao.api.confirmation import SCAN_FIELD_LIMIT
        from fengqiao.core.bodylimit import register_upload

        # A 司法确认 application carries the agreement scan in its JSON body (Base64).
        register_upload("api:confirmation_create", lambda: SCAN_FIELD_LIMIT + 64 * 1024)
