"""Issuing documents from the case page: what the page offers in each state of a case, who may
issue and download, versions, a double click, and the timeline and audit entries."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.models import TimelineEvent
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation import documents
from fengqiao.mediation.choices import MediationAction
from fengqiao.mediation.tests.documents_helpers import (
    failed_case,
    mediated_case,
    rejected_case,
    resolved_case,
)
from fengqiao.mediation.tests.factories import accepted_case

D = DocumentType


# The cast's committees hold signing certificates: a 调解协议书 is issued signed.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def _offers(client: Any, case: Any) -> dict[tuple[str, str], bool]:
    """What the case page's 文书 section offers: (type, subject) → whether 出具 is there."""
    response = client.get(reverse("disputes:case_detail", args=[case.pk]))
    assert response.status_code == 200
    section = response.context["case_documents"]
    html = response.content.decode()
    offered = {(o.doc_type, o.subject): o.can_issue for o in section.offers}
    # The buttons on the page are the ones the section says.
    assert html.count('name="doc_type"') == sum(offered.values())
    return offered


def _issue(client: Any, case: Any, doc_type: str, subject: str = "", after: int = 0) -> Any:
    return client.post(
        reverse("mediation:document_issue", args=[case.pk]),
        {"doc_type": doc_type, "subject": subject, "after": after},
    )


def test_the_page_offers_only_what_the_state_of_the_case_allows(
    cast: Any, world: Any, client_for: Any
) -> None:
    mediator = client_for(cast.mediator_east)
    # Accepted, nothing recorded yet: the application only.
    case = accepted_case(cast=cast, world=world)
    assert _offers(mediator, case) == {(D.MEDIATION_APPLICATION, ""): True}
    # Sessions held: the rights notice and one record per session; no agreement yet.
    case = mediated_case(cast, world, sessions=2)
    sessions = [f"session:{s.pk}" for s in case.sessions.order_by("held_at")]
    assert _offers(mediator, case) == {
        (D.MEDIATION_APPLICATION, ""): True,
        (D.RIGHTS_NOTICE, ""): True,
        (D.SESSION_RECORD, sessions[0]): True,
        (D.SESSION_RECORD, sessions[1]): True,
    }
    # Resolved with a written agreement, visited twice: the 协议书, the visits and the 案卷.
    case = resolved_case(cast, world, sessions=1, follow_ups=1)
    offered = _offers(mediator, case)
    assert offered[(D.MEDIATION_AGREEMENT, "")] is True
    assert offered[(D.CASE_FILE, "")] is True
    assert (D.ORAL_AGREEMENT, "") not in offered
    assert (D.TERMINATION_RECORD, "") not in offered
    assert (D.REJECTION_NOTICE, "") not in offered
    assert sum(1 for doc_type, _s in offered if doc_type == D.FOLLOW_UP_RECORD) == 1
    # Failed: the 调解终止及无争议事实记载, no agreement.
    offered = _offers(mediator, failed_case(cast, world))
    assert offered[(D.TERMINATION_RECORD, "")] is True
    assert (D.MEDIATION_AGREEMENT, "") not in offered


def test_a_rejected_case_offers_the_notice_to_the_platform_that_rejected_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = rejected_case(cast, world)
    offered = _offers(client_for(cast.dispatcher), case)
    assert offered == {(D.MEDIATION_APPLICATION, ""): True, (D.REJECTION_NOTICE, ""): True,
                       (D.CASE_FILE, ""): True}  # fmt: skip
    # The leader of the county sees the case, is offered the working copies, issues nothing.
    assert set(_offers(client_for(cast.leader), case).values()) == {False}


def test_the_mediator_issues_the_agreement_and_downloads_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    mediator = client_for(cast.mediator_east)
    response = _issue(mediator, case, D.MEDIATION_AGREEMENT)
    assert response.status_code == 302
    issued = IssuedDocument.objects.get(case_number=case.number)
    assert (issued.doc_type, issued.version, issued.issued_by) == (
        D.MEDIATION_AGREEMENT,
        1,
        cast.mediator_east,
    )
    assert issued.issuer_org == world.committee_east
    assert issued.masked_parties == ["张*", "李*"]
    page = mediator.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    link = reverse("mediation:document_download", args=[issued.public_id])
    assert link in page
    download = mediator.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content) if download.streaming else download.content
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "张三" in text
    assert "被申请人赔偿申请人修缮费二千元" in text
    assert f"/verify/{issued.public_id}" in text
    # Issued on the timeline, issued and downloaded in the audit log.
    note = TimelineEvent.objects.get(case=case, action=MediationAction.DOCUMENT).note
    assert note == "调解协议书 第1版"
    downloaded = AuditEvent.objects.filter(
        event_type=EventType.DOCUMENT_DOWNLOADED, object_id=str(issued.pk)
    )
    assert downloaded.count() == 1


def test_reissuing_makes_a_new_version_and_a_double_click_does_not(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    mediator = client_for(cast.mediator_east)
    # A double click: both posts carry the page's "latest version 0".
    _issue(mediator, case, D.MEDIATION_AGREEMENT, after=0)
    again = _issue(mediator, case, D.MEDIATION_AGREEMENT, after=0)
    assert again.status_code == 302
    versions = IssuedDocument.objects.filter(case_number=case.number).values_list("version")
    assert list(versions) == [(1,)]
    shown = [str(m) for m in again.wsgi_request._messages]
    assert any("本次重复提交未再保存" in m for m in shown)
    # 重新出具 from the page that now shows version 1: version 2.
    _issue(mediator, case, D.MEDIATION_AGREEMENT, after=1)
    versions = IssuedDocument.objects.filter(case_number=case.number).order_by("version")
    assert [d.version for d in versions] == [1, 2]
    assert versions[0].public_id != versions[1].public_id
    page = mediator.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert "第2版" in page


def test_session_records_are_versioned_per_session(cast: Any, world: Any) -> None:
    case = mediated_case(cast, world, sessions=2)
    first, second = (f"session:{s.pk}" for s in case.sessions.order_by("held_at"))
    a = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=D.SESSION_RECORD, subject=first
    )
    b = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=D.SESSION_RECORD, subject=second
    )
    assert (a.version, b.version) == (1, 1)
    with pytest.raises(PermissionDenied):  # a session of another case, or none
        documents.case_document_issue(
            actor=cast.mediator_east,
            case_id=case.pk,
            doc_type=D.SESSION_RECORD,
            subject="session:0",
        )


def test_a_mediator_of_another_org_can_neither_issue_nor_download(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=D.MEDIATION_AGREEMENT
    )
    download = reverse("mediation:document_download", args=[issued.public_id])
    docx = reverse("mediation:document_docx", args=[case.pk, D.MEDIATION_AGREEMENT])
    # 西村's mediator does not see 东村's case at all: not found, whatever the address.
    west = client_for(cast.mediator_west)
    assert _issue(west, case, D.MEDIATION_AGREEMENT, after=1).status_code == 404
    assert west.get(download).status_code == 404
    assert west.get(docx).status_code == 404
    # The county's 医调委 mediator sees the county's cases (region scope) but works none of
    # 东村's: refused, and the names stay masked.
    industry = client_for(cast.industry_mediator)
    assert _issue(industry, case, D.MEDIATION_AGREEMENT, after=1).status_code == 403
    assert industry.get(download).status_code == 403
    for other in (cast.mediator_west, cast.industry_mediator):
        with pytest.raises(PermissionDenied):
            documents.case_document_issue(
                actor=other, case_id=case.pk, doc_type=D.MEDIATION_AGREEMENT
            )
    assert IssuedDocument.objects.filter(case_number=case.number).count() == 1


def test_a_viewer_who_reads_names_masked_gets_no_original_and_a_masked_working_copy(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = resolved_case(cast, world, sessions=1, follow_ups=0)
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=D.MEDIATION_AGREEMENT
    )
    leader = client_for(cast.leader)
    page = leader.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    link = reverse("mediation:document_download", args=[issued.public_id])
    assert "调解协议书" in page
    assert link not in page
    assert "当事人姓名已脱敏，不提供原件下载" in page
    assert leader.get(link).status_code == 403
    # Not allowed to issue (the county's leader reads only).
    assert _issue(leader, case, D.MEDIATION_AGREEMENT, after=1).status_code == 403
    docx = leader.get(reverse("mediation:document_docx", args=[case.pk, D.MEDIATION_AGREEMENT]))
    assert docx.status_code == 200
    text = "".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "张*" in text
    assert "张三" not in text


def test_a_document_the_state_does_not_allow_is_refused(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = mediated_case(cast, world, sessions=1)
    mediator = client_for(cast.mediator_east)
    assert _issue(mediator, case, D.MEDIATION_AGREEMENT).status_code == 403
    docx = reverse("mediation:document_docx", args=[case.pk, D.MEDIATION_AGREEMENT])
    assert mediator.get(docx).status_code == 404
    assert not IssuedDocument.objects.filter(case_number=case.number).exists()


def test_the_case_page_lists_documents_in_few_queries(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    case = resolved_case(cast, world, sessions=3, follow_ups=2)
    for doc_type in (D.MEDIATION_AGREEMENT, D.MEDIATION_APPLICATION, D.RIGHTS_NOTICE):
        documents.case_document_issue(actor=cast.mediator_east, case_id=case.pk, doc_type=doc_type)
    client = client_for(cast.mediator_east)
    url = reverse("disputes:case_detail", args=[case.pk])
    client.get(url)
    with django_assert_max_num_queries(80) as counted:
        client.get(url)
    before = len(counted.captured_queries)
    for _n in range(3):
        documents.case_document_issue(
            actor=cast.mediator_east, case_id=case.pk, doc_type=D.MEDIATION_AGREEMENT
        )
    with django_assert_max_num_queries(before):
        client.get(url)
