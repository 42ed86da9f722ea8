"""Reads of the mediation record. A case's record is read only for a case the user can see
(``disputes.selectors.case_get_for_user``); evidence is found through its case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import scope_for
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.disclosure import case_disclosure
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.permissions import HANDLE_CASE
from fengqiao.disputes.policy import FULFIL, case_may
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation import documents
from fengqiao.mediation.choices import PERFORMANCE_OPEN, ConsentDecision, PerformanceStatus
from fengqiao.mediation.consent import CONSENTING_ROLES
from fengqiao.mediation.fulfilment import CertificateState, certificate_state, default_guidance
from fengqiao.mediation.models import (
    Evidence,
    ExpertOpinion,
    MediationSession,
    PartyConsent,
    PerformanceItem,
    PerformanceRecord,
    RightsNotice,
)
from fengqiao.mediation.services import may_mediate


@dataclass(frozen=True)
class ConsentRow:
    party: Party
    consent: PartyConsent | None
    name: str  # as the user is shown it (``disputes.disclosure``)

    @property
    def needed(self) -> bool:
        return self.party.role in CONSENTING_ROLES


@dataclass(frozen=True)
class CasePanel:
    """What the case page shows of the mediation record, for a case already read through the
    user's scope."""

    case: Case
    consents: list[ConsentRow]
    all_consented: bool
    refused: bool
    notice: RightsNotice | None
    sessions: list[MediationSession]
    evidence: list[Evidence]
    opinions: list[ExpertOpinion]
    can_act: bool
    can_refer: bool
    acknowledged_names: list[str]

    @property
    def can_record_session(self) -> bool:
        """What ``services.session_record`` accepts: every consent and the rights notice given,
        and the case not suspended."""
        return (
            self.can_act
            and self.all_consented
            and not self.refused
            and self.notice is not None
            and self.case.status != CaseStatus.SUSPENDED
        )


def case_panel(user: Any, case: Case) -> CasePanel:
    parties = list(
        Party.objects.filter(case=case)
        .select_related("consent__recorded_by")
        .order_by("role", "pk")
    )
    shown = case_disclosure(user, case)
    rows = [ConsentRow(p, getattr(p, "consent", None), shown.name(p.name, p.kind)) for p in parties]
    needed = [r for r in rows if r.needed]
    refused = any(r.consent and r.consent.decision == ConsentDecision.REFUSED for r in rows)
    all_consented = bool(needed) and all(
        r.consent is not None and r.consent.decision == ConsentDecision.CONSENTED for r in needed
    )
    notice = (
        RightsNotice.objects.filter(case=case)
        .select_related("delivered_by")
        .prefetch_related("acknowledged_by")
        .first()
    )
    sessions = list(
        MediationSession.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("mediators")
    )
    evidence = list(Evidence.objects.filter(case=case).select_related("uploaded_by", "session"))
    opinions = list(ExpertOpinion.objects.filter(case=case).select_related("expert"))
    return CasePanel(
        case=case,
        consents=rows,
        all_consented=all_consented,
        refused=refused,
        notice=notice,
        sessions=sessions,
        evidence=evidence,
        opinions=opinions,
        can_act=may_mediate(user, case),
        can_refer=case_may(user, case, "refer"),
        acknowledged_names=[
            shown.name(p.name, p.kind) for p in (notice.acknowledged_by.all() if notice else [])
        ],
    )


def evidence_get_for_user(user: Any, pk: int) -> Evidence:
    """Evidence of a case the user can see; 404 otherwise (whether it exists is not told)."""
    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    case_get_for_user(user, evidence.case_id)
    return evidence


@dataclass(frozen=True)
class FulfilmentPanel:
    """What the case page shows of an agreement's performance (履行情况)."""

    shown: bool  # the case has an agreement: there is something to perform
    items: list[PerformanceItem]
    can_act: bool
    certificate: CertificateState
    certificates: list[IssuedDocument]
    guidance: str
    obligor_names: dict[int, str]
    full_names: bool = False  # the user reads the names in full: may download the PDF

    @property
    def has_open(self) -> bool:
        return any(i.status in PERFORMANCE_OPEN for i in self.items)

    @property
    def can_record(self) -> bool:
        return self.can_act and any(i.status != PerformanceStatus.PERFORMED for i in self.items)

    @property
    def can_default(self) -> bool:
        today = timezone.localdate()
        return self.can_act and any(
            i.status in PERFORMANCE_OPEN and i.due_date < today for i in self.items
        )


def fulfilment_panel(user: Any, case: Case) -> FulfilmentPanel:
    """The obligations of a case the user can see, each with its records and their proofs (three
    queries whatever their number), the certificate's state and the certificates issued. Shown
    when there are obligations, or to whoever may record them (a resolved case: it has its
    agreement); one query for any other case."""
    can_act = case_may(user, case, FULFIL)
    items = list(
        PerformanceItem.objects.filter(case=case)
        .select_related("obligor")
        .prefetch_related(
            Prefetch(
                "records",
                queryset=PerformanceRecord.objects.select_related("proof", "recorded_by"),
            )
        )
    )
    if not items:
        return FulfilmentPanel(can_act, [], can_act, CertificateState(False, ""), [], "", {})
    shown = case_disclosure(user, case)
    return FulfilmentPanel(
        shown=True,
        items=items,
        can_act=can_act,
        certificate=certificate_state(case, items),
        certificates=list(
            IssuedDocument.objects.filter(
                case_number=case.number, doc_type=DocumentType.PERFORMANCE_CERTIFICATE
            ).select_related("issuer_org")
        ),
        guidance=default_guidance(case)
        if any(i.status == PerformanceStatus.DEFAULTED for i in items)
        else "",
        obligor_names={i.obligor_id: shown.name(i.obligor.name, i.obligor.kind) for i in items},
        full_names=shown.full_names,
    )


# 履行跟踪 on 我的工作 lists what comes due within this many days, and everything overdue.
FULFILMENT_HORIZON_DAYS = 7
FULFILMENT_WORK_ROWS = 20


def fulfilment_work(user: Any) -> dict[str, Any]:
    """履行跟踪 for whoever handles cases for an org: the open obligations of its resolved cases
    due within a week or already past their deadline, the earliest first (from the partial
    index on open obligations by due day). Nothing for a user who handles no case."""
    handling = scope_for(user, HANDLE_CASE).member_org_ids
    if not handling:
        return {}
    today = timezone.localdate()
    due = PerformanceItem.objects.filter(
        status__in=PERFORMANCE_OPEN,
        due_date__lte=today + timedelta(days=FULFILMENT_HORIZON_DAYS),
        case__handling_org_id__in=handling,
        case__status=CaseStatus.RESOLVED,
    )
    rows = list(due.select_related("case").order_by("due_date", "pk")[:FULFILMENT_WORK_ROWS])
    count = len(rows) if len(rows) < FULFILMENT_WORK_ROWS else due.count()
    return {"fulfilment_due": rows, "fulfilment_due_count": count, "fulfilment_today": today}


# --- Documents (mediation/documents.py) ---------------------------------------------------------


@dataclass(frozen=True)
class DocumentOffer:
    """A document the case's state allows now: its type and subject, the latest version issued
    (0: none yet) and whether this user may issue it."""

    doc_type: str
    label: str
    subject: str
    subject_label: str
    latest: int
    can_issue: bool


@dataclass(frozen=True)
class IssuedRow:
    document: IssuedDocument
    label: str


@dataclass(frozen=True)
class CaseDocuments:
    """The case page's 文书 section: what can be issued now, and what was issued (newest
    first). ``can_download``: the stored PDFs name the parties in full, so only a user who
    reads the names in full downloads them; the DOCX working copy follows the user's names."""

    offers: list[DocumentOffer]
    issued: list[IssuedRow]
    can_download: bool

    @property
    def can_issue_any(self) -> bool:
        return any(offer.can_issue for offer in self.offers)


def case_documents(user: Any, case: Case) -> CaseDocuments:
    """For a case already read through the user's scope."""
    facts = documents.CaseFacts(case)
    sides = documents.issuing_sides(user, case)
    issued = list(
        IssuedDocument.objects.filter(case_number=case.number)
        .select_related("issued_by", "issuer_org")
        .order_by("-created_at", "-pk")
    )
    latest: dict[tuple[str, str], int] = {}
    for row in issued:
        key = (row.doc_type, row.subject)
        latest[key] = max(latest.get(key, 0), row.version)
    offers = []
    labels: dict[tuple[str, str], str] = {}
    for kind in documents.kinds():
        for subject in kind.subjects(facts):
            labels[(kind.doc_type, subject.key)] = subject.label
            if not kind.offered:  # issued by its own step; listed below once issued
                continue
            offers.append(
                DocumentOffer(
                    doc_type=kind.doc_type,
                    label=kind.label,
                    subject=subject.key,
                    subject_label=subject.label,
                    latest=latest.get((kind.doc_type, subject.key), 0),
                    can_issue=documents.document_may(
                        user, facts, kind.doc_type, subject.key, sides=sides
                    ),
                )
            )
    rows = []
    for row in issued:
        label = str(row.get_doc_type_display())
        rows.append(
            IssuedRow(row, documents.titled(label, labels.get((row.doc_type, row.subject), "")))
        )
    return CaseDocuments(
        offers=offers,
        issued=rows,
        can_download=case_disclosure(user, case).full_names,
    )


def issued_document_for_user(user: Any, public_id: str) -> IssuedDocument:
    """An issued document of a case the user can see (404 otherwise) and whose parties' names
    the user reads in full (403 otherwise: the stored PDF names them)."""
    document = IssuedDocument.objects.filter(public_id=public_id).first()
    if document is None:
        raise Http404
    case_id = Case.objects.filter(number=document.case_number).values_list("pk", flat=True).first()
    if case_id is None:
        raise Http404
    case = case_get_for_user(user, case_id)
    if not case_disclosure(user, case).full_names:
        raise PermissionDenied(_("您查看该案件时当事人姓名已脱敏，不能下载文书原件。"))
    return document
