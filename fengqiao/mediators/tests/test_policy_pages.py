"""The policy, the pages and the services agree: for every demo account and each action on the
demo county's objects, a page offers the action exactly when ``policy.mediators_may`` allows it,
and the service accepts it exactly then (each attempt rolled back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.demo.accounts import DEMO_ACCOUNTS
from fengqiao.mediators import policy, services, services_subsidy
from fengqiao.mediators.choices import ApplicationStatus, ComplaintOutcome, ComplaintSource
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import Application, Complaint, RecruitmentRound, SubsidyStatement
from fengqiao.mediators.tests.helpers import committee_inside, org_of, second_officer, user
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _page_offers(who: User, url: str, marker: str) -> bool:
    client = Client()
    client.force_login(who)
    response = client.get(url)
    return response.status_code == 200 and marker in response.content.decode()


def _service_accepts(call: Callable[[], Any]) -> bool:
    with transaction.atomic():
        try:
            call()
        except (PermissionDenied, MediatorRuleError):
            accepted = False
        else:
            accepted = True
        transaction.set_rollback(True)
    return accepted


def _agree(action: str, obj: Any, url: str, marker: str, call: Callable[[User], Any]) -> None:
    wrong = []
    for account in DEMO_ACCOUNTS:
        who = User.objects.get(username=account.username)
        may = policy.mediators_may(who, action, obj)
        offers = _page_offers(who, url, marker)
        accepts = _service_accepts(lambda who=who: call(who))
        if not may == offers == accepts:
            wrong.append(f"{who.username}: policy {may}, page {offers}, service {accepts}")
    assert not wrong, "\n".join(wrong)


def test_opening_a_round() -> None:
    org = committee_inside("justice")
    _agree(
        policy.RECRUIT,
        None,
        reverse("mediators:round_list"),
        'id="round-new"',
        lambda who: services.round_open(
            actor=who,
            org=org,
            year=2026,
            title="一致性",
            places=1,
            written_weight=50,
            interview_weight=50,
            pass_line=Decimal(60),
        ),
    )


@pytest.mark.parametrize("status", [ApplicationStatus.APPLIED, ApplicationStatus.APPOINTED])
def test_deciding_on_an_applicant(status: str) -> None:
    application = (
        Application.objects.filter(status=status).select_related("round__org__region").first()
    )
    assert application is not None
    _agree(
        policy.APPOINT,
        application,
        reverse("mediators:round_detail", args=[application.round_id]),
        reverse("mediators:application_appoint", args=[application.pk]),
        lambda who: services.application_decline(
            actor=who, application_id=application.pk, note="一致性检查"
        ),
    )


def test_handling_a_complaint_received_and_concluded() -> None:
    post = Membership.objects.select_related("person", "org__region").get(
        person__user__username="mediator", org=org_of("mediator"), role__in=CASE_MEDIATOR_ROLES
    )
    fresh = services.complaint_record(
        actor=user("justice"),
        membership=post,
        source=ComplaintSource.ORG,
        complainant_name="村民委员会",
        summary="未按时回访。",
        received_on=timezone.localdate() - timedelta(days=1),
    )
    concluded = Complaint.objects.exclude(pk=fresh.pk).select_related("org__region").first()
    assert concluded is not None
    for complaint in (fresh, concluded):
        _agree(
            policy.HANDLE,
            complaint,
            reverse("mediators:complaint_detail", args=[complaint.pk]),
            'id="investigate-form"',
            lambda who, c=complaint: services.complaint_investigate(actor=who, complaint_id=c.pk),
        )


def test_approving_a_statement_draft_and_approved() -> None:
    approved = SubsidyStatement.objects.select_related("org__region").get(org=org_of("mediator"))
    earlier = (approved.month - timedelta(days=1)).replace(day=1)
    # A draft another officer of the 司法所 compiled (``justice`` may approve it), and one
    # ``justice`` compiled (nobody among the demo accounts may: its compiler is refused)
    by_other = services_subsidy.statement_compute(
        actor=second_officer(), org=approved.org, month=earlier
    )
    by_justice = services_subsidy.statement_compute(
        actor=user("justice"), org=approved.org, month=(earlier - timedelta(days=1)).replace(day=1)
    )
    assert policy.mediators_may(user("justice"), policy.APPROVE_STATEMENT, by_other)
    assert not policy.mediators_may(user("justice"), policy.APPROVE_STATEMENT, by_justice)
    for statement in (by_other, by_justice, approved):
        _agree(
            policy.APPROVE_STATEMENT,
            statement,
            reverse("mediators:statement_detail", args=[statement.pk]),
            'id="statement-approve"',
            lambda who, s=statement: services_subsidy.statement_approve(
                actor=who, statement_id=s.pk
            ),
        )


def test_ending_a_suspension_early() -> None:
    post = Membership.objects.select_related("person", "org__region").get(
        person__user__username="mediator", org=org_of("mediator"), role__in=CASE_MEDIATOR_ROLES
    )
    justice = user("justice")
    complaint = services.complaint_record(
        actor=justice,
        membership=post,
        source=ComplaintSource.PARTY,
        complainant_name="当事人丙",
        summary="调解时态度粗暴。",
        received_on=timezone.localdate(),
    )
    services.complaint_investigate(actor=justice, complaint_id=complaint.pk)
    suspended = services.complaint_conclude(
        actor=justice,
        complaint_id=complaint.pk,
        outcome=ComplaintOutcome.SUSPENSION,
        investigation="属实",
        outcome_note="暂停调解工作",
        suspended_until=timezone.localdate() + timedelta(days=30),
    )
    # A suspension in force, and the demo's complaint concluded with 批评教育 (nothing to end)
    criticised = Complaint.objects.exclude(pk=suspended.pk).select_related("org__region").first()
    assert criticised is not None
    for complaint in (suspended, criticised):
        _agree(
            policy.RESUME,
            complaint,
            reverse("mediators:complaint_detail", args=[complaint.pk]),
            'id="resume-form"',
            lambda who, c=complaint: services.complaint_resume(
                actor=who, complaint_id=c.pk, reason="已完成培训"
            ),
        )


def test_the_demo_round_is_the_justice_offices() -> None:
    found = RecruitmentRound.objects.select_related("org__region").get()
    assert policy.mediators_may(user("justice"), policy.RECRUIT, found)
    assert policy.mediators_may(user("orgadmin"), policy.RECRUIT, found)
    assert not policy.mediators_may(user("mediator"), policy.RECRUIT, found)
