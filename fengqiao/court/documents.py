"""The court's documents on a case: what each says, and their place in the case's 文书 section
and 案卷 (``mediation.documents``).

- 司法确认申请书, 不予受理通知书 (司法确认) and 民事裁定书 are issued by the services at the
  step that makes them (filing, 不予受理, 裁定); the case page lists them among the issued
  documents and the 案卷 files a copy of each, rendered from the same context as the original
  (``application_context``, ``decision_context``) — never issued a second time from the page.
- 送达回证: the form the mediator prints to serve the ruling on a party (one per applicant,
  once the court has decided), and, once the service is recorded (``ServiceReceipt``), the same
  form with the party's signature as drawn on the pad or scanned, how and when it was served.

Each context is built from the stored rows alone, so the 案卷 made a year later prints what the
original said.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core import uploads
from fengqiao.core.masking import mask_name
from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus, ServiceReceipt
from fengqiao.disputes import policy
from fengqiao.disputes.disclosure import Disclosure
from fengqiao.disputes.models import Case, Party
from fengqiao.documents.choices import DocumentType
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.documents import CaseFacts, DocumentKind, Subject, register_kind
from fengqiao.mediation.models import Agreement
from fengqiao.orgs.models import Organization

DECIDED = (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED)
# The receipt's image is printed on the form when it is one (a PDF scan is named by its digest).
PRINTABLE_SIGNATURES = {uploads.PNG: "image/png", uploads.JPEG: "image/jpeg"}


def _date(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日") if moment else ""


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{_date(local)} {local:%H:%M}"


def party_lines(parties: list[Party], shown: Disclosure | None = None) -> list[dict[str, str]]:
    """The parties as a court document names them (in full unless ``shown`` masks them)."""
    return [
        {
            "role": p.get_role_display(),
            "name": shown.name(p.name, p.kind) if shown else p.name,
            "address": p.address,
            "kind": p.get_kind_display(),
        }
        for p in parties
    ]


def agreement_context(agreement: Agreement) -> dict[str, Any]:
    return {
        "facts": agreement.facts,
        "disputed_points": agreement.disputed_points,
        "responsibilities": agreement.responsibilities,
        "terms": [line for line in agreement.terms.splitlines() if line.strip()],
        "performance_method": agreement.performance_method,
        "performance_place": agreement.performance_place,
        "performance_deadline": agreement.performance_deadline.strftime("%Y年%m月%d日")
        if agreement.performance_deadline
        else "",
        "concluded": _date(agreement.concluded_at),
    }


def court_heading(court: Organization) -> str:
    """A 人民法庭 rules in the name of its basic court (人民法院组织法: the tribunal is part of
    it)."""
    if court.kind.code == "tribunal" and court.parent is not None:
        return court.parent.name
    return court.name


def application_context(
    confirmation: Confirmation, *, shown: Disclosure | None = None
) -> dict[str, Any]:
    """The 司法确认申请书 of ``confirmation``: its applicants, the agreement, the filing."""
    case = confirmation.case
    applicants = list(confirmation.applicants.all())
    return {
        "court": confirmation.court.name,
        "number": case.number,
        "applicants": party_lines(applicants, shown),
        "committee": confirmation.filed_org.name,
        "mediators": [case.handler.display_name] if case.handler else [],
        **agreement_context(confirmation.agreement),
        "note": confirmation.note,
        "date": _date(confirmation.filed_at),
    }


def decision_context(
    confirmation: Confirmation, *, shown: Disclosure | None = None
) -> dict[str, Any]:
    """The court's decision on ``confirmation`` (不予受理通知书 or 民事裁定书), from the decided
    row: the judge who decided, when, the reasons."""
    applicants = list(confirmation.applicants.all())
    case = confirmation.case
    judge = confirmation.decided_by
    names = [shown.name(p.name, p.kind) if shown else p.name for p in applicants]
    return {
        "court": court_heading(confirmation.court),
        "committee": confirmation.filed_org.name,
        "number": confirmation.number,
        "case_number": case.number,
        "applicants": party_lines(applicants, shown),
        "applicant_names": "、".join(names),
        "filed": _date(confirmation.filed_at),
        "accepted": _date(confirmation.accepted_at),
        "judge": (getattr(judge, "display_name", "") or str(judge)) if judge else "",
        "reasons": confirmation.reasons,
        "category": case.get_category_display(),
        **agreement_context(confirmation.agreement),
        "confirmed": confirmation.status == ConfirmationStatus.CONFIRMED,
        "ruled": _date(confirmation.decided_at),
        "decided": _date(confirmation.decided_at),
    }


def _signature_image(receipt: ServiceReceipt) -> str:
    """The recorded signature as a ``data:`` URL for the form ("" for a PDF scan or a file
    the storage no longer holds: the form then names the digest)."""
    content_type = PRINTABLE_SIGNATURES.get(receipt.content_type)
    if content_type is None:
        return ""
    try:
        with default_storage.open(receipt.storage_name, "rb") as stored:
            data = stored.read()
    except OSError:
        return ""
    return f"data:{content_type};base64," + base64.b64encode(data).decode("ascii")


def receipt_context(
    confirmation: Confirmation,
    party: Party,
    receipt: ServiceReceipt | None,
    *,
    shown: Disclosure | None = None,
) -> dict[str, Any]:
    """The 送达回证 serving ``confirmation``'s decision on ``party``: blank for the party to sign
    when ``receipt`` is None, else as recorded (the signature, how, when, where, by whom)."""
    document = confirmation.decision_document
    label = document.get_doc_type_display() if document else _("民事裁定书")
    context: dict[str, Any] = {
        "court": court_heading(confirmation.court),
        "case_number": confirmation.case.number,
        "cause": _("%(category)s纠纷司法确认")
        % {"category": confirmation.case.get_category_display()},
        "number": confirmation.number,
        "served_document": _("%(type)s（%(number)s）一份")
        % {"type": label, "number": confirmation.number},
        "recipient": shown.name(party.name, party.kind) if shown else party.name,
        "recipient_role": party.get_role_display(),
        "committee": confirmation.filed_org.name,
        "recorded": receipt is not None,
    }
    if receipt is not None:
        served_by = receipt.served_by
        context.update(
            {
                "method": receipt.get_method_display(),
                "served_at": _moment(receipt.served_at),
                "place": receipt.place,
                "server": getattr(served_by, "display_name", "") or str(served_by),
                "signature": _signature_image(receipt),
                "signature_sha256": receipt.sha256,
                "date": _date(receipt.served_at),
            }
        )
    return context


# --- The kinds (registered from CourtConfig.ready) ----------------------------------------------


class CourtFacts:
    """The case's applications with what their documents need, read once per page or 案卷
    (kept on the ``CaseFacts`` the kinds are asked with)."""

    def __init__(self, facts: CaseFacts) -> None:
        self.confirmations: list[Confirmation] = []
        if facts.summary["agreement_kind"] != AgreementKind.WRITTEN:
            return  # only a written agreement is confirmed: no query for any other case
        case = facts.case
        self.confirmations = list(
            Confirmation.objects.filter(case=case)
            .select_related(
                "case__handler",
                "court__kind",
                "court__parent",
                "filed_org",
                "decided_by",
                "agreement",
                "decision_document",
            )
            .prefetch_related(
                Prefetch("applicants", queryset=Party.objects.order_by("role", "pk")),
                Prefetch(
                    "receipts", queryset=ServiceReceipt.objects.select_related("party", "served_by")
                ),
            )
            .order_by("filed_at", "pk")
        )

    def get(self, pk: int) -> Confirmation:
        for confirmation in self.confirmations:
            if confirmation.pk == pk:
                return confirmation
        raise LookupError(pk)


def court_facts(facts: CaseFacts) -> CourtFacts:
    found = facts.extra.get("court")
    if found is None:
        found = facts.extra["court"] = CourtFacts(facts)
    return found


def confirmation_subject(confirmation: Confirmation) -> str:
    """What the court's documents on ``confirmation`` are issued of (a case may see a second
    application after a refusal: each has its own versions)."""
    return f"confirmation:{confirmation.pk}"


def _label(confirmation: Confirmation) -> str:
    return confirmation.number or _("%(day)s申请") % {"day": _date(confirmation.filed_at)}


def _pk(subject: str, prefix: str = "confirmation") -> int:
    head, _sep, rest = subject.partition(":")
    if head != prefix or not rest.split(":")[0].isdigit():
        raise LookupError(subject)
    return int(rest.split(":")[0])


def _application_subjects(facts: CaseFacts) -> list[Subject]:
    return [
        Subject(confirmation_subject(c), _label(c))
        for c in court_facts(facts).confirmations
        if c.application_document_id is not None
    ]


def _decision_subjects(statuses: tuple[str, ...]) -> Any:
    def subjects(facts: CaseFacts) -> list[Subject]:
        return [
            Subject(confirmation_subject(c), _label(c))
            for c in court_facts(facts).confirmations
            if c.status in statuses and c.decision_document_id is not None
        ]

    return subjects


def _application(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    return application_context(court_facts(facts).get(_pk(subject)), shown=shown)


def _decision(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    return decision_context(court_facts(facts).get(_pk(subject)), shown=shown)


def receipt_key(confirmation: Confirmation, party: Party) -> str:
    return f"receipt:{confirmation.pk}:{party.pk}"


def _receipt_subjects(facts: CaseFacts) -> list[Subject]:
    """One 送达回证 per applicant of each decided application."""
    found = []
    for confirmation in court_facts(facts).confirmations:
        if confirmation.status not in DECIDED or confirmation.decision_document_id is None:
            continue
        for party in confirmation.applicants.all():
            found.append(
                Subject(
                    receipt_key(confirmation, party),
                    f"{party.get_role_display()} {mask_name(party.name)}",
                )
            )
    return found


def _receipt(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    head, confirmation_pk, party_pk = [*subject.split(":"), "", ""][:3]
    if head != "receipt" or not confirmation_pk.isdigit() or not party_pk.isdigit():
        raise LookupError(subject)
    confirmation = court_facts(facts).get(int(confirmation_pk))
    party = next((p for p in confirmation.applicants.all() if p.pk == int(party_pk)), None)
    if party is None:
        raise LookupError(subject)
    receipt = next((r for r in confirmation.receipts.all() if r.party_id == party.pk), None)
    return receipt_context(confirmation, party, receipt, shown=shown)


def _served_subjects(facts: CaseFacts) -> list[Subject]:
    """The receipts recorded: what the 案卷 files (a blank form is not filed)."""
    served = {
        f"receipt:{c.pk}:{r.party_id}"
        for c in court_facts(facts).confirmations
        for r in c.receipts.all()
    }
    return [s for s in _receipt_subjects(facts) if s.key in served]


def _deciding_court(case: Case) -> Organization | None:
    """The court of the case's latest decided application: it issued the decision, and the
    送达回证 that serves it is its form."""
    confirmation = (
        Confirmation.objects.filter(case=case, decided_at__isnull=False)
        .select_related("court")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return confirmation.court if confirmation else None


def _committee(case: Case) -> Organization | None:
    return case.handling_org


KINDS = (
    DocumentKind(
        DocumentType.CONFIRMATION_APPLICATION,
        _application_subjects,
        _application,
        issuer=_committee,
        file_order=60,
        offered=False,
    ),
    DocumentKind(
        DocumentType.CONFIRMATION_NOT_ACCEPTED,
        _decision_subjects((ConfirmationStatus.NOT_ACCEPTED,)),
        _decision,
        issuer=_deciding_court,
        file_order=62,
        offered=False,
    ),
    DocumentKind(
        DocumentType.CONFIRMATION_RULING,
        _decision_subjects(DECIDED),
        _decision,
        issuer=_deciding_court,
        file_order=64,
        offered=False,
    ),
    # Printed by the mediator who serves the ruling (seed 000 §(四): 当场送达); filed once the
    # service is recorded.
    DocumentKind(
        DocumentType.SERVICE_RECEIPT,
        _receipt_subjects,
        _receipt,
        sides=(policy.HANDLER,),
        issuer=_deciding_court,
        file_order=66,
        file_subjects=_served_subjects,
    ),
)


def register_all() -> None:
    for kind in KINDS:
        register_kind(kind)
