from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fengqiao.core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from fengqiao.core.checks import register_checks

        register_checks()
