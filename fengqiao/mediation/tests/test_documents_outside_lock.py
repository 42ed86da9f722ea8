"""A document is rendered and signed before the case row is locked (DESIGN §6: no slow side
work under a row lock), and what is stored is still what the case holds when it is stored: a
write to the case between the render and the lock makes the document be rendered again."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db.models import F
from pypdf import PdfReader

from fengqiao.disputes.models import Case
from fengqiao.disputes.services.transitions import record_event
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import document_pdf
from fengqiao.mediation import documents
from fengqiao.mediation.choices import MediationAction
from fengqiao.mediation.models import Agreement
from fengqiao.mediation.tests.documents_helpers import resolved_case

pytestmark = pytest.mark.usefixtures("signing_credentials")


def _text(document: IssuedDocument) -> str:
    reader = PdfReader(io.BytesIO(document_pdf(document)))
    return "".join("".join(p.extract_text() for p in reader.pages).split())


def test_the_pdf_is_rendered_before_the_case_row_is_locked(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    calls: list[str] = []
    prepare, lock = documents.document_prepare, documents.lock_case

    def spy_prepare(**kwargs: Any) -> Any:
        calls.append("render")
        return prepare(**kwargs)

    def spy_lock(actor: Any, case_id: int) -> Case:
        calls.append("lock")
        return lock(actor, case_id)

    monkeypatch.setattr(documents, "document_prepare", spy_prepare)
    monkeypatch.setattr(documents, "lock_case", spy_lock)
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.MEDIATION_AGREEMENT
    )
    # Rendered (and signed) once, outside the lock; the lock only checks and stores.
    assert calls == ["render", "lock"]
    assert issued.version == 1
    assert issued.signed_with is not None


def test_a_write_between_the_render_and_the_lock_renders_it_again(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    prepare = documents.document_prepare
    renders: list[int] = []

    def racing_prepare(**kwargs: Any) -> Any:
        prepared = prepare(**kwargs)
        renders.append(prepared.version)
        if len(renders) == 1:
            # Another user corrects the agreement while this one's PDF is being rendered.
            Agreement.objects.filter(case=case).update(terms="被申请人赔偿申请人修缮费三千元。")
            Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        return prepared

    monkeypatch.setattr(documents, "document_prepare", racing_prepare)
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.MEDIATION_AGREEMENT
    )
    assert len(renders) == 2
    assert "三千元" in _text(issued)
    # Only the second rendering was stored.
    assert IssuedDocument.objects.filter(case_number=case.number).count() == 1


def test_a_version_issued_meanwhile_is_not_overwritten(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    prepare = documents.document_prepare
    renders: list[int] = []

    def racing_prepare(**kwargs: Any) -> Any:
        prepared = prepare(**kwargs)
        renders.append(prepared.version)
        if len(renders) == 1:
            # A second tab issues the same document while this one renders.
            monkeypatch.setattr(documents, "document_prepare", prepare)
            documents.case_document_issue(
                actor=cast.mediator_east,
                case_id=case.pk,
                doc_type=DocumentType.MEDIATION_AGREEMENT,
            )
            monkeypatch.setattr(documents, "document_prepare", racing_prepare)
        return prepared

    monkeypatch.setattr(documents, "document_prepare", racing_prepare)
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.MEDIATION_AGREEMENT
    )
    assert renders == [1, 2]
    assert issued.version == 2
    versions = IssuedDocument.objects.filter(case_number=case.number).values_list(
        "version", flat=True
    )
    assert sorted(versions) == [1, 2]


def test_a_timeline_entry_alone_also_renders_it_again(
    cast: Any, world: Any, monkeypatch: Any
) -> None:
    """A write that moves no case version (the court recording a 送达回证) still leaves a
    timeline entry: the document is rendered again."""
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    prepare = documents.document_prepare
    renders: list[int] = []

    def racing_prepare(**kwargs: Any) -> Any:
        renders.append(1)
        if len(renders) == 1:
            record_event(
                Case.objects.get(pk=case.pk),
                actor=cast.mediator_east,
                action=MediationAction.DOCUMENT,
                from_status=case.status,
                to_status=case.status,
                note="另一文书",
            )
        return prepare(**kwargs)

    monkeypatch.setattr(documents, "document_prepare", racing_prepare)
    documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.MEDIATION_AGREEMENT
    )
    assert len(renders) == 2
