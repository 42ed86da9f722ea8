"""Who may do what in 调解员管理: one function, ``refusal`` (and ``mediators_may`` over it),
that the pages ask (which actions they offer) and the services ask (what they accept).

Each action needs its permission (``permissions``), granted to the built-in roles in
``accounts.roles`` — 司法所/司法局 staff (``justice_officer``) hold them all; an org admin
(``org_admin``) runs 选聘 and reads the mediators' work; a leader reads it — and, on an
object, the permission's data scope over the object's org (its region under the grant's
region, or the org itself). The object's state then decides: an appointment only from a
pending application of an open round, a complaint's next step only until it is concluded, a
rating's approval once, a statement's computation, corrections and approval only while it is a
draft, its export only once approved; 恢复调解 only of a suspension in force. One rule is the
person's, not the object's: whoever compiled a statement (computed it or entered one of its
lines) may not approve it (separation of duties).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import Scope, scope_for
from fengqiao.mediators.choices import (
    ApplicationStatus,
    ComplaintOutcome,
    ComplaintStatus,
    RatingStatus,
    RoundStatus,
    StatementStatus,
)
from fengqiao.mediators.models import (
    Application,
    Complaint,
    MediatorRating,
    RecruitmentRound,
    SubsidyStatement,
)
from fengqiao.mediators.permissions import (
    HANDLE_COMPLAINT,
    MANAGE_RECRUITMENT,
    MANAGE_SUBSIDY,
    RATE_MEDIATORS,
    VIEW_MEDIATOR_WORK,
)
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership, Organization

RECRUIT = "recruit"  # open a round (obj: its org), record applications and scores, close it
APPOINT = "appoint"  # appoint or decline an applicant (obj: the application)
COMPLAIN = "complain"  # record a complaint (obj: the mediator's org)
HANDLE = "handle"  # take a complaint's next step (obj: the complaint)
RESUME = "resume"  # end a complaint's 暂停调解工作 before its last day (obj: the complaint)
RATE = "rate"  # set a year's criteria, compute the proposals (obj: none or an org)
APPROVE_RATING = "approve_rating"  # approve or adjust one proposal (obj: the rating)
SUBSIDY = "subsidy"  # the rules; compute an org's month (obj: none or the org)
PREPARE = "prepare"  # recompute or correct a statement (obj: the statement)
APPROVE_STATEMENT = "approve_statement"
EXPORT = "export"
VIEW_WORK = "view_work"  # read the mediators' work (obj: none or an org)

PERMISSION = {
    RECRUIT: MANAGE_RECRUITMENT,
    APPOINT: MANAGE_RECRUITMENT,
    COMPLAIN: HANDLE_COMPLAINT,
    HANDLE: HANDLE_COMPLAINT,
    RESUME: HANDLE_COMPLAINT,
    RATE: RATE_MEDIATORS,
    APPROVE_RATING: RATE_MEDIATORS,
    SUBSIDY: MANAGE_SUBSIDY,
    PREPARE: MANAGE_SUBSIDY,
    APPROVE_STATEMENT: MANAGE_SUBSIDY,
    EXPORT: MANAGE_SUBSIDY,
    VIEW_WORK: VIEW_MEDIATOR_WORK,
}

# ``refusal``'s answer when the permission or its scope is missing (a page shows nothing, a
# service raises PermissionDenied); any other answer is a rule the user is told.
NOT_PERMITTED = "not permitted"


def _org_of(obj: Any) -> Organization | None:
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj
    if isinstance(obj, Application):
        return obj.round.org
    return obj.org  # a round, a complaint, a rating, a statement


def covers(scope: Scope, org: Organization) -> bool:
    """Whether ``scope`` reaches ``org`` (the same rule as ``accounts.access.scope_q`` on the
    rows' ``scope_lookups``, for one object already read)."""
    if scope.everything or org.pk in scope.org_ids:
        return True
    return any(org.region.path.startswith(path) for path in scope.region_paths)


def _resume_refusal(complaint: Complaint) -> str | None:
    """恢复调解 ends a suspension in force: concluded with 暂停调解工作, not ended already, its
    last day not passed."""
    if complaint.outcome != ComplaintOutcome.SUSPENSION or complaint.suspended_until is None:
        return _("该投诉的处理结果不是暂停调解工作。")
    if complaint.resumed_on is not None:
        return _("已于%(day)s恢复调解。") % {"day": f"{complaint.resumed_on:%Y-%m-%d}"}
    if complaint.suspended_until < timezone.localdate():
        return _("暂停期已于%(day)s届满，无需恢复。") % {
            "day": f"{complaint.suspended_until:%Y-%m-%d}"
        }
    return None


def _compiled_by(statement: SubsidyStatement, user: Any) -> bool:
    """Whether ``user`` compiled ``statement``: computed it last, or wrote one of its lines (a
    computation's case lines, a correction)."""
    if statement.computed_by_id == user.pk:
        return True
    return statement.lines.filter(created_by=user).exists()


def _state_refusal(user: Any, action: str, obj: Any) -> str | None:
    if isinstance(obj, RecruitmentRound) and action == RECRUIT and obj.status != RoundStatus.OPEN:
        return _("该选聘已结束。")
    if isinstance(obj, Application):
        if obj.round.status != RoundStatus.OPEN:
            return _("该选聘已结束。")
        if obj.status != ApplicationStatus.APPLIED:
            return _("该报名人已有聘任决定。")
    if isinstance(obj, Complaint) and action == RESUME:
        return _resume_refusal(obj)
    if isinstance(obj, Complaint) and obj.status == ComplaintStatus.CONCLUDED:
        return _("该投诉已处理完毕。")
    if isinstance(obj, MediatorRating) and obj.status != RatingStatus.PROPOSED:
        return _("该评定已审定。")
    if isinstance(obj, SubsidyStatement):
        if action == EXPORT and obj.status != StatementStatus.APPROVED:
            return _("结算单审批后才能导出。")
        if action != EXPORT and obj.status != StatementStatus.DRAFT:
            return _("结算单已审批，不再变更；更正请在以后月份的结算单中登记调整。")
        # Separation of duties: who compiled a statement does not approve it.
        if action == APPROVE_STATEMENT and _compiled_by(obj, user):
            return _("结算单须由编制人以外的人员审批。")
    return None


def refusal(user: Any, action: str, obj: Any = None) -> str | None:
    """None when ``user`` may take ``action`` on ``obj``; otherwise ``NOT_PERMITTED`` or the
    rule that refuses it, in Chinese."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOT_PERMITTED
    scope = scope_for(user, PERMISSION[action])
    if scope.is_empty:
        return NOT_PERMITTED
    org = _org_of(obj)
    if org is not None and not covers(scope, org):
        return NOT_PERMITTED
    return _state_refusal(user, action, obj)


# --- A party's complaint from the portal ---------------------------------------------------------


def handling_post(case: Any) -> Membership | None:
    """The serving mediator post, in the case's handling org, of the case's mediator of record
    (承办调解员, ``Case.handler``) — whom a party's complaint is about; None without one."""
    if case.handler_id is None or case.handling_org_id is None:
        return None
    return (
        Membership.objects.filter(
            person__user_id=case.handler_id,
            org_id=case.handling_org_id,
            role__in=CASE_MEDIATOR_ROLES,
            ended_on__isnull=True,
        )
        .select_related("person", "org__region")
        .order_by("pk")
        .first()
    )


def party_complaint_refusal(party: Any) -> str | None:
    """None when ``party`` (who has opened their case on the portal) may complain about the
    case's mediator now; otherwise why not, in a party's words. The portal's form and
    ``services.complaint_from_party`` ask it alike."""
    if handling_post(party.case) is None:
        return _(
            "本案目前没有承办调解员，暂不能投诉调解员。对办理有意见的，可以联系受理平台或调解组织。"
        )
    open_one = (
        Complaint.objects.filter(party=party)
        .exclude(status=ComplaintStatus.CONCLUDED)
        .order_by("-pk")
        .first()
    )
    if open_one is not None:
        return _("您的投诉正在处理中（处理期限%(day)s），处理完毕后才能再次投诉。") % {
            "day": f"{open_one.due_on:%Y-%m-%d}"
        }
    return None


def mediators_may(user: Any, action: str, obj: Any = None) -> bool:
    return refusal(user, action, obj) is None
