"""The court's documents in the case's 文书 section and 案卷 (issue 14, item 3): the 司法确认申请书
and the ruling are listed as issued (never issued again from the case page), the mediator prints
a 送达回证 for each applicant and, once the service is recorded, the form carries the drawn
signature; the 案卷 of the closed case files the court's documents, the recorded receipts, the
自动履行证明书 and the 履行情况及凭证, each listed in its contents."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.court.models.confirmation import ServiceMethod
from fengqiao.court.services.confirmation import (
    confirmation_accept,
    confirmation_refuse,
    confirmation_rule,
    receipt_record,
)
from fengqiao.court.tests.confirmation_helpers import file, resolved_case
from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.outcomes import case_archive
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import document_pdf
from fengqiao.mediation import documents
from fengqiao.mediation.fulfilment import (
    performance_certificate_issue,
    performance_item_add,
    performance_record,
)
from fengqiao.mediation.selectors import case_documents

pytestmark = pytest.mark.usefixtures("signing_credentials")


def _flat(document: IssuedDocument) -> str:
    reader = PdfReader(io.BytesIO(document_pdf(document)))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def _images(document: IssuedDocument) -> int:
    reader = PdfReader(io.BytesIO(document_pdf(document)))
    return sum(len(page.images) for page in reader.pages)


def _signature() -> io.BytesIO:
    out = io.BytesIO()
    image = Image.new("RGB", (480, 160), "white")
    for x in range(40, 440):  # a stroke, so the image is not blank
        image.putpixel((x, 80 + (x % 30)), (0, 0, 0))
    image.save(out, "PNG")
    out.seek(0)
    return out


def _ruled(cast: Any, world: Any) -> Any:
    case = resolved_case(cast, world)
    confirmation = file(case, cast.mediator_east, world.tribunal_a)
    confirmation_accept(actor=cast.judge, confirmation_id=confirmation.pk)
    return confirmation_rule(
        actor=cast.judge,
        confirmation_id=confirmation.pk,
        confirmed=True,
        reasons="协议系双方自愿达成，内容合法。",
    )


def _serve(cast: Any, confirmation: Any, party: Any) -> Any:
    drawn = _signature()
    return receipt_record(
        actor=cast.mediator_east,
        confirmation_id=confirmation.pk,
        party_id=party.pk,
        method=ServiceMethod.SIGNATURE_PAD,
        file=drawn,
        name="signature.png",
        size=len(drawn.getvalue()),
        place="东村村委会调解室",
    )


def test_the_case_page_lists_the_courts_documents_and_offers_the_service_receipt(
    cast: Any, world: Any
) -> None:
    confirmation = _ruled(cast, world)
    case = Case.objects.get(pk=confirmation.case_id)
    section = case_documents(cast.mediator_east, case)

    labels = [row.label for row in section.issued]
    assert "司法确认申请书" in " ".join(labels)
    assert f"民事裁定书 {confirmation.number}" in labels
    offered = {o.doc_type for o in section.offers}
    # The ruling and the application were issued at their step; the page offers neither.
    assert DocumentType.CONFIRMATION_RULING not in offered
    assert DocumentType.CONFIRMATION_APPLICATION not in offered
    receipts = [o for o in section.offers if o.doc_type == DocumentType.SERVICE_RECEIPT]
    applicants = list(confirmation.applicants.order_by("role", "pk"))
    assert len(receipts) == len(applicants) == 2
    assert all(o.can_issue for o in receipts)
    # Names on the page's labels are masked: 张**.
    assert any("**" in o.subject_label or "*" in o.subject_label for o in receipts)

    # A judge of the court does not print the mediator's form from the case page.
    facts = documents.CaseFacts(case)
    assert not documents.document_may(
        cast.judge, facts, DocumentType.SERVICE_RECEIPT, receipts[0].subject
    )
    # Nobody re-issues the ruling from the case page.
    with pytest.raises(PermissionDenied):
        documents.case_document_issue(
            actor=cast.mediator_east,
            case_id=case.pk,
            doc_type=DocumentType.CONFIRMATION_RULING,
            subject=f"confirmation:{confirmation.pk}",
        )


def test_the_service_receipt_is_blank_to_print_then_carries_the_signature(
    cast: Any, world: Any
) -> None:
    confirmation = _ruled(cast, world)
    party = confirmation.case.parties.get(role=PartyRole.RESPONDENT)
    subject = f"receipt:{confirmation.pk}:{party.pk}"
    blank = documents.case_document_issue(
        actor=cast.mediator_east,
        case_id=confirmation.case_id,
        doc_type=DocumentType.SERVICE_RECEIPT,
        subject=subject,
    )
    text = _flat(blank)
    assert "送达回证" in text
    assert confirmation.number in text
    assert f"民事裁定书（{confirmation.number}）一份" in text
    assert party.name in text
    assert blank.issuer_org == world.tribunal_a
    blank_images = _images(blank)

    _serve(cast, confirmation, party)
    served = documents.case_document_issue(
        actor=cast.mediator_east,
        case_id=confirmation.case_id,
        doc_type=DocumentType.SERVICE_RECEIPT,
        subject=subject,
    )
    assert served.version == 2
    text = _flat(served)
    assert "东村村委会调解室" in text
    assert "手写板签名" in text or "签名" in text
    assert cast.mediator_east.display_name in text
    # The drawn signature is printed on the form.
    assert _images(served) == blank_images + 1


def test_the_courts_two_kinds_of_refusal_are_named_apart(cast: Any, world: Any) -> None:
    assert DocumentType.REJECTION_NOTICE.label != DocumentType.CONFIRMATION_NOT_ACCEPTED.label
    case = resolved_case(cast, world)
    confirmation = file(case, cast.mediator_east, world.tribunal_a)
    confirmation = confirmation_refuse(
        actor=cast.court_clerk, confirmation_id=confirmation.pk, reasons="申请材料不齐全。"
    )
    section = case_documents(cast.mediator_east, Case.objects.get(pk=case.pk))
    assert any(row.label.startswith("不予受理通知书（司法确认）") for row in section.issued)
    # No 送达回证 is offered for a refusal to accept.
    assert not any(o.doc_type == DocumentType.SERVICE_RECEIPT for o in section.offers)


def test_the_case_file_holds_the_courts_documents_and_the_fulfilment(
    cast: Any, world: Any, caplog: Any
) -> None:
    confirmation = _ruled(cast, world)
    case = Case.objects.get(pk=confirmation.case_id)
    respondent = case.parties.get(role=PartyRole.RESPONDENT)
    _serve(cast, confirmation, respondent)
    item = performance_item_add(
        actor=cast.mediator_east,
        case_id=case.pk,
        obligor_id=respondent.pk,
        description="赔偿损失",
        amount=Decimal("500"),
        due_date=timezone.localdate() + timedelta(days=10),
    )
    receipt = _signature()
    performance_record(
        actor=cast.mediator_east,
        item_id=item.pk,
        happened_on=timezone.localdate(),
        amount=Decimal("500"),
        proof=receipt,
        proof_name="转账凭证.png",
        proof_size=len(receipt.getvalue()),
        note="微信转账",
    )
    performance_certificate_issue(actor=cast.mediator_east, case_id=case.pk)
    case_archive(actor=cast.mediator_east, case_id=case.pk, version=None)

    facts = documents.CaseFacts(Case.objects.get(pk=case.pk))
    titles = [part["title"] for part in documents.case_file_parts(facts, documents.FULL)]
    applicant = confirmation.case.parties.get(role=PartyRole.APPLICANT)
    ruling = f"民事裁定书 {confirmation.number}"
    assert ruling in titles
    assert any(t.startswith("司法确认申请书") for t in titles)
    # Only the recorded receipt is filed, not the applicant's blank form.
    receipts = [t for t in titles if t.startswith("送达回证")]
    assert len(receipts) == 1
    assert "自动履行证明书" in titles
    assert "履行情况及凭证" in titles
    order = [titles.index(t) for t in (ruling, receipts[0], "履行情况及凭证", "自动履行证明书")]
    assert order == sorted(order)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        case_file = documents.case_document_issue(
            actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.CASE_FILE
        )
    # One seal anchor per signed document: none inside the file.
    assert not [r for r in caplog.records if "defined twice" in r.getMessage()]
    text = _flat(case_file)
    assert "本院经审查认为：协议系双方自愿达成，内容合法。" in text
    assert "履行凭证：赔偿损失" in text
    assert "微信转账" in text
    assert "经核实，上述履行义务已由义务人自动、全部履行完毕" in text
    assert applicant.name in text
    # The receipt's drawn signature is in the file too.
    assert _images(case_file) >= 1


def test_the_issued_court_documents_are_downloadable_from_the_case_page(
    cast: Any, world: Any, client: Any
) -> None:
    confirmation = _ruled(cast, world)
    client.force_login(cast.mediator_east)
    page = client.get(reverse("disputes:case_detail", args=[confirmation.case_id]))
    body = page.content.decode()
    assert f"民事裁定书 {confirmation.number}" in body
    ruling = confirmation.decision_document
    assert reverse("mediation:document_download", args=[ruling.public_id]) in body
    # The page offers the 送达回证 and no DOCX of the court's ruling.
    assert 'data-doc-type="service_receipt"' in body
    assert 'data-doc-type="confirmation_ruling"' not in body
    docx = client.get(
        reverse("mediation:document_docx", args=[confirmation.case_id, "confirmation_ruling"]),
        {"subject": f"confirmation:{confirmation.pk}"},
    )
    assert docx.status_code == 404


def test_the_recorded_signature_is_shown_to_who_may_see_it_and_audited(
    cast: Any, world: Any, client: Any
) -> None:
    confirmation = _ruled(cast, world)
    party = confirmation.case.parties.get(role=PartyRole.RESPONDENT)
    receipt = _serve(cast, confirmation, party)
    url = reverse("court:receipt_signature", args=[receipt.pk])

    # The mediator who served it finds the link on the case page and sees the image.
    client.force_login(cast.mediator_east)
    page = client.get(reverse("disputes:case_detail", args=[confirmation.case_id])).content
    assert url in page.decode()
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert "inline" in shown["Content-Disposition"]
    assert b"".join(shown.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(
        event_type=EventType.CONFIRMATION_FILE_READ, after__receipt=receipt.pk
    ).exists()

    # The judge sees it from the application's page.
    client.force_login(cast.judge)
    detail = client.get(reverse("court:confirmation_detail", args=[confirmation.pk]))
    assert url in detail.content.decode()
    assert client.get(url).status_code == 200

    # A leader reads the case with the names masked: no link, and the file is refused.
    client.force_login(cast.leader)
    page = client.get(reverse("disputes:case_detail", args=[confirmation.case_id]))
    assert page.status_code == 200
    assert url not in page.content.decode()
    assert client.get(url).status_code == 403
    # Another village's mediator does not see the case at all.
    client.force_login(cast.mediator_west)
    assert client.get(url).status_code == 404


def test_the_ruling_is_rendered_and_signed_before_the_application_is_locked(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    from fengqiao.court.services import confirmation as services

    case = resolved_case(cast, world)
    confirmation = file(case, cast.mediator_east, world.tribunal_a)
    confirmation_accept(actor=cast.judge, confirmation_id=confirmation.pk)
    calls: list[str] = []
    prepare, lock = services.document_prepare, services._lock

    def spy_prepare(**kwargs: Any) -> Any:
        calls.append("render")
        return prepare(**kwargs)

    def spy_lock(*args: Any) -> Any:
        calls.append("lock")
        return lock(*args)

    monkeypatch.setattr(services, "document_prepare", spy_prepare)
    monkeypatch.setattr(services, "_lock", spy_lock)
    ruled = confirmation_rule(
        actor=cast.judge, confirmation_id=confirmation.pk, confirmed=True, reasons="合法有效。"
    )
    assert calls == ["render", "lock"]
    assert ruled.decision_document is not None
    assert ruled.decision_document.signed_with is not None
    assert "合法有效" in _flat(ruled.decision_document)


def test_a_ruling_drafted_on_a_row_that_moved_is_rendered_again_under_the_lock(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    from fengqiao.court.models.confirmation import Confirmation
    from fengqiao.court.services import confirmation as services

    case = resolved_case(cast, world)
    confirmation = file(case, cast.mediator_east, world.tribunal_a)
    confirmation_accept(actor=cast.judge, confirmation_id=confirmation.pk)
    prepare = services.document_prepare
    renders: list[int] = []

    def racing_prepare(**kwargs: Any) -> Any:
        renders.append(1)
        if len(renders) == 1:  # the review period is extended while the ruling renders
            Confirmation.objects.filter(pk=confirmation.pk).update(version=F("version") + 1)
        return prepare(**kwargs)

    monkeypatch.setattr(services, "document_prepare", racing_prepare)
    confirmation_rule(
        actor=cast.judge, confirmation_id=confirmation.pk, confirmed=True, reasons="合法有效。"
    )
    assert len(renders) == 2
    assert (
        IssuedDocument.objects.filter(
            case_number=case.number, doc_type=DocumentType.CONFIRMATION_RULING
        ).count()
        == 1
    )
