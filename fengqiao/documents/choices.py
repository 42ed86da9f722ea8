from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """文书类型. The codes are stable: they are stored with every issued document."""

    MEDIATION_APPLICATION = "mediation_application", _("调解申请书")
    RIGHTS_NOTICE = "rights_notice", _("权利义务告知书")
    SESSION_RECORD = "session_record", _("调解笔录")
    MEDIATION_AGREEMENT = "mediation_agreement", _("调解协议书")
    PERFORMANCE_CERTIFICATE = "performance_certificate", _("自动履行证明书")
    CONFIRMATION_APPLICATION = "confirmation_application", _("司法确认申请书")
    # Two 不予受理通知书 — the court's on a 司法确认 application, the platform's on a dispute —
    # named apart wherever both can appear (a case's 文书 list, its 案卷's contents).
    CONFIRMATION_NOT_ACCEPTED = "confirmation_not_accepted", _("不予受理通知书（司法确认）")
    CONFIRMATION_RULING = "confirmation_ruling", _("民事裁定书")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    ORAL_AGREEMENT = "oral_agreement", _("口头协议登记")
    REJECTION_NOTICE = "rejection_notice", _("不予受理通知书（人民调解）")
    TERMINATION_RECORD = "termination_record", _("调解终止及无争议事实记载")
    FOLLOW_UP_RECORD = "follow_up_record", _("回访记录")
    CASE_FILE = "case_file", _("案卷")


# The HTML template each type is rendered from (fengqiao/documents/templates/).
TEMPLATES: dict[str, str] = {
    DocumentType.MEDIATION_APPLICATION: "documents/mediation_application.html",
    DocumentType.RIGHTS_NOTICE: "documents/rights_notice.html",
    DocumentType.SESSION_RECORD: "documents/session_record.html",
    DocumentType.MEDIATION_AGREEMENT: "documents/mediation_agreement.html",
    DocumentType.PERFORMANCE_CERTIFICATE: "documents/performance_certificate.html",
    # The court's documents are rendered from the court app's templates.
    DocumentType.CONFIRMATION_APPLICATION: "court/confirmation/doc_application.html",
    DocumentType.CONFIRMATION_NOT_ACCEPTED: "court/confirmation/doc_not_accepted.html",
    DocumentType.CONFIRMATION_RULING: "court/confirmation/doc_ruling.html",
    DocumentType.SERVICE_RECEIPT: "court/confirmation/doc_service_receipt.html",
    DocumentType.ORAL_AGREEMENT: "documents/oral_agreement.html",
    DocumentType.REJECTION_NOTICE: "documents/rejection_notice.html",
    DocumentType.TERMINATION_RECORD: "documents/termination_record.html",
    DocumentType.FOLLOW_UP_RECORD: "documents/follow_up_record.html",
    DocumentType.CASE_FILE: "documents/case_file.html",
}

# Parts of a 案卷 that are not documents of their own (rendered only inside the file).
EVIDENCE_LIST_TEMPLATE = "documents/evidence_list.html"
PERFORMANCE_LIST_TEMPLATE = "documents/performance_list.html"

# The types issued with the issuer's digital signature and visible seal (services.document_issue
# refuses to issue one when the issuing org holds no valid signing credential). A new type that
# must be sealed is added here; nothing else changes.
SIGNED_TYPES: frozenset[str] = frozenset(
    {
        DocumentType.MEDIATION_AGREEMENT,
        DocumentType.CONFIRMATION_RULING,
        DocumentType.PERFORMANCE_CERTIFICATE,
    }
)
