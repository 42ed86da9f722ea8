from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "fengqiao.disputes"
    verbose_name = _("矛盾纠纷")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.disputes.holidays import HOLIDAY_FILE_MAX_BYTES

        # The holiday import (in the admin) accepts a body of its file's size
        # (fengqiao.core.bodylimit).
        register_upload("admin:disputes_holidayschedule_import", lambda: HOLIDAY_FILE_MAX_BYTES)

        from fengqiao.disputes.exports import CASE_LEDGER
        from fengqiao.ledgers.registry import register

        register(CASE_LEDGER)
