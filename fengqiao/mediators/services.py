"""Every write of 选聘 and of complaints about mediators. Each takes keyword-only arguments with
the ``actor``, asks ``policy.refusal`` what the page asked, runs in one transaction with the
rows it changes locked, and writes its audit event there. 评星定级 is ``services_rating``,
以案定补 ``services_subsidy``.

The people are ``orgs``'s: an appointment finds the applicant's ``Person`` by the ID number's
keyed hash or creates one, adds the mediator ``Membership`` and, for a new mediator, the
``MediatorProfile``, through the orgs services. Those check ``orgs.manage_orgs`` — the org
admin's right — for a user actor; here the right to appoint is the 选聘 permission, checked by
this app's policy first, so they are called as the system and this app's audit event names the
staff member who appointed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.crypto import lookup_hash
from fengqiao.core.validators import validate_no_control_characters, validate_phone
from fengqiao.disputes.models import Case
from fengqiao.mediators import policy
from fengqiao.mediators.choices import (
    ApplicationStatus,
    ComplaintOutcome,
    ComplaintSource,
    RoundStatus,
)
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import (
    PLACES_MAX,
    RESUME_REASON_MAX,
    SCORE_MAX,
    YEAR_MAX,
    YEAR_MIN,
    Application,
    Complaint,
    RecruitmentRound,
)
from fengqiao.mediators.ranking import rank_applications
from fengqiao.mediators.workflow import complaint_next_status
from fengqiao.orgs import services as org_services
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES, PersonRole, Position
from fengqiao.orgs.models import MediatorProfile, Membership, Organization, Person

# 投诉处理期限: no seed sets one; 30 days from 受理 is this platform's default, and staff may set
# another limit (up to 90 days) on each complaint.
COMPLAINT_DAYS = 30
COMPLAINT_DAYS_MAX = 90
# 暂停调解工作: no seed sets its length; staff give the last day, from the next day up to a year
# after the conclusion (a longer bar is a 解聘). The form proposes 90 days.
SUSPENSION_MAX_DAYS = 365
SUSPENSION_DEFAULT_DAYS = 90


def authorize(actor: Any, action: str, obj: Any = None) -> None:
    """Refuse what ``policy.refusal`` refuses: PermissionDenied without the permission or
    scope, ``MediatorRuleError`` with the rule otherwise."""
    reason = policy.refusal(actor, action, obj)
    if reason == policy.NOT_PERMITTED:
        raise PermissionDenied
    if reason is not None:
        raise MediatorRuleError(reason)


def _score(value: Decimal | None, label: str) -> Decimal | None:
    if value is None:
        return None
    if not Decimal(0) <= value <= SCORE_MAX:
        raise MediatorRuleError(_("%(label)s应在0至100分之间。") % {"label": label})
    return value.quantize(Decimal("0.01"))


# --- 选聘 ----------------------------------------------------------------------------------------


def round_open(
    *,
    actor: Any,
    org: Organization,
    year: int,
    title: str,
    places: int,
    written_weight: int,
    interview_weight: int,
    pass_line: Decimal,
    term_years: int = 3,
    is_full_time: bool = False,
) -> RecruitmentRound:
    authorize(actor, policy.RECRUIT, org)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise MediatorRuleError(_("年度应在%(a)d至%(b)d之间。") % {"a": YEAR_MIN, "b": YEAR_MAX})
    if not 1 <= places <= PLACES_MAX:
        raise MediatorRuleError(_("拟聘人数应在1至%(n)d人之间。") % {"n": PLACES_MAX})
    if not (0 <= written_weight <= 100 and 0 <= interview_weight <= 100) or (
        written_weight + interview_weight != 100
    ):
        raise MediatorRuleError(_("笔试与面试权重之和应为100%。"))
    pass_line = _score(pass_line, _("合格分数线")) or Decimal(0)
    if not 1 <= term_years <= 10:
        raise MediatorRuleError(_("聘期应在1至10年之间。"))
    with transaction.atomic():
        found = RecruitmentRound.objects.create(
            org=org,
            year=year,
            title=title,
            places=places,
            written_weight=written_weight,
            interview_weight=interview_weight,
            pass_line=pass_line,
            term_years=term_years,
            is_full_time=is_full_time,
            opened_by=actor,
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_ROUND,
            obj=found,
            after={
                "org": org.pk,
                "year": year,
                "places": places,
                "weights": [written_weight, interview_weight],
                "pass_line": str(pass_line),
            },
        )
    return found


def round_close(*, actor: Any, round_id: int) -> RecruitmentRound:
    with transaction.atomic():
        locked = (
            RecruitmentRound.objects.select_for_update(of=("self",))
            .select_related("org__region")
            .get(pk=round_id)
        )
        authorize(actor, policy.RECRUIT, locked)
        locked.status = RoundStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor, event_type=EventType.MEDIATOR_ROUND, obj=locked, after={"closed": True}
        )
    return locked


def application_add(
    *,
    actor: Any,
    round_id: int,
    name: str,
    gender: str,
    id_number: str,
    phone: str = "",
    birth_year: int | None = None,
    background: str = "",
    experience: str = "",
) -> Application:
    """Record an applicant of an open round (once per ID number and round: a second click or a
    second clerk is refused by the unique constraint, not by a read first)."""
    if not id_number:
        raise MediatorRuleError(_("请填写报名人的身份证号。"))
    try:
        with transaction.atomic():
            locked = (
                RecruitmentRound.objects.select_for_update(of=("self",))
                .select_related("org__region")
                .get(pk=round_id)
            )
            authorize(actor, policy.RECRUIT, locked)
            application = Application.objects.create(
                round=locked,
                name=name,
                gender=gender,
                id_number=id_number,
                phone=phone,
                birth_year=birth_year,
                background=background or "other",
                experience=experience,
                created_by=actor,
            )
            # Personal data is never written into the audit log, only that it was recorded.
            audit_record(
                actor=actor,
                event_type=EventType.MEDIATOR_APPLICATION,
                obj=application,
                after={"round": locked.pk, "name": name, "has_phone": bool(phone)},
            )
    except IntegrityError as exc:
        raise MediatorRuleError(_("该身份证号已在本次选聘中报名。")) from exc
    return application


def _locked_application(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round__org__region")
        .get(pk=application_id)
    )


def application_score(
    *,
    actor: Any,
    application_id: int,
    written_score: Decimal | None,
    interview_score: Decimal | None,
) -> Application:
    """Enter or correct the two scores (0–100) of an applicant still waiting for a decision."""
    written = _score(written_score, _("笔试成绩"))
    interview = _score(interview_score, _("面试成绩"))
    with transaction.atomic():
        application = _locked_application(application_id)
        authorize(actor, policy.APPOINT, application)
        before = {
            "written": str(application.written_score),
            "interview": str(application.interview_score),
        }
        if (application.written_score, application.interview_score) == (written, interview):
            return application
        application.written_score = written
        application.interview_score = interview
        application.save(update_fields=["written_score", "interview_score"])
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_APPLICATION,
            obj=application,
            before=before,
            after={"written": str(written), "interview": str(interview)},
        )
    return application


def application_appoint(
    *,
    actor: Any,
    application_id: int,
    term_start: date,
    term_end: date | None = None,
    note: str = "",
) -> Application:
    """聘任: the applicant becomes (or already is) a person of the platform with a mediator post
    in the round's org for the term (聘期, the round's years by default). Best first
    (择优选任, seed 000 二(五)): an applicant is appointed only at or above the pass line, with a
    place left, and when every better-ranked applicant who passed has been decided on.

    The round row is locked first, so two staff appointing at once are serialised: the second
    sees the first's appointment when it counts the places left."""
    with transaction.atomic():
        round_id = Application.objects.values_list("round_id", flat=True).get(pk=application_id)
        found = (
            RecruitmentRound.objects.select_for_update(of=("self",))
            .select_related("org__region")
            .get(pk=round_id)
        )
        application = _locked_application(application_id)
        authorize(actor, policy.APPOINT, application)
        applications = list(found.applications.all())
        ranking = rank_applications(found, applications)
        mine = next(r for r in ranking if r.application.pk == application.pk)
        if mine.combined is None:
            raise MediatorRuleError(_("请先录入笔试和面试成绩。"))
        if not mine.passed:
            raise MediatorRuleError(_("综合成绩未达到合格分数线，不能聘任。"))
        appointed = sum(1 for a in applications if a.status == ApplicationStatus.APPOINTED)
        if appointed >= found.places:
            raise MediatorRuleError(_("拟聘名额已满。"))
        ahead = [
            r
            for r in ranking
            if r.passed
            and r.rank is not None
            and mine.rank is not None
            and r.rank < mine.rank
            and r.application.status == ApplicationStatus.APPLIED
        ]
        if ahead:
            raise MediatorRuleError(
                _("请按综合成绩从高到低依次决定：%(name)s排名在前，尚未决定。")
                % {"name": ahead[0].application.name}
            )
        term_end = term_end or _years_after(term_start, found.term_years)
        if term_end <= term_start:
            raise MediatorRuleError(_("聘期结束日期应晚于开始日期。"))
        person = _person_for(application, found.org)
        membership = Membership.objects.filter(
            person=person, org=found.org, role__in=CASE_MEDIATOR_ROLES, ended_on__isnull=True
        ).first()
        if membership is None:
            membership = org_services.membership_add(
                actor=None,
                person=person,
                org=found.org,
                role=PersonRole.MEDIATOR,
                position=Position.MEDIATOR,
                is_full_time=found.is_full_time,
                started_on=term_start,
            )
        if not MediatorProfile.objects.filter(person=person).exists():
            org_services.mediator_profile_set(actor=None, person=person, certified_on=term_start)
        application.status = ApplicationStatus.APPOINTED
        application.person = person
        application.term_start = term_start
        application.term_end = term_end
        application.decision_note = note
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save()
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_APPOINTED,
            obj=application,
            after={
                "person": person.pk,
                "org": found.org_id,
                "membership": membership.pk,
                "term": [term_start.isoformat(), term_end.isoformat()],
                "combined": str(mine.combined),
            },
        )
    return application


def _years_after(start: date, years: int) -> date:
    """The day before the same date ``years`` later (a 3-year term from 2026-01-01 ends
    2028-12-31; from 29 February, on 28 February)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(days=1)


def _person_for(application: Application, org: Organization) -> Person:
    """The person with the applicant's ID number, or a new one in the org's region."""
    person = Person.objects.filter(id_number_hash=lookup_hash(application.id_number)).first()
    if person is not None:
        return person
    return org_services.person_create(
        actor=None,
        name=application.name,
        gender=application.gender,
        region=org.region,
        id_number=application.id_number,
        phone=application.phone,
        birth_year=application.birth_year,
        background=application.background,
    )


def application_decline(*, actor: Any, application_id: int, note: str) -> Application:
    """不予聘任, with the reason (the applicant withdrew, failed the check of their record…)."""
    if not note.strip():
        raise MediatorRuleError(_("请填写不予聘任的理由。"))
    with transaction.atomic():
        application = _locked_application(application_id)
        authorize(actor, policy.APPOINT, application)
        application.status = ApplicationStatus.DECLINED
        application.decision_note = note
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_DECLINED,
            obj=application,
            after={"note": note},
        )
    return application


# --- 投诉 ----------------------------------------------------------------------------------------


def complaint_record(
    *,
    actor: Any,
    membership: Membership,
    source: str,
    complainant_name: str,
    summary: str,
    received_on: date,
    complainant_phone: str = "",
    complainant_org: Organization | None = None,
    case: Any = None,
    days: int = COMPLAINT_DAYS,
) -> Complaint:
    """受理 a complaint about the mediator of ``membership`` (their post gives the org whose
    staff handle it). The limit is ``days`` after receipt."""
    if membership.role not in CASE_MEDIATOR_ROLES or membership.ended_on is not None:
        raise MediatorRuleError(_("请选择在任的调解员。"))
    authorize(actor, policy.COMPLAIN, membership.org)
    if source not in ComplaintSource.values:
        raise MediatorRuleError(_("请选择投诉来源。"))
    if source == ComplaintSource.ORG and complainant_org is not None:
        complainant_name = complainant_name or complainant_org.name
    if not complainant_name.strip() or not summary.strip():
        raise MediatorRuleError(_("请填写投诉人和投诉事项。"))
    if not 1 <= days <= COMPLAINT_DAYS_MAX:
        raise MediatorRuleError(_("处理期限应在1至%(n)d天之间。") % {"n": COMPLAINT_DAYS_MAX})
    if received_on > timezone.localdate():
        raise MediatorRuleError(_("受理日期不能晚于今天。"))
    with transaction.atomic():
        complaint = Complaint.objects.create(
            mediator=membership.person,
            org=membership.org,
            source=source,
            complainant_name=complainant_name,
            complainant_phone=complainant_phone,
            related_case=case,
            summary=summary,
            received_on=received_on,
            due_on=received_on + timedelta(days=days),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_COMPLAINT,
            obj=complaint,
            after={
                "status": complaint.status,
                "mediator": membership.person_id,
                "org": membership.org_id,
                "source": source,
                "case": getattr(case, "pk", None),
            },
        )
    return complaint


# What a party writes on the portal: what happened, at least a few words and at most this many.
PARTY_SUMMARY_MIN = 5
PARTY_SUMMARY_MAX = 1000


class PartyComplaintRefused(Exception):
    """A party's complaint was not taken; the message is for the party, as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def complaint_from_party(*, party: Any, summary: str, phone: str = "") -> Complaint:
    """受理 a complaint a party filed on the portal about the mediator of record of their case
    (``policy.handling_post``): source 当事人, the case as its related case, received today with
    the default limit. No staff member recorded it: the audit event has no actor and names the
    portal party (their party id and role on the case). The handling org's staff then see it in
    their complaints list and handle it like any other."""
    summary = summary.strip()
    phone = phone.strip()
    if len(summary) < PARTY_SUMMARY_MIN:
        raise PartyComplaintRefused(
            _("请写明投诉的事情经过（至少%(n)d个字）。") % {"n": PARTY_SUMMARY_MIN}
        )
    if len(summary) > PARTY_SUMMARY_MAX:
        raise PartyComplaintRefused(_("投诉内容不能超过%(n)d字。") % {"n": PARTY_SUMMARY_MAX})
    try:
        validate_no_control_characters(summary, multiline=True)
        if phone:
            validate_phone(phone)
    except ValidationError as exc:
        raise PartyComplaintRefused(exc.messages[0]) from exc
    today = timezone.localdate()
    try:
        with transaction.atomic():
            # The case row is the lock: its mediator of record cannot change underneath.
            case = Case.objects.select_for_update(of=("self",)).get(pk=party.case_id)
            party.case = case
            reason = policy.party_complaint_refusal(party)
            if reason is not None:
                raise PartyComplaintRefused(reason)
            post = policy.handling_post(case)
            if post is None:  # refused above; keeps the types honest
                raise PartyComplaintRefused(_("本案目前没有承办调解员，暂不能投诉调解员。"))
            complaint = Complaint.objects.create(
                mediator=post.person,
                org=post.org,
                source=ComplaintSource.PARTY,
                complainant_name=party.name,
                complainant_phone=phone,
                related_case=case,
                party=party,
                summary=summary,
                received_on=today,
                due_on=today + timedelta(days=COMPLAINT_DAYS),
                recorded_by=None,
            )
            audit_record(
                actor=None,
                event_type=EventType.MEDIATOR_COMPLAINT,
                obj=complaint,
                after={
                    "status": complaint.status,
                    "mediator": post.person_id,
                    "org": post.org_id,
                    "source": ComplaintSource.PARTY,
                    "case": case.pk,
                    "recorded_by": "portal_party",
                    "party": party.pk,
                    "party_role": party.role,
                    "has_phone": bool(phone),
                },
            )
    except IntegrityError as exc:
        # A twin request of the same party got there first (one open complaint per party).
        raise PartyComplaintRefused(_("您的投诉正在处理中，处理完毕后才能再次投诉。")) from exc
    return complaint


def complaint_investigate(*, actor: Any, complaint_id: int, note: str = "") -> Complaint:
    """受理 → 调查: the investigation starts (a first note may be recorded)."""
    with transaction.atomic():
        complaint = _locked_complaint(complaint_id)
        authorize(actor, policy.HANDLE, complaint)
        before = complaint.status
        complaint.status = complaint_next_status(before, "investigate")
        complaint.investigation = note or complaint.investigation
        complaint.handled_by = actor
        complaint.save(update_fields=["status", "investigation", "handled_by"])
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_COMPLAINT,
            obj=complaint,
            before={"status": before},
            after={"status": complaint.status},
        )
    return complaint


def complaint_conclude(
    *,
    actor: Any,
    complaint_id: int,
    outcome: str,
    investigation: str,
    outcome_note: str,
    suspended_until: date | None = None,
) -> Complaint:
    """调查 → 处理: the finding and the outcome. 解聘 ends the mediator's mediator posts in the
    complaint's org (through ``orgs``); 暂停调解工作 bars the mediator from being given cases
    until ``suspended_until`` (``suspension.py``); the other outcomes are recorded and, but for
    不成立, count against the mediator's rating."""
    if outcome not in ComplaintOutcome.values:
        raise MediatorRuleError(_("请选择处理结果。"))
    if not investigation.strip() or not outcome_note.strip():
        raise MediatorRuleError(_("请填写调查情况和处理意见。"))
    today = timezone.localdate()
    if outcome == ComplaintOutcome.SUSPENSION:
        latest = today + timedelta(days=SUSPENSION_MAX_DAYS)
        if suspended_until is None or not today < suspended_until <= latest:
            raise MediatorRuleError(
                _("暂停调解工作须写明截止日期：%(first)s至%(last)s之间。")
                % {
                    "first": f"{today + timedelta(days=1):%Y-%m-%d}",
                    "last": f"{latest:%Y-%m-%d}",
                }
            )
    else:
        suspended_until = None
    with transaction.atomic():
        complaint = _locked_complaint(complaint_id)
        authorize(actor, policy.HANDLE, complaint)
        before = complaint.status
        complaint.status = complaint_next_status(before, "conclude")
        complaint.outcome = outcome
        complaint.investigation = investigation
        complaint.outcome_note = outcome_note
        complaint.concluded_on = today
        complaint.suspended_until = suspended_until
        complaint.handled_by = actor
        complaint.save()
        ended = []
        if outcome == ComplaintOutcome.DISMISSAL:
            posts = Membership.objects.filter(
                person_id=complaint.mediator_id,
                org_id=complaint.org_id,
                role__in=CASE_MEDIATOR_ROLES,
                ended_on__isnull=True,
            ).select_related("org__region", "person")
            for post in posts:
                org_services.membership_end(actor=None, membership=post)
                ended.append(post.pk)
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_COMPLAINT,
            obj=complaint,
            before={"status": before},
            after={
                "status": complaint.status,
                "outcome": outcome,
                "posts_ended": ended,
                "suspended_until": suspended_until.isoformat() if suspended_until else None,
            },
        )
    return complaint


def complaint_resume(*, actor: Any, complaint_id: int, reason: str) -> Complaint:
    """恢复调解: end a 暂停调解工作 before its last day, with the reason (the mediator finished
    the training the suspension asked for, the finding was reconsidered…). From today the
    mediator may be given cases again (``suspension.py`` reads ``resumed_on``); the complaint's
    outcome and the suspension's first and last day stay as concluded, for the record."""
    reason = reason.strip()
    if not reason:
        raise MediatorRuleError(_("请填写恢复调解的理由。"))
    if len(reason) > RESUME_REASON_MAX:
        raise MediatorRuleError(_("恢复调解的理由不能超过%(n)d字。") % {"n": RESUME_REASON_MAX})
    try:
        validate_no_control_characters(reason, multiline=True)
    except ValidationError as exc:
        raise MediatorRuleError(exc.messages[0]) from exc
    with transaction.atomic():
        complaint = _locked_complaint(complaint_id)
        authorize(actor, policy.RESUME, complaint)
        today = timezone.localdate()
        complaint.resumed_on = today
        complaint.resume_reason = reason
        complaint.resumed_by = actor
        complaint.save(update_fields=["resumed_on", "resume_reason", "resumed_by"])
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATOR_COMPLAINT,
            obj=complaint,
            before={"suspended_until": f"{complaint.suspended_until:%Y-%m-%d}"},
            after={"resumed_on": today.isoformat(), "reason": reason},
        )
    return complaint


def _locked_complaint(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("org__region")
        .get(pk=complaint_id)
    )
