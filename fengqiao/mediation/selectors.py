"""Reads of the mediation record. A case's record is read only for a case the user can see
(``disputes.selectors.case_get_for_user``); evidence is found through its case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.disclosure import case_disclosure
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.policy import case_may
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.mediation.choices import ConsentDecision
from fengqiao.mediation.consent import CONSENTING_ROLES
from fengqiao.mediation.models import (
    Evidence,
    ExpertOpinion,
    MediationSession,
    PartyConsent,
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
