"""The demo county's 调解员管理, written through the services as the demo ``justice`` account
(township A's 司法所): a 选聘 round of township A's mediation committee with four fictional
applicants and their scores, the best of them appointed; the year's 评星定级 criteria and the
proposals computed from the mediators' figures; the
county's 以案定补 rules; last month's subsidy statement of the demo ``mediator``'s village
committee, compiled by the 司法所's head (an account without a password) and approved by
``justice``; and one complaint about that mediator, handled to its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.accounts.services import role_grant
from fengqiao.demo.data import ID_PREFIX, id_check_digit
from fengqiao.disputes.choices import RiskGrade
from fengqiao.mediators import services, services_rating, services_subsidy
from fengqiao.mediators.choices import CaseOutcome, ComplaintOutcome, ComplaintSource
from fengqiao.mediators.models import RecruitmentRound
from fengqiao.orgs.choices import (
    CASE_MEDIATOR_ROLES,
    MediatorGrade,
    OrgFamily,
    PersonRole,
    Position,
)
from fengqiao.orgs.models import Membership, Organization
from fengqiao.orgs.services import person_link_user

# Fictional applicants: (name, gender, birthday, 顺序码, background, written, interview). Their
# ID numbers are the fictional county's (``ID_PREFIX``) with a 顺序码 the demo people never use.
APPLICANTS = [
    ("柳青禾", "F", "19900307", "998", "legal_worker", "88.5", "91"),
    ("石望川", "M", "19851123", "997", "retired_officer", "79", "84.5"),
    ("程小满", "F", "19920615", "996", "teacher", "72", "66"),
    ("温知远", "M", "19880715", "995", "professional", None, None),
]
# 以案定补 (seed 000 四(二), seed 004 item 30): amounts a county might set; the seeds set none.
RULES = [
    ("调解成功（一般纠纷）", CaseOutcome.RESOLVED, "", "", None, "100", "50", 0),
    ("调解成功（高风险）", CaseOutcome.RESOLVED, "", RiskGrade.HIGH, None, "300", "100", 10),
    ("调解成功（重大风险）", CaseOutcome.RESOLVED, "", RiskGrade.MAJOR, None, "500", "100", 10),
    ("调解成功（标的额10万元以上）", CaseOutcome.RESOLVED, "", "", "100000", "200", "100", 5),
    ("调解不成（已开展调解）", CaseOutcome.FAILED, "", "", None, "30", "0", 0),
]
# 评星定级 thresholds of the demo year (the seeds set none; each county sets its own).
CRITERIA = [
    (1, MediatorGrade.JUNIOR, 1, "0", "0", "0", 0, 1),
    (2, MediatorGrade.JUNIOR, 3, "60", "0", "0", 1, 1),
    (3, MediatorGrade.INTERMEDIATE, 8, "70", "60", "70", 1, 0),
    (4, MediatorGrade.SENIOR, 15, "80", "70", "80", 2, 0),
    (5, MediatorGrade.CHIEF, 30, "90", "80", "90", 3, 0),
]


@dataclass(frozen=True)
class MediatorsSeeded:
    applicants: int
    rules: int
    statement_lines: int
    complaints: int


def _org_of(username: str) -> Organization | None:
    grant = RoleGrant.objects.filter(user__username=username, org__isnull=False).first()
    return grant.org if grant else None


# The 司法所 head's account, which compiles the demo's subsidy statement: like a roster
# mediator's (``accounts.write_roster_accounts``) it has no password anyone knows, so the demo's
# logins stay those of DEMO_ACCOUNTS.
OFFICE_HEAD_USERNAME = "sfs0001"


def _office_head_account(office: Organization) -> User | None:
    """An account, with the 司法所干部 role at ``office``, for the office's head (its head post
    on the roster) — None without such a person or the demo's security admin."""
    found = User.objects.filter(username=OFFICE_HEAD_USERNAME).first()
    if found is not None:
        return found
    head = (
        Membership.objects.filter(
            org=office,
            role=PersonRole.JUSTICE_OFFICER,
            position=Position.HEAD,
            ended_on__isnull=True,
            person__user__isnull=True,
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    granter = User.objects.filter(username="secadmin").first()
    role = Role.objects.filter(code=BuiltinRole.JUSTICE_OFFICER).first()
    if head is None or granter is None or role is None:
        return None
    account = User(
        username=OFFICE_HEAD_USERNAME, real_name=head.person.name, must_change_password=False
    )
    account.set_unusable_password()
    account.save()
    role_grant(actor=granter, user=account, role=role, org=office)
    person_link_user(actor=None, person=head.person, user=account)
    return account


def demo_mediators_seed(*, today: date | None = None) -> MediatorsSeeded:
    today = today or timezone.localdate()
    justice = User.objects.filter(username="justice").first()
    office, village = _org_of("justice"), _org_of("mediator")
    if justice is None or office is None or village is None:
        return MediatorsSeeded(0, 0, 0, 0)
    if RecruitmentRound.objects.exists():
        return MediatorsSeeded(0, 0, 0, 0)
    committee = (
        Organization.objects.filter(
            region=office.region, kind__family=OrgFamily.COMMITTEE, is_active=True
        )
        .order_by("pk")
        .first()
    ) or village

    # 选聘: written 40% + interview 60%, pass line 75; the best applicant appointed.
    found = services.round_open(
        actor=justice,
        org=committee,
        year=today.year,
        title=f"{today.year}年{committee.name}专职人民调解员选聘",
        places=2,
        written_weight=40,
        interview_weight=60,
        pass_line=Decimal(75),
        term_years=3,
        is_full_time=True,
    )
    applications = []
    for name, gender, born, order, background, written, interview in APPLICANTS:
        body = f"{ID_PREFIX}{born}{order}"
        application = services.application_add(
            actor=justice,
            round_id=found.pk,
            name=name,
            gender=gender,
            id_number=body + id_check_digit(body),
            phone="",
            background=background,
            experience="从事基层调解和法律服务工作多年。",
        )
        if written is not None and interview is not None:
            services.application_score(
                actor=justice,
                application_id=application.pk,
                written_score=Decimal(written),
                interview_score=Decimal(interview),
            )
        applications.append(application)
    services.application_appoint(
        actor=justice,
        application_id=applications[0].pk,
        term_start=today.replace(day=1),
        note="综合成绩第一名，经公示无异议",
    )

    # 评星定级 criteria of the year (proposals are computed on the page from the figures).
    services_rating.criteria_set(
        actor=justice,
        year=today.year,
        rows=[
            services_rating.CriterionInput(
                stars=stars,
                grade=grade,
                min_cases=cases,
                min_success_rate=Decimal(success),
                min_performance_rate=Decimal(performance),
                min_satisfaction_rate=Decimal(satisfaction),
                min_trainings=trainings,
                max_upheld_complaints=upheld,
            )
            for stars, grade, cases, success, performance, satisfaction, trainings, upheld in (
                CRITERIA
            )
        ],
    )

    # 以案定补: the rules from the start of last year, then last month's statement, approved.
    start = date(today.year - 1, 1, 1)
    for name, outcome, category, grade, minimum, amount, bonus, priority in RULES:
        services_subsidy.subsidy_rule_add(
            actor=justice,
            name=name,
            outcome=outcome,
            category=category,
            grade=grade,
            min_amount=Decimal(minimum) if minimum else None,
            amount=Decimal(amount),
            performance_bonus=Decimal(bonus),
            priority=priority,
            effective_from=start,
        )
    # Compiled by the office's head and approved by ``justice``: who compiles a statement may
    # not approve it (separation of duties), so ``justice`` may approve what the head compiles.
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    compiler = _office_head_account(office) or justice
    statement = services_subsidy.statement_compute(actor=compiler, org=village, month=last_month)
    services_subsidy.statement_approve(actor=justice, statement_id=statement.pk)

    # One complaint about the demo mediator from a party, investigated and concluded.
    complaints = 0
    post = (
        Membership.objects.filter(
            person__user__username="mediator",
            org=village,
            role__in=CASE_MEDIATOR_ROLES,
            ended_on__isnull=True,
        )
        .select_related("person", "org__region")
        .first()
    )
    if post is not None:
        complaint = services.complaint_record(
            actor=justice,
            membership=post,
            source=ComplaintSource.PARTY,
            complainant_name="赵小河",
            summary="调解时未按约定时间到场，当事人等候两小时。",
            received_on=today - timedelta(days=12),
        )
        services.complaint_investigate(
            actor=justice, complaint_id=complaint.pk, note="听取双方陈述，调取调解室登记簿。"
        )
        services.complaint_conclude(
            actor=justice,
            complaint_id=complaint.pk,
            outcome=ComplaintOutcome.CRITICISM,
            investigation="调解员因另一起纠纷现场调处迟到，未提前告知当事人，情况属实。",
            outcome_note="对调解员批评教育，要求改期时提前告知当事人。",
        )
        complaints = 1

    # The proposals of the year from the figures (``stats``: the demo's rollups are built),
    # the upheld complaint counted.
    services_rating.ratings_propose(actor=justice, year=today.year)
    return MediatorsSeeded(
        applicants=len(applications),
        rules=len(RULES),
        statement_lines=statement.lines.count(),
        complaints=complaints,
    )
