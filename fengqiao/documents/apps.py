from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "fengqiao.documents"
    verbose_name = _("法律文书")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.documents.views import CREDENTIAL_MAX_BYTES, VERIFY_MAX_BYTES

        # Anyone holding a printed document may check it: the upload needs no login, and its
        # limit is small (an issued PDF is well under it).
        register_upload("documents:verify", lambda: VERIFY_MAX_BYTES, anonymous=True)
        # An org admin's PKCS#12 file: a few KB.
        register_upload("signing:credential_upload", lambda: CREDENTIAL_MAX_BYTES)
