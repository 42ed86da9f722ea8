from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """文书类型. The codes are stable: they are stored with every issued document."""

    MEDIATION_AGREEMENT = "mediation_agreement", _("调解协议书")
    PERFORMANCE_CERTIFICATE = "performance_certificate", _("自动履行证明书")
    CONFIRMATION_APPLICATION = "confirmation_application", _("司法确认申请书")
    CONFIRMATION_NOT_ACCEPTED = "confirmation_not_accepted", _("不予受理通知书")
    CONFIRMATION_RULING = "confirmation_ruling", _("民事裁定书")


# The HTML template each type is rendered from (fengqiao/documents/templates/).
TEMPLATES: dict[str, str] = {
    DocumentType.MEDIATION_AGREEMENT: "documents/mediation_agreement.html",
    DocumentType.PERFORMANCE_CERTIFICATE: "documents/performance_certificate.html",
    # The court's documents are rendered from the court app's templates.
    DocumentType.CONFIRMATION_APPLICATION: "court/confirmation/doc_application.html",
    DocumentType.CONFIRMATION_NOT_ACCEPTED: "court/confirmation/doc_not_accepted.html",
    DocumentType.CONFIRMATION_RULING: "court/confirmation/doc_ruling.html",
}
