"""The court's reads for referral: its queues (``QUEUE_TABS``), a case's referral with its
period (the case's own mediation deadline, so an extension shows on both sides) and the
roster. Every read is narrowed to the courts the user acts for (``referral_policy``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.models.referral import RETURNED_REFERRAL, ReferralStatus, RosterStatus
from fengqiao.court.referral_policy import COURT_CHANNELS, court_ids
from fengqiao.court.tabs import QueueTab
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DueKind, DueStatus
from fengqiao.disputes.models import Case, DueItem
from fengqiao.disputes.policy import unassignable_mediator_ids

# Rows shown per tab; the badge counts them all.
PAGE = 100


@dataclass(frozen=True)
class Period:
    """The mediation period of a referred case as both sides see it."""

    due_at: datetime
    started_at: datetime | None
    extended_days: int
    provisional: bool
    open: bool


def periods_of(case_ids: Sequence[int]) -> dict[int, Period]:
    """Each case's mediation period (open first, else the last closed), in one query."""
    found: dict[int, Period] = {}
    if not case_ids:
        return found
    known = deadlines.known_years()
    rows = (
        DueItem.objects.filter(case_id__in=list(case_ids), kind=DueKind.MEDIATION)
        .order_by("case_id", "-pk")
        .only("case_id", "due_at", "started_at", "moves", "status")
    )
    for item in rows:
        is_open = item.status == DueStatus.OPEN
        if item.case_id in found and not is_open:
            continue
        if item.case_id in found and found[item.case_id].open:
            continue
        found[item.case_id] = Period(
            due_at=item.due_at,
            started_at=item.started_at,
            extended_days=sum(m.get("extended", 0) for m in item.moves or []),
            provisional=deadlines.is_provisional(item.due_at, known),
            open=is_open,
        )
    return found


def with_periods(referrals: list[CourtReferral]) -> list[CourtReferral]:
    periods = periods_of([r.case_id for r in referrals])
    for referral in referrals:
        referral.period = periods.get(referral.case_id)  # type: ignore[attr-defined]
    return referrals


def _referrals(courts: Sequence[int]) -> QuerySet[CourtReferral]:
    return CourtReferral.objects.filter(court_id__in=list(courts)).select_related(
        "case", "org", "mediator"
    )


def pending_cases(courts: Sequence[int]) -> QuerySet[Case]:
    """待委派: the courts' registered 委派/委托 cases not yet sent (the intake registered them)."""
    return Case.objects.filter(
        source_org_id__in=list(courts),
        status=CaseStatus.REGISTERED,
        channel__in=COURT_CHANNELS,
    ).order_by("-registered_at", "-pk")


def sent(courts: Sequence[int]) -> QuerySet[CourtReferral]:
    return _referrals(courts).filter(status=ReferralStatus.SENT).order_by("-sent_at", "-pk")


def mediating(courts: Sequence[int]) -> QuerySet[CourtReferral]:
    return _referrals(courts).filter(status=ReferralStatus.MEDIATING).order_by("-sent_at", "-pk")


def to_file(courts: Sequence[int]) -> QuerySet[CourtReferral]:
    """已退回待立案: returned (failed or expired) and not yet filed, oldest return first."""
    return (
        _referrals(courts)
        .filter(status__in=RETURNED_REFERRAL, filed_at__isnull=True)
        .order_by("returned_at", "pk")
    )


def withdrawn(courts: Sequence[int]) -> QuerySet[CourtReferral]:
    """已撤回: withdrawn by the court or by the parties, the latest first."""
    return (
        _referrals(courts).filter(status=ReferralStatus.WITHDRAWN).order_by("-returned_at", "-pk")
    )


QUEUE_TABS = [
    QueueTab("pending", _("待委派/委托"), pending_cases, "court/referral/_tab_pending.html"),
    QueueTab("sent", _("已委派/委托"), sent, "court/referral/_tab_referrals.html", with_periods),
    QueueTab(
        "mediating", _("调解中"), mediating, "court/referral/_tab_referrals.html", with_periods
    ),
    QueueTab(
        "to_file", _("已退回待立案"), to_file, "court/referral/_tab_to_file.html", with_periods
    ),
    QueueTab("withdrawn", _("已撤回"), withdrawn, "court/referral/_tab_withdrawn.html"),
]


def referral_for_case(case: Case) -> CourtReferral | None:
    """The referral of a case with its period, for the case page (whoever may open the case
    sees it: the court, the mediators, the platform)."""
    referral = (
        CourtReferral.objects.select_related("court", "org", "mediator")
        .filter(case_id=case.pk)
        .first()
    )
    if referral is not None:
        with_periods([referral])
    return referral


def referral_get_for_user(user: Any, referral_id: int) -> CourtReferral:
    return _referrals(court_ids(user)).get(pk=referral_id)


def roster_choices(court_id: int | None) -> QuerySet[RosterMember]:
    """The approved members a court may refer to: not a mediator suspended meanwhile
    (暂停调解工作, ``disputes.policy``; the referral service refuses one too)."""
    return (
        RosterMember.objects.filter(court_id=court_id, status=RosterStatus.APPROVED)
        .exclude(mediator__isnull=False, mediator_id__in=unassignable_mediator_ids())
        .select_related("org", "mediator")
        .order_by("org__name", "mediator__name", "pk")
    )


def roster_for_user(user: Any) -> QuerySet[RosterMember]:
    """The roster entries a user may see: their courts' entries, and those of the orgs and
    the person they apply for."""
    from django.db.models import Q

    from fengqiao.accounts.access import grant_org_ids

    return (
        RosterMember.objects.filter(
            Q(court_id__in=court_ids(user))
            | Q(org_id__in=list(grant_org_ids(user)))
            | Q(mediator__user_id=user.pk)
        )
        .select_related("court", "org", "mediator")
        .order_by("court_id", "status", "org__name", "pk")
    )
