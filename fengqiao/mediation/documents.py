"""A case's documents (文书): which can be issued for it now and by whom, what each one says,
issuing one (a stored PDF with its QR code, a new version each time), its DOCX working copy,
and the whole 案卷 as one PDF.

``documents`` sits below disputes and mediation and knows a case only by its number: the
context of every document is built here, from the case and its mediation record, and handed to
``documents.services.document_issue``.

Each document type is a ``DocumentKind``: the sides of the case that issue it
(``disputes.policy``), what in the case it can be issued for now (``subjects``: none while the
case's state does not allow it; one per session for a 调解笔录), the context it is rendered
from and its place in the 案卷. ``document_may`` is the one answer to "may this user issue this
document of this case now": the case page offers what it allows, ``case_document_issue``
accepts what it allows. An app above mediation (the court) adds its own kinds with
``register_kind`` from its ``AppConfig.ready``; the case page's 文书 section lists every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import CharField, Exists, Max, OuterRef, Prefetch, Subquery, Value
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import policy
from fengqiao.disputes.choices import CaseAction, PartyKind, PartyRole
from fengqiao.disputes.disclosure import Disclosure
from fengqiao.disputes.models import Case, Party, Referral
from fengqiao.disputes.services.errors import AlreadyDone
from fengqiao.disputes.services.transitions import lock_case, read_case, record_event
from fengqiao.documents.choices import (
    EVIDENCE_LIST_TEMPLATE,
    PERFORMANCE_LIST_TEMPLATE,
    TEMPLATES,
    DocumentType,
)
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.render import html_to_docx, render_html
from fengqiao.documents.services import (
    PreparedDocument,
    document_current,
    document_pdf,
    document_prepare,
    document_store,
)
from fengqiao.mediation.choices import AgreementKind, MediationAction
from fengqiao.mediation.fulfilment import certificate_context
from fengqiao.mediation.models import (
    Agreement,
    AgreementConfirmation,
    Evidence,
    Failure,
    FollowUp,
    MediationSession,
    PerformanceItem,
    PerformanceRecord,
    RightsNotice,
)
from fengqiao.orgs.models import Organization

# The names in full: what an issued document prints (its issuer stands on a side that reads
# them; ``disputes.disclosure``).
FULL = Disclosure(frozenset({policy.HANDLER}))


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{_day(local)} {local:%H:%M}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- What a case holds, read once per page or document ----------------------------------------


class CaseFacts:
    """The case and its mediation record, each read once when first asked for (the case page
    asks every kind what it can issue; the 案卷 renders them all)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        # What an app above mediation read of the case for its kinds, kept for the next kind
        # (``court.documents.court_facts``).
        self.extra: dict[str, Any] = {}

    @cached_property
    def summary(self) -> dict[str, Any]:
        """What the case holds, in one query: enough to say which documents it can have."""
        case = Case.objects.filter(pk=self.case.pk)
        on_case = {"case_id": OuterRef("pk")}
        row = case.values(
            notice=Exists(RightsNotice.objects.filter(**on_case)),
            agreement_kind=Subquery(Agreement.objects.filter(**on_case).values("kind")[:1]),
            failed=Exists(Failure.objects.filter(**on_case)),
            rejected=Exists(Referral.objects.filter(action=CaseAction.REJECT, **on_case)),
            certificate=Exists(
                IssuedDocument.objects.filter(
                    case_number=OuterRef("number"),
                    doc_type=DocumentType.PERFORMANCE_CERTIFICATE,
                )
            ),
        ).get()
        return dict(row)

    @cached_property
    def _times(self) -> dict[str, list[tuple[int, datetime]]]:
        """The case's sessions and visits (id, time) in time order, in one query."""
        # No ORDER BY inside a UNION (SQLite refuses it): sorted here.
        sessions = (
            MediationSession.objects.filter(case=self.case)
            .order_by()
            .values_list(Value("session", output_field=CharField()), "pk", "held_at")
        )
        visits = (
            FollowUp.objects.filter(case=self.case)
            .order_by()
            .values_list(Value("follow_up", output_field=CharField()), "pk", "visited_at")
        )
        found: dict[str, list[tuple[int, datetime]]] = {"session": [], "follow_up": []}
        for what, pk, at in sorted(sessions.union(visits, all=True), key=lambda r: (r[2], r[1])):
            found[what].append((pk, at))
        return found

    @property
    def session_times(self) -> list[tuple[int, datetime]]:
        return self._times["session"]

    @property
    def follow_up_times(self) -> list[tuple[int, datetime]]:
        return self._times["follow_up"]

    @cached_property
    def parties(self) -> list[Party]:
        return list(Party.objects.filter(case=self.case).order_by("role", "pk"))

    @cached_property
    def notice(self) -> RightsNotice | None:
        return (
            RightsNotice.objects.filter(case=self.case)
            .select_related("delivered_by")
            .prefetch_related("acknowledged_by")
            .first()
        )

    @cached_property
    def sessions(self) -> list[MediationSession]:
        return list(
            MediationSession.objects.filter(case=self.case)
            .select_related("recorded_by")
            .prefetch_related("mediators")
            .order_by("held_at", "pk")
        )

    @cached_property
    def agreement(self) -> Agreement | None:
        return Agreement.objects.filter(case=self.case).first()

    @cached_property
    def failure(self) -> Failure | None:
        return Failure.objects.filter(case=self.case).first()

    @cached_property
    def rejection(self) -> Referral | None:
        return Referral.objects.filter(case=self.case, action=CaseAction.REJECT).first()

    @cached_property
    def follow_ups(self) -> list[FollowUp]:
        return list(
            FollowUp.objects.filter(case=self.case)
            .select_related("visitor")
            .order_by("visited_at", "pk")
        )

    @cached_property
    def performance_items(self) -> list[PerformanceItem]:
        """The agreement's obligations, each with its records and their 履行凭证."""
        return list(
            PerformanceItem.objects.filter(case=self.case)
            .select_related("obligor")
            .prefetch_related(
                Prefetch(
                    "records",
                    queryset=PerformanceRecord.objects.select_related("proof", "recorded_by"),
                )
            )
            .order_by("due_date", "pk")
        )

    @cached_property
    def evidence(self) -> list[Evidence]:
        return list(Evidence.objects.filter(case=self.case).order_by("uploaded_at", "pk"))

    @cached_property
    def mediators(self) -> list[str]:
        """Who mediated: every session's mediators in order, else the case's handler."""
        names: list[str] = []
        for session in self.sessions:
            for user in session.mediators.all():
                if user.display_name not in names:
                    names.append(user.display_name)
        if not names and self.case.handler is not None:
            names.append(self.case.handler.display_name)
        return names

    def shown_parties(self, shown: Disclosure) -> list[dict[str, str]]:
        rows = []
        for party in self.parties:
            details = []
            if party.kind == PartyKind.ORGANIZATION:
                details.append(str(party.get_kind_display()))
            if party.address:
                details.append(_("住址：%(address)s") % {"address": party.address})
            rows.append(
                {
                    "role": str(party.get_role_display()),
                    "name": shown.name(party.name, party.kind),
                    "details": "，".join(details),
                }
            )
        return rows

    def base_context(self, shown: Disclosure, number: str) -> dict[str, Any]:
        case = self.case
        return {
            "number": number,
            "case_number": case.number,
            "title": case.title,
            "parties": self.shown_parties(shown),
            "mediators": self.mediators,
        }

    @property
    def result(self) -> str:
        if self.agreement is not None:
            return _("调解成功（%(kind)s）") % {"kind": self.agreement.get_kind_display()}
        if self.failure is not None:
            return _("调解不成")
        return str(self.case.get_status_display())


# --- The kinds of document ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What in a case a document is of: ``key`` "" for the whole case, "session:12" for one
    session; ``label`` what the page says beside the type (the session's time)."""

    key: str = ""
    label: str = ""


WHOLE = [Subject()]


@dataclass(frozen=True)
class DocumentKind:
    """One document type of a case. ``subjects(facts)`` lists what it can be issued for now
    (empty: the case's state does not allow it); ``context(facts, subject, shown)`` the
    template's context, names as ``shown`` allows; ``sides`` who issues it; ``issuer(case)``
    the org named on it; ``file_order`` its place in the 案卷 (None: not filed) and
    ``file_subjects`` what of it the 案卷 files, when not every subject (a 送达回证 once the
    service is recorded). ``offered`` False: a document another step issues (the court's
    ruling at 裁定, the 自动履行证明书 at the end of fulfilment) — listed and filed, never
    issued from the case page."""

    doc_type: str
    subjects: Callable[[CaseFacts], list[Subject]]
    context: Callable[[CaseFacts, str, Disclosure], dict[str, Any]]
    sides: tuple[str, ...] = (policy.HANDLER,)
    issuer: Callable[[Case], Organization | None] = field(default=lambda case: case.handling_org)
    file_order: int | None = None
    file_subjects: Callable[[CaseFacts], list[Subject]] | None = None
    offered: bool = True

    @property
    def label(self) -> str:
        return str(DocumentType(self.doc_type).label) if self.doc_type in DocumentType else ""


_kinds: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> None:
    """Add a kind of document to the case page's 文书 section (from an app's
    ``AppConfig.ready``); a type declared twice stops start-up."""
    known = _kinds.get(kind.doc_type)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"document kind {kind.doc_type!r} is declared twice")
    if kind.doc_type not in TEMPLATES:
        raise ImproperlyConfigured(f"document kind {kind.doc_type!r} has no template")
    _kinds[kind.doc_type] = kind


def kinds() -> list[DocumentKind]:
    return list(_kinds.values())


def kind_for(doc_type: str) -> DocumentKind | None:
    return _kinds.get(doc_type)


def titled(label: str, subject_label: str) -> str:
    """A document's name with what it is of: 调解笔录（2026年5月1日 09:00）, and a court's number
    beside it without a second bracket: 民事裁定书 （2026）东法民特1号."""
    if not subject_label:
        return label
    if subject_label.startswith("（"):
        return f"{label} {subject_label}"
    return f"{label}（{subject_label}）"


def subject_key(prefix: str, pk: int) -> str:
    return f"{prefix}:{pk}"


def _pick(rows: list[Any], prefix: str, subject: str) -> Any:
    for row in rows:
        if subject_key(prefix, row.pk) == subject:
            return row
    raise LookupError(subject)


# 调解申请书 — every case has one: its parties, its request, its facts.
def _application(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    case = facts.case
    applicants = [
        shown.name(p.name, p.kind) for p in facts.parties if p.role == PartyRole.APPLICANT
    ]
    return {
        **facts.base_context(shown, f"{case.number}-申"),
        "facts": case.facts,
        "claims": case.claims,
        "applicants": applicants,
        "applied_date": _day(case.registered_at),
        "registered_at": _moment(case.registered_at),
        "channel": case.get_channel_display(),
        "category": case.get_category_display(),
    }


def _notice_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["notice"] else []


def _notice(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    notice = facts.notice
    if notice is None:
        raise LookupError(subject)
    acknowledged = {p.pk for p in notice.acknowledged_by.all()}
    return {
        **facts.base_context(shown, f"{facts.case.number}-告"),
        "addressees": "、".join(shown.name(p.name, p.kind) for p in facts.parties),
        "delivered_at": _moment(notice.delivered_at),
        "method": notice.get_method_display(),
        "delivered_by": notice.delivered_by.display_name if notice.delivered_by else "",
        "acknowledgements": [
            {
                "role": p.get_role_display(),
                "name": shown.name(p.name, p.kind),
                "acknowledged": p.pk in acknowledged,
            }
            for p in facts.parties
        ],
        "date": _day(notice.delivered_at),
    }


def _session_subjects(facts: CaseFacts) -> list[Subject]:
    return [Subject(subject_key("session", pk), _moment(at)) for pk, at in facts.session_times]


def _session(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    session = _pick(facts.sessions, "session", subject)
    seq = facts.sessions.index(session) + 1
    mediators = [u.display_name for u in session.mediators.all()]
    return {
        **facts.base_context(shown, f"{facts.case.number}-录{seq}"),
        "held_at": _moment(session.held_at),
        "place": session.place,
        "mode": session.get_mode_display(),
        "mediators": mediators,
        "recorder": session.recorded_by.display_name if session.recorded_by else "",
        "attendees": session.attendees,
        "record_lines": _lines(session.record),
        "outcome": session.outcome,
    }


def _written_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["agreement_kind"] == AgreementKind.WRITTEN else []


def _oral_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["agreement_kind"] == AgreementKind.ORAL else []


def _agreement(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    agreement = facts.agreement
    if agreement is None:
        raise LookupError(subject)
    suffix = "协" if agreement.kind == AgreementKind.WRITTEN else "口"
    parties = facts.shown_parties(shown)
    return {
        **facts.base_context(shown, f"{facts.case.number}-{suffix}"),
        "facts": agreement.facts or facts.case.facts,
        "disputed_points": agreement.disputed_points,
        "responsibilities": agreement.responsibilities,
        "terms": _lines(agreement.terms),
        "performance_method": agreement.performance_method,
        "performance_place": agreement.performance_place,
        "performance_deadline": _day(agreement.performance_deadline),
        "concluded_at": _moment(agreement.concluded_at),
        # 人民调解法 art. 29: one copy for each party and one kept by the committee.
        "copies": len(parties) + 1,
        "confirmations": _confirmations(agreement, shown),
    }


def _confirmations(agreement: Agreement, shown: Disclosure) -> list[dict[str, str]]:
    """The parties' on-line confirmations of this text (当事人确认, docs/confirmation.md): who,
    when, how, and the text's digest — those of an earlier text no longer count and are left
    out."""
    from fengqiao.mediation.confirmations import agreement_digest

    digest = agreement_digest(agreement)
    rows = (
        AgreementConfirmation.objects.filter(agreement=agreement, digest=digest)
        .select_related("party")
        .defer("signature")
        .order_by("confirmed_at", "pk")
    )
    return [
        {
            "name": shown.name(row.party.name, row.party.kind),
            "role": str(row.party.get_role_display()),
            "method": str(row.get_method_display()),
            "at": _moment(row.confirmed_at),
            "digest": row.digest,
        }
        for row in rows
    ]


def _rejection_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["rejected"] else []


def _rejection(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    rejection = facts.rejection
    if rejection is None:
        raise LookupError(subject)
    applicants = [p for p in facts.parties if p.role == PartyRole.APPLICANT] or facts.parties
    return {
        **facts.base_context(shown, f"{facts.case.number}-不"),
        "addressees": "、".join(shown.name(p.name, p.kind) for p in applicants),
        "applied_date": _day(facts.case.registered_at),
        "reason": rejection.note,
        "receiver": rejection.receiver,
        "date": _day(rejection.referred_at),
    }


def _failure_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["failed"] else []


def _failure(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    failure = facts.failure
    if failure is None:
        raise LookupError(subject)
    return {
        **facts.base_context(shown, f"{facts.case.number}-终"),
        "facts": facts.case.facts,
        "sessions": [
            {"held_at": _moment(s.held_at), "mode": s.get_mode_display(), "place": s.place}
            for s in facts.sessions
        ],
        "reason": failure.note,
        "undisputed_facts": failure.undisputed_facts,
    }


def _follow_up_subjects(facts: CaseFacts) -> list[Subject]:
    return [Subject(subject_key("follow_up", pk), _moment(at)) for pk, at in facts.follow_up_times]


def _follow_up(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    visit = _pick(facts.follow_ups, "follow_up", subject)
    seq = facts.follow_ups.index(visit) + 1
    return {
        **facts.base_context(shown, f"{facts.case.number}-访{seq}"),
        "result": facts.result,
        "visited_at": _moment(visit.visited_at),
        "visited_date": _day(visit.visited_at),
        "visitor": visit.visitor.display_name if visit.visitor else "",
        "satisfaction": visit.get_satisfaction_display(),
        "comment": visit.comment,
    }


# 自动履行证明书 — issued by fulfilment once every obligation was performed; the 案卷 files a
# copy.
def _certificate_subjects(facts: CaseFacts) -> list[Subject]:
    return WHOLE if facts.summary["certificate"] and facts.agreement is not None else []


def _certificate(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    if facts.agreement is None:
        raise LookupError(subject)
    return certificate_context(
        facts.case, facts.agreement, facts.performance_items, facts.parties, shown
    )


def _whole_case(facts: CaseFacts) -> list[Subject]:
    return WHOLE


def _closed(facts: CaseFacts) -> list[Subject]:
    return WHOLE if not facts.case.is_open else []


def _platform(case: Case) -> Organization | None:
    return case.platform


def _filing_org(case: Case) -> Organization | None:
    return case.handling_org or case.platform


# --- Policy -------------------------------------------------------------------------------------


def issuing_sides(user: Any, case: Case) -> set[str]:
    """The sides of ``case`` that issue documents on which ``user`` stands."""
    wanted = {side for kind in _kinds.values() for side in kind.sides}
    return {side for side in wanted if policy.on_side(user, case, side)}


def document_may(
    user: Any,
    facts: CaseFacts,
    doc_type: str,
    subject: str = "",
    *,
    sides: set[str] | None = None,
) -> bool:
    """Whether ``user`` may issue ``doc_type`` (of ``subject``) for the case now: they stand on
    one of the kind's sides (the handling org's mediators for the mediation record, the
    platform for a 不予受理通知书, whoever files the case for the 案卷) and the case holds what
    the document is of. The case page and ``case_document_issue`` both ask this."""
    kind = _kinds.get(doc_type)
    if kind is None or not kind.offered:
        return False
    if sides is None:
        sides = {s for s in kind.sides if policy.on_side(user, facts.case, s)}
    if not sides.intersection(kind.sides):
        return False
    if kind.issuer(facts.case) is None:
        return False
    return subject in {s.key for s in kind.subjects(facts)}


# --- The 案卷 -----------------------------------------------------------------------------------

EVIDENCE_ORDER = 70
PERFORMANCE_ORDER = 75


def _evidence_list(facts: CaseFacts, shown: Disclosure) -> dict[str, Any]:
    return {
        "number": f"{facts.case.number}-证",
        "evidence": [
            {
                "title": e.title,
                "kind": e.get_content_type_display(),
                "uploaded_at": _moment(e.uploaded_at),
                "sha256": e.sha256,
            }
            for e in facts.evidence
        ],
    }


def _performance_list(facts: CaseFacts, shown: Disclosure) -> dict[str, Any]:
    """履行情况及凭证: each obligation of the agreement and every record on it, with its 履行凭证
    named by title and digest (the file itself is listed among the evidence)."""
    items = []
    for item in facts.performance_items:
        items.append(
            {
                "obligor": shown.name(item.obligor.name, item.obligor.kind),
                "description": item.description,
                "amount": item.amount,
                "due_date": _day(item.due_date),
                "status": item.get_status_display(),
                "performed_on": _day(item.performed_on),
                "records": [
                    {
                        "kind": r.get_kind_display(),
                        "day": _day(r.happened_on),
                        "amount": r.amount,
                        "proof": r.proof.title if r.proof else "",
                        "proof_sha256": r.proof.sha256 if r.proof else "",
                        "note": r.note,
                        "recorded_by": r.recorded_by.display_name if r.recorded_by else "",
                    }
                    for r in item.records.all()
                ],
            }
        )
    return {"number": f"{facts.case.number}-履", "items": items}


def case_file_parts(facts: CaseFacts, shown: Disclosure) -> list[dict[str, Any]]:
    """Every document of the case in the 案卷's order, each rendered as a part of one page:
    ``{"title", "anchor", "html"}``."""
    entries: list[tuple[int, str, str, dict[str, Any]]] = []
    for kind in _kinds.values():
        if kind.file_order is None:
            continue
        for subject in (kind.file_subjects or kind.subjects)(facts):
            title = titled(kind.label, subject.label)
            context = kind.context(facts, subject.key, shown)
            entries.append((kind.file_order, title, TEMPLATES[kind.doc_type], context))
    entries.append(
        (EVIDENCE_ORDER, _("证据材料目录"), EVIDENCE_LIST_TEMPLATE, _evidence_list(facts, shown))
    )
    if facts.performance_items:
        entries.append(
            (
                PERFORMANCE_ORDER,
                _("履行情况及凭证"),
                PERFORMANCE_LIST_TEMPLATE,
                _performance_list(facts, shown),
            )
        )
    entries.sort(key=lambda entry: entry[0])  # stable: sessions stay in their order
    committee = _filing_org(facts.case)
    parts = []
    for seq, (_order, title, template, context) in enumerate(entries, start=1):
        anchor = f"part-{seq}"
        html = render_html(
            template,
            {
                "committee": committee.name if committee else "",
                "date": _day(timezone.localdate()),
                **context,
                "in_case_file": True,
                "part_anchor": anchor,
            },
        )
        # Rendered by our own templates with autoescaping: safe to place in the file's page.
        parts.append({"title": title, "anchor": anchor, "html": mark_safe(html)})  # noqa: S308
    return parts


def _case_file(facts: CaseFacts, subject: str, shown: Disclosure) -> dict[str, Any]:
    case = facts.case
    return {
        **facts.base_context(shown, ""),
        "file_number": case.archive_number or _("（归档时编号）"),
        "category": case.get_category_display(),
        "result": facts.result,
        "registered_date": _day(case.registered_at),
        "closed_date": _day(case.closed_at),
        "parts": case_file_parts(facts, shown),
    }


# The mediation side's documents, in the order of the 案卷 (2010 司法部 人民调解文书格式).
MEDIATION_KINDS = (
    DocumentKind(
        DocumentType.MEDIATION_APPLICATION,
        _whole_case,
        _application,
        # Made at registration: by the platform that registered it or the org handling it.
        sides=(policy.HANDLER, policy.PLATFORM),
        issuer=_filing_org,
        file_order=10,
    ),
    DocumentKind(
        DocumentType.REJECTION_NOTICE,
        _rejection_subjects,
        _rejection,
        sides=(policy.PLATFORM,),
        issuer=_platform,
        file_order=15,
    ),
    DocumentKind(DocumentType.RIGHTS_NOTICE, _notice_subjects, _notice, file_order=20),
    DocumentKind(DocumentType.SESSION_RECORD, _session_subjects, _session, file_order=30),
    DocumentKind(DocumentType.MEDIATION_AGREEMENT, _written_subjects, _agreement, file_order=40),
    DocumentKind(DocumentType.ORAL_AGREEMENT, _oral_subjects, _agreement, file_order=40),
    DocumentKind(DocumentType.TERMINATION_RECORD, _failure_subjects, _failure, file_order=50),
    DocumentKind(
        DocumentType.FOLLOW_UP_RECORD,
        _follow_up_subjects,
        _follow_up,
        sides=policy.OTHER_SIDES[policy.FOLLOW_UP],
        file_order=90,
    ),
    DocumentKind(
        DocumentType.PERFORMANCE_CERTIFICATE,
        _certificate_subjects,
        _certificate,
        file_order=80,
        offered=False,
    ),
    DocumentKind(
        DocumentType.CASE_FILE,
        _closed,
        _case_file,
        sides=(policy.ARCHIVER,),
        issuer=_filing_org,
    ),
)


def register_all() -> None:
    for kind in MEDIATION_KINDS:
        register_kind(kind)


# --- Issuing and the working copy ---------------------------------------------------------------


def subject_label(facts: CaseFacts, doc_type: str, subject: str) -> str:
    kind = _kinds.get(doc_type)
    if kind is None or not subject:
        return ""
    return next((s.label for s in kind.subjects(facts) if s.key == subject), "")


def _last_event_id(case: Case) -> int:
    return case.timeline.aggregate(last=Max("pk"))["last"] or 0


def _checked(
    actor: Any, case: Case, doc_type: str, subject: str, after: int | None
) -> DocumentKind:
    """Refuse what ``document_may`` refuses and a request that came twice: ``after`` is the
    latest version the user's page showed (0: none); when a later one exists already, the same
    click arrived again (or a second tab) and nothing is issued."""
    facts = CaseFacts(case)
    if not document_may(actor, facts, doc_type, subject):
        raise PermissionDenied(_("您不能出具该文书，或案件当前状态不能出具该文书。"))
    kind = _kinds[doc_type]
    latest = (
        IssuedDocument.objects.filter(doc_type=doc_type, case_number=case.number, subject=subject)
        .order_by("-version")
        .first()
    )
    if after is not None and latest is not None and latest.version > after:
        raise AlreadyDone(
            case,
            _("出具%(type)s第%(version)s版") % {"type": kind.label, "version": latest.version},
            timezone.localtime(latest.created_at).strftime("%H:%M:%S"),
        )
    return kind


def _prepare(case: Case, kind: DocumentKind, subject: str) -> tuple[PreparedDocument, CaseFacts]:
    facts = CaseFacts(case)
    issuer = kind.issuer(case)
    if issuer is None:  # document_may checked it
        raise PermissionDenied
    prepared = document_prepare(
        doc_type=kind.doc_type,
        case_number=case.number,
        issuer_org=issuer,
        context={"date": _day(timezone.localdate()), **kind.context(facts, subject, FULL)},
        subject=subject,
    )
    return prepared, facts


def case_document_issue(
    *,
    actor: Any,
    case_id: int,
    doc_type: str,
    subject: str = "",
    after: int | None = None,
) -> IssuedDocument:
    """出具文书 — render the document of the case as it stands, store the PDF (with its QR
    code) as the next version and note it on the case's timeline. ``after`` is the latest
    version the user's page showed (0: none): a request that came twice issues nothing again.

    The PDF is rendered and signed before the case row is locked (0.1–0.3 s), from the case as
    it is then; under the lock the request is checked again, and when anything was written to
    the case meanwhile (its version or timeline moved, another version was issued) the
    document is rendered again there, so what is stored is what the case holds when it is
    stored. Two requests for one case still store one after the other."""
    case = read_case(actor, case_id)
    kind = _checked(actor, case, doc_type, subject, after)
    seen = (case.version, _last_event_id(case))
    prepared, facts = _prepare(case, kind, subject)
    with transaction.atomic():
        case = lock_case(actor, case_id)
        kind = _checked(actor, case, doc_type, subject, after)
        if (case.version, _last_event_id(case)) != seen or not document_current(prepared):
            prepared, facts = _prepare(case, kind, subject)  # the case moved: render it again
        else:
            facts = CaseFacts(case)
        document = document_store(
            prepared, actor=actor, party_names=[p.name for p in facts.parties]
        )
        label = subject_label(facts, doc_type, subject)
        record_event(
            case,
            actor=actor,
            action=MediationAction.DOCUMENT,
            from_status=case.status,
            to_status=case.status,
            note=_("%(type)s%(subject)s 第%(version)s版")
            % {
                "type": kind.label,
                "subject": f"（{label}）" if label else "",
                "version": document.version,
            },
            data={"doc_type": doc_type, "version": document.version},
        )
    return document


def case_document_docx(
    *, facts: CaseFacts, doc_type: str, subject: str, shown: Disclosure
) -> bytes:
    """The DOCX working copy of a document of the case, from the same context as its PDF and
    the names as ``shown`` allows. Generated on each download and never stored: the issued
    PDF is the document."""
    kind = _kinds.get(doc_type)
    if kind is None or not kind.offered or subject not in {s.key for s in kind.subjects(facts)}:
        raise LookupError(doc_type)
    issuer = kind.issuer(facts.case)
    context = {
        "committee": issuer.name if issuer else "",
        "date": _day(timezone.localdate()),
        **kind.context(facts, subject, shown),
    }
    return html_to_docx(render_html(TEMPLATES[doc_type], context))


def case_document_pdf(*, actor: Any, document: IssuedDocument) -> bytes:
    """The stored PDF of an issued document the caller found through its case's scope; every
    download is audited (the document names the parties)."""
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_DOWNLOADED,
        obj=document,
        after={"case_number": document.case_number, "version": document.version},
    )
    return document_pdf(document)
