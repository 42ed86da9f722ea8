"""Who may do what with a judicial confirmation (司法确认) — one function, ``confirmation_may``,
that the pages (what they offer), the API and the services (what they accept) all ask; and which
court an application belongs to (``competent_court``).

- 申请 (file): someone acting for the org handling a case (``disputes.policy`` HANDLER side)
  that ended in a written agreement (调解成功 or 已归档), with no application standing;
- 受理 / 不予受理 / 延长审查期限: the judge or clerk of the court it was filed with
  (``court.review_confirmation`` granted at that court);
- 确认筛查提示 / 裁定: the judge of that court (``court.rule_confirmation``); ruling needs every
  false-mediation flag acknowledged first;
- 送达: the handling org's mediator (served on the spot) or the court's judge or clerk, once
  ruled.
"""

from __future__ import annotations

from typing import Any

from fengqiao.court.models.confirmation import (
    RULED_STATUSES,
    Confirmation,
    ConfirmationStatus,
)
from fengqiao.court.permissions import REVIEW_CONFIRMATION, RULE_CONFIRMATION
from fengqiao.disputes.choices import CaseStatus, IntakeChannel
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import HANDLER, holds, on_side
from fengqiao.orgs.choices import COURT_ROOM_KIND, OrgFamily
from fengqiao.orgs.models import Organization

FILE = "file"
ACCEPT = "accept"
REFUSE = "refuse"
EXTEND = "extend"
ACKNOWLEDGE = "acknowledge"
RULE = "rule"
SERVE = "serve"
REVIEW = "review"  # open the application in the court's queue

# The case states from which an application can be filed: mediation succeeded (and may since
# have been filed away).
FILABLE_STATES = (CaseStatus.RESOLVED, CaseStatus.ARCHIVED)
# 委派/委托: the referring court takes the application (DESIGN §2).
COURT_CHANNELS = (IntakeChannel.COURT_PRE, IntakeChannel.COURT_POST)
BASIC_COURT_KIND = "court"  # 基层人民法院 (orgs migration 0002); a 人民法庭 is kind "tribunal"


def case_may_file(actor: Any, case: Case) -> bool:
    """申请司法确认 on ``case``: its handling side, a written agreement, nothing standing. The
    time limit, excluded matters and the court are checked by the service with the reason."""
    if case.status not in FILABLE_STATES or not on_side(actor, case, HANDLER):
        return False
    from fengqiao.court.selectors.confirmation import filable_agreement, live_confirmation

    return filable_agreement(case) is not None and live_confirmation(case) is None


def confirmation_may(actor: Any, confirmation: Confirmation, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``confirmation`` now."""
    status = confirmation.status
    court = [confirmation.court_id]
    if action == REVIEW:
        return holds(actor, REVIEW_CONFIRMATION, court) or holds(actor, RULE_CONFIRMATION, court)
    if action in (ACCEPT, REFUSE):
        return status == ConfirmationStatus.PENDING and holds(actor, REVIEW_CONFIRMATION, court)
    if action == EXTEND:
        return (
            status == ConfirmationStatus.ACCEPTED
            and confirmation.extended_at is None
            and holds(actor, REVIEW_CONFIRMATION, court)
        )
    if action == ACKNOWLEDGE:
        return status == ConfirmationStatus.ACCEPTED and holds(actor, RULE_CONFIRMATION, court)
    if action == RULE:
        return (
            status == ConfirmationStatus.ACCEPTED
            and holds(actor, RULE_CONFIRMATION, court)
            and not confirmation.flags.filter(acknowledged_at__isnull=True).exists()
        )
    if action == SERVE:
        if status not in RULED_STATUSES:
            return False
        return holds(actor, REVIEW_CONFIRMATION, court) or on_side(
            actor, confirmation.case, HANDLER
        )
    return False


def competent_court(case: Case) -> Organization | None:
    """The court an application on ``case`` goes to (人民调解法 art. 33; DESIGN §2):

    1. for a court's 委派/委托 case, the court (or 人民法庭) that referred it;
    2. else the basic court where the mediating committee is, represented by its 人民法庭 that
       serves the committee (法庭与村结对, or the tribunal a 驻庭调解室 sits in);
    3. else the basic court (人民法院) of the lowest region above the committee that has one.
    """
    if case.channel in COURT_CHANNELS and case.source_org_id is not None:
        source = Organization.objects.select_related("kind").get(pk=case.source_org_id)
        if source.kind.family == OrgFamily.COURT:
            return source
    org = case.handling_org
    if org is None:
        return None
    courts = Organization.objects.filter(kind__family=OrgFamily.COURT, is_active=True)
    paired = courts.filter(paired_orgs=org).order_by("pk").first()
    if paired is not None:
        return paired
    if org.kind.code == COURT_ROOM_KIND:
        hosting = courts.filter(region_id=org.region_id).order_by("-kind__sort_order", "pk").first()
        if hosting is not None:
            return hosting
    region = org.region
    paths = [*region.ancestor_paths(), region.path]
    basic = list(courts.filter(kind__code=BASIC_COURT_KIND, region__path__in=paths))
    return max(basic, key=lambda c: (len(c.region.path), -c.pk), default=None)


def same_basic_court(chosen: Organization, competent: Organization) -> bool:
    """A 人民法庭 is part of its basic court: filing with either is filing with that court."""
    if chosen.pk == competent.pk:
        return True
    return chosen.pk == competent.parent_id or competent.pk == chosen.parent_id
