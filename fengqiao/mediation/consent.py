"""Whether a case may be mediated now: every applicant and respondent has consented and the
rights notice (权利义务告知书) has been given (人民调解法 arts. 17 and 23).

Read by ``disputes`` (through ``disputes.hooks``, filled in ``MediationConfig.ready``) before it
starts mediation or records an agreement, by the mediation services before a session, and by the
case page to offer only what they accept. It reads models only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.utils.translation import gettext as _

from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.mediation.choices import ConsentDecision
from fengqiao.mediation.models import MediationSession, RightsNotice

# The parties whose consent mediation needs (a third party joins, it does not decide).
CONSENTING_ROLES = (PartyRole.APPLICANT, PartyRole.RESPONDENT)


def consent_state(case: Case) -> tuple[bool, bool]:
    """(every applicant and respondent consented, some party refused)."""
    parties = list(
        Party.objects.filter(case=case, role__in=CONSENTING_ROLES).select_related("consent")
    )
    decisions = [getattr(p, "consent", None) for p in parties]
    refused = any(c is not None and c.decision == ConsentDecision.REFUSED for c in decisions)
    everyone = bool(parties) and all(
        c is not None and c.decision == ConsentDecision.CONSENTED for c in decisions
    )
    return everyone, refused


def refusal_message() -> str:
    return _("有当事人明确拒绝调解，依人民调解法第十七条不得调解，可转出处理。")


def mediation_blocker(case: Case, step: str) -> str | None:
    """Why ``step`` (开始调解, 达成调解协议, 记录调解笔录) cannot happen on ``case`` now, or
    ``None`` when it can."""
    everyone, refused = consent_state(case)
    if refused:
        return refusal_message()
    if not everyone:
        return _("尚未记录全部申请人和被申请人同意调解，不能%(step)s。") % {"step": step}
    if not RightsNotice.objects.filter(case=case).exists():
        return _("尚未向当事人送达权利义务告知书，不能%(step)s。") % {"step": step}
    return None


def sessions_held(case_ids: Iterable[int]) -> dict[int, int]:
    """How many sessions each case has had (cases with none are left out)."""
    return dict(
        MediationSession.objects.filter(case_id__in=list(case_ids))
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("case_id", "n")
    )
