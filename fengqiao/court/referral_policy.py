"""Who may do what in 诉调对接 (referral and roster): one function, ``referral_may``, that the
pages ask (what they offer) and the services ask (what they accept).

A *court user* is someone holding a case grant (登记/查看) at a court or tribunal (a clerk, a
judge); they act for that court. The court's visibility of cases stays the disputes rule
(``Case.scope_member_q``: what it sent and what its rooms and paired villages handle).

- ``SEND`` (委派/委托): a court user of the court that registered the case (its 来源单位), while
  the case is registered and not yet referred;
- ``FILE`` (登记立案 of a returned case) and ``VIEW``: a court user of the referral's court;
- ``NUMBER`` (补录案号): a court user of the referral's court, for an open 委托 that has no 案号
  yet (one the platform dispatched the ordinary way);
- ``WITHDRAW`` (撤回): a court user of the referral's court, while the referral is open (已委派
  or 调解中);
- ``QUEUES``: any court user (they see their own courts' referrals only);
- ``ROSTER_DECIDE`` (approve, refuse, review, remove): a court user of the roster's court;
- ``ROSTER_APPLY``: the org's administrator (机构管理员 over its region) or, for a mediator's
  own entry, the mediator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fengqiao.accounts.access import grant_org_ids, holds_at, restrict
from fengqiao.court.models.referral import OPEN_REFERRAL, ReferralKind
from fengqiao.disputes.choices import CaseStatus, IntakeChannel
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization

SEND = "send"
FILE = "file"
VIEW = "view"
NUMBER = "number"
WITHDRAW = "withdraw"
QUEUES = "queues"
ROSTER_DECIDE = "roster_decide"
ROSTER_APPLY = "roster_apply"

MANAGE_ORGS = "orgs.manage_orgs"
COURT_CHANNELS = (IntakeChannel.COURT_PRE, IntakeChannel.COURT_POST)


def court_ids(actor: Any) -> list[int]:
    """The courts and tribunals ``actor`` acts for (a grant with case rights there). One query,
    none without a grant."""
    orgs = [pk for pk in grant_org_ids(actor) if holds_at(actor, VIEW_CASE, [pk])]
    if not orgs:
        return []
    return list(
        Organization.objects.filter(
            pk__in=orgs, kind__family=OrgFamily.COURT, is_active=True
        ).values_list("pk", flat=True)
    )


def is_court_user(actor: Any) -> bool:
    return bool(court_ids(actor))


def referral_may(
    actor: Any, action: str, obj: Any = None, *, courts: Sequence[int] | None = None
) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj`` (a case for SEND, a referral for FILE,
    VIEW, NUMBER and WITHDRAW, a roster entry — or a court — for ROSTER_DECIDE, an org or a
    roster entry for ROSTER_APPLY; nothing for QUEUES). ``courts``: ``court_ids(actor)`` when
    the caller has it already (a queue asks once per row: no query per row)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if action in (FILE, VIEW, NUMBER, WITHDRAW):
        # The referral's own state first: the courts are read only when it could be allowed.
        allowed = {
            FILE: obj.to_file,
            NUMBER: needs_number(obj),
            WITHDRAW: obj.status in OPEN_REFERRAL,
            VIEW: True,
        }[action]
        return allowed and obj.court_id in (court_ids(actor) if courts is None else courts)
    if action == QUEUES:
        return is_court_user(actor)
    if action == SEND:
        case = obj
        return (
            case.channel in COURT_CHANNELS
            and case.status == CaseStatus.REGISTERED
            and case.source_org_id is not None
            and holds_at(actor, REGISTER_CASE, [case.source_org_id])
            and case.source_org_id in court_ids(actor)
            and not _has_referral(case)
        )
    if action == ROSTER_DECIDE:
        court_id = obj.pk if isinstance(obj, Organization) else obj.court_id
        return court_id in court_ids(actor)
    if action == ROSTER_APPLY:
        org = obj if isinstance(obj, Organization) else obj.org
        mediator = None if isinstance(obj, Organization) else obj.mediator
        if mediator is not None and mediator.user_id == actor.pk:
            return True
        return restrict(Organization.objects.filter(pk=org.pk), actor, MANAGE_ORGS).exists()
    return False


def needs_number(referral: Any) -> bool:
    """缺少案号: an open 委托 without the court's 案号 (the platform dispatched it the ordinary
    way, so nobody at the court typed one)."""
    return (
        referral.kind == ReferralKind.POST
        and not referral.court_case_number
        and referral.status in OPEN_REFERRAL
    )


def _has_referral(case: Any) -> bool:
    from fengqiao.court.models import CourtReferral

    return CourtReferral.objects.filter(case_id=case.pk).exists()
