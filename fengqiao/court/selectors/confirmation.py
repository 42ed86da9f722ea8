"""Reads of judicial confirmations (司法确认), each with the reader's scope applied: the court's
judge and clerk see the applications filed with their court; whoever sees a case sees its
applications on the case page (confirmation_policy.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import orgs_with, restrict
from fengqiao.core.masking import mask_name
from fengqiao.court.confirmation_policy import (
    ACCEPT,
    ACKNOWLEDGE,
    EXTEND,
    REFUSE,
    REVIEW,
    RULE,
    SERVE,
    case_may_file,
    competent_court,
    confirmation_may,
)
from fengqiao.court.models.confirmation import (
    LIVE_STATUSES,
    Confirmation,
    ConfirmationStatus,
    ScreeningFlag,
    ServiceReceipt,
)
from fengqiao.court.permissions import REVIEW_CONFIRMATION, RULE_CONFIRMATION
from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.disclosure import case_disclosure
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import due_state
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.models import Agreement
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization

# The queue's tabs: 待受理, 待裁定, 已裁定 (ruled, and refused at acceptance).
TO_ACCEPT, TO_RULE, DECIDED = "to_accept", "to_rule", "decided"
TABS = (TO_ACCEPT, TO_RULE, DECIDED)
QUEUE_PAGE = 50
QUEUE_FIELDS = (
    "number",
    "status",
    "filed_at",
    "accept_due_at",
    "rule_due_at",
    "extended_at",
    "decided_at",
    "court_id",
    "case__number",
    "filed_org__name",
)


def filable_agreement(case: Case) -> Agreement | None:
    """The case's written agreement (only a written one can be confirmed: the court reviews
    its text and the parties' signatures)."""
    return Agreement.objects.filter(case=case, kind=AgreementKind.WRITTEN).first()


def live_confirmation(case: Case) -> Confirmation | None:
    return Confirmation.objects.filter(case=case, status__in=LIVE_STATUSES).first()


def court_ids_for(user: Any) -> list[int]:
    """The courts whose confirmations ``user`` reviews or rules on."""
    orgs = {o.pk for o in orgs_with(user, REVIEW_CONFIRMATION)}
    orgs |= {o.pk for o in orgs_with(user, RULE_CONFIRMATION)}
    return sorted(orgs)


@dataclass
class QueueRow:
    confirmation: Confirmation
    applicants: str
    due_at: Any
    state: str
    flags: int


@dataclass
class Queue:
    tab: str
    rows: list[QueueRow]
    counts: dict[str, int] = field(default_factory=dict)


def _tab_queryset(court_ids: list[int], tab: str) -> QuerySet[Confirmation]:
    base = Confirmation.objects.filter(court_id__in=court_ids)
    if tab == TO_ACCEPT:
        return base.filter(status=ConfirmationStatus.PENDING).order_by("accept_due_at", "pk")
    if tab == TO_RULE:
        return base.filter(status=ConfirmationStatus.ACCEPTED).order_by("rule_due_at", "pk")
    return base.filter(decided_at__isnull=False).order_by("-decided_at", "-pk")


def queue_tab(tab: str) -> str:
    """The queue's tab named by a query string (an unknown one is 待受理)."""
    return tab if tab in TABS else TO_ACCEPT


def confirmation_tab_for_user(user: Any, tab: str) -> QuerySet[Confirmation]:
    """One tab of the user's courts' applications, in the queue's order (its ledger reads
    this: court/exports.py)."""
    courts = court_ids_for(user)
    if not courts:
        return Confirmation.objects.none()
    return _tab_queryset(courts, queue_tab(tab))


def confirmation_queue(user: Any, tab: str = TO_ACCEPT, *, limit: int = QUEUE_PAGE) -> Queue:
    """The judge's (or clerk's) queue for one tab, nearest deadline first, with the count of
    every tab: a fixed number of queries whatever the size of the page (each tab read on its
    own partial index, confirmation_to_accept / _to_rule / _decided)."""
    tab = queue_tab(tab)
    courts = court_ids_for(user)
    if not courts:
        return Queue(tab, [], dict.fromkeys(TABS, 0))
    counts = {t: _tab_queryset(courts, t).count() for t in (TO_ACCEPT, TO_RULE)}
    rows = list(
        _tab_queryset(courts, tab)
        .select_related("case", "filed_org")
        # What a row shows: the queue never reads the scan, the reasons or the documents.
        .only(*QUEUE_FIELDS)
        .prefetch_related(
            Prefetch("applicants", queryset=Party.objects.only("pk", "name", "case_id")),
            Prefetch(
                "flags",
                queryset=ScreeningFlag.objects.only("pk", "confirmation_id", "acknowledged_at"),
            ),
        )[:limit]
    )
    now = timezone.now()
    out = []
    for c in rows:
        due = c.accept_due_at if c.status == ConfirmationStatus.PENDING else c.rule_due_at
        state = due_state(due, now) if due is not None and not c.is_decided else "done"
        out.append(
            QueueRow(
                c,
                "、".join(mask_name(p.name) for p in c.applicants.all()),
                due,
                state,
                sum(1 for f in c.flags.all() if f.acknowledged_at is None),
            )
        )
    return Queue(tab, out, counts)


def confirmation_rows(user: Any, tab: str, *, limit: int = QUEUE_PAGE) -> list[Confirmation]:
    """One tab of the user's courts' applications with everything the API shows of each
    (case, court, committee, applicants, flags): a fixed number of queries."""
    courts = court_ids_for(user)
    if not courts:
        return []
    return list(
        _tab_queryset(courts, tab if tab in TABS else TO_ACCEPT)
        .select_related("case", "court", "filed_org")
        .prefetch_related("applicants", "flags")[:limit]
    )


def confirmation_get_for_user(user: Any, pk: int) -> Confirmation:
    """An application the court side of ``user`` reviews (404 otherwise: nothing said about
    whether it exists)."""
    confirmation = (
        Confirmation.objects.select_related(
            "case__handling_org", "case__handler", "agreement", "court", "filed_org", "filed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if confirmation is None or not confirmation_may(user, confirmation, REVIEW):
        raise Http404
    return confirmation


def confirmation_visible_to(user: Any, confirmation: Confirmation) -> bool:
    """The court side, or anyone who sees its case (the mediator downloads the ruling)."""
    if confirmation_may(user, confirmation, REVIEW):
        return True
    return restrict(Case.objects.filter(pk=confirmation.case_id), user, VIEW_CASE).exists()


def confirmation_get_for_reader(user: Any, pk: int) -> Confirmation:
    confirmation = (
        Confirmation.objects.select_related(
            "case", "application_document", "decision_document", "court"
        )
        .filter(pk=pk)
        .first()
    )
    if confirmation is None or not confirmation_visible_to(user, confirmation):
        raise Http404
    return confirmation


def receipt_signature_visible(user: Any, confirmation: Confirmation) -> bool:
    """Whether ``user``, who reads ``confirmation``, may see a party's signature on its
    送达回证: the court side, or whoever reads the parties' names in full (the handling
    mediator who served it). A viewer shown masked names sees who was served, not how they
    signed."""
    if confirmation_may(user, confirmation, REVIEW):
        return True
    return case_disclosure(user, confirmation.case).full_names


def receipt_get_for_reader(user: Any, pk: int) -> ServiceReceipt:
    """A recorded 送达回证 whose signature ``user`` may see: 404 outside the user's scope, 403
    (with the reason) for a reader shown masked names."""
    receipt = (
        ServiceReceipt.objects.select_related("confirmation__case", "party").filter(pk=pk).first()
    )
    if receipt is None or not confirmation_visible_to(user, receipt.confirmation):
        raise Http404
    if not receipt_signature_visible(user, receipt.confirmation):
        raise PermissionDenied(_("您查看该案件时当事人姓名已脱敏，不能查看当事人签名。"))
    return receipt


@dataclass
class Detail:
    confirmation: Confirmation
    parties: list[dict[str, Any]]
    applicant_ids: set[int]
    flags: list[ScreeningFlag]
    receipts: list[ServiceReceipt]
    may: dict[str, bool]
    accept_state: str
    rule_state: str
    unacknowledged: int


def masked_parties(parties: list[Party]) -> list[dict[str, Any]]:
    return [{"pk": p.pk, "role": p.get_role_display(), "name": mask_name(p.name)} for p in parties]


def _mask_receipts(receipts: list[ServiceReceipt]) -> list[ServiceReceipt]:
    for r in receipts:
        r.masked_name = mask_name(r.party.name)  # type: ignore[attr-defined]
    return receipts


def confirmation_detail(user: Any, pk: int) -> Detail:
    confirmation = confirmation_get_for_user(user, pk)
    parties = list(confirmation.case.parties.all())
    flags = list(confirmation.flags.select_related("acknowledged_by"))
    receipts = _mask_receipts(list(confirmation.receipts.select_related("party", "served_by")))
    may = {
        a: confirmation_may(user, confirmation, a)
        for a in (ACCEPT, REFUSE, EXTEND, ACKNOWLEDGE, RULE, SERVE)
    }
    now = timezone.now()
    return Detail(
        confirmation,
        masked_parties(parties),
        set(confirmation.applicants.values_list("pk", flat=True)),
        flags,
        receipts,
        may,
        due_state(confirmation.accept_due_at, now)
        if confirmation.status == ConfirmationStatus.PENDING
        else "done",
        due_state(confirmation.rule_due_at, now)
        if confirmation.status == ConfirmationStatus.ACCEPTED and confirmation.rule_due_at
        else "done",
        sum(1 for f in flags if f.acknowledged_at is None),
    )


@dataclass
class CasePanel:
    may_file: bool
    court: Organization | None
    confirmations: list[Confirmation]
    may_serve: dict[int, bool]
    parties: list[dict[str, Any]]
    served: dict[int, list[ServiceReceipt]]
    # Whether the page links each recorded receipt's signature (``receipt_signature_visible``).
    signatures: dict[int, bool] = field(default_factory=dict)


def case_panel(user: Any, case: Case) -> CasePanel:
    """What the case page shows of the case's applications: their state, the documents to
    download, the filing form (when allowed) and the service receipts."""
    confirmations = list(
        Confirmation.objects.filter(case=case)
        .select_related("court", "application_document", "decision_document")
        .prefetch_related("receipts__party", "receipts__served_by")
        .order_by("-filed_at", "-pk")
    )
    may_file = case_may_file(user, case)
    parties = list(case.parties.all()) if confirmations or may_file else []
    return CasePanel(
        may_file,
        competent_court(case) if may_file else None,
        confirmations,
        {c.pk: confirmation_may(user, c, SERVE) for c in confirmations},
        masked_parties(
            [p for p in parties if p.role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)]
        ),
        {c.pk: _mask_receipts(list(c.receipts.all())) for c in confirmations},
        _signatures(user, case, confirmations),
    )


def _signatures(user: Any, case: Case, confirmations: list[Confirmation]) -> dict[int, bool]:
    """``receipt_signature_visible`` for each application with a receipt, the case's
    disclosure read once."""
    served = [c for c in confirmations if c.receipts.all()]
    if not served:
        return {}
    full_names = case_disclosure(user, case).full_names
    return {c.pk: full_names or confirmation_may(user, c, REVIEW) for c in served}


def court_choices(case: Case) -> QuerySet[Organization]:
    """The courts a mediator may pick for ``case``: the active courts and tribunals of the
    regions above and at the handling org's (the service refuses any but the competent one,
    saying which it is)."""
    org = case.handling_org
    if org is None:
        return Organization.objects.none()
    region = org.region
    paths = [*region.ancestor_paths(), region.path]
    courts = Organization.objects.filter(kind__family=OrgFamily.COURT, is_active=True)
    basic = courts.filter(region__path__in=paths)
    return (basic | courts.filter(parent__in=basic)).distinct().order_by("region__path", "pk")


def flag_confirmation_id(flag_id: int) -> int | None:
    """The application a flag belongs to (its page decides who may see it)."""
    return (
        ScreeningFlag.objects.filter(pk=flag_id).values_list("confirmation_id", flat=True).first()
    )


def agreement_confirmed(case: Case) -> bool:
    """The case's agreement was confirmed valid by a court ruling (司法确认)."""
    return Confirmation.objects.filter(case=case, status=ConfirmationStatus.CONFIRMED).exists()
