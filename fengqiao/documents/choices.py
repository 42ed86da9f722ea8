from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """文书类型. The codes are stable: they are stored with every issued document."""

    MEDIATION_AGREEMENT = "mediation_agreement", _("调解协议书")
    PERFORMANCE_CERTIFICATE = "performance_certificate", _("自动履行证明书")


# The HTML template each type is rendered from (fengqiao/documents/templates/).
TEMPLATES: dict[str, str] = {
    DocumentType.MEDIATION_AGREEMENT: "documents/mediation_agreement.html",
    DocumentType.PERFORMANCE_CERTIFICATE: "documents/performance_certificate.html",
}
