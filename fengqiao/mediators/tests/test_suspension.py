"""暂停调解工作 bars the mediator from being given cases until its last day: the 交办 page does
not offer them as 建议调解员 (nor recommends them), and 交办 naming them is refused with the
reason — one rule (``disputes.policy``, answered by ``mediators.suspension`` through
``disputes.hooks``). On the small demo county: ``justice`` suspends the village mediator
``mediator``; the township's ``dispatcher`` dispatches a case of the village."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseAction, CaseStatus, RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import case_may
from fengqiao.disputes.selectors import mediator_choices
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.tests.factories import register_case
from fengqiao.mediators import services
from fengqiao.mediators.choices import ComplaintOutcome, ComplaintSource
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import Complaint
from fengqiao.mediators.tests.helpers import org_of, user
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership, Organization, Person

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _post() -> Membership:
    return Membership.objects.select_related("person", "org__region").get(
        person__user__username="mediator", org=org_of("mediator"), role__in=CASE_MEDIATOR_ROLES
    )


def _investigated(post: Membership) -> Complaint:
    justice = user("justice")
    complaint = services.complaint_record(
        actor=justice,
        membership=post,
        source=ComplaintSource.PARTY,
        complainant_name="当事人乙",
        summary="调解中偏袒一方。",
        received_on=timezone.localdate(),
    )
    services.complaint_investigate(actor=justice, complaint_id=complaint.pk, note="调阅笔录")
    return complaint


def suspend(post: Membership, days: int) -> Complaint:
    return services.complaint_conclude(
        actor=user("justice"),
        complaint_id=_investigated(post).pk,
        outcome=ComplaintOutcome.SUSPENSION,
        investigation="情况属实",
        outcome_note="暂停调解工作，参加培训后恢复。",
        suspended_until=timezone.localdate() + timedelta(days=days),
    )


def assessed_case(post: Membership) -> Case:
    """A case of the suspended mediator's village, registered and assessed by the township."""
    dispatcher = user("dispatcher")
    case = register_case(
        actor=dispatcher, platform=org_of("dispatcher"), region=post.org.region, title="宅基地纠纷"
    )
    return case_assess(
        actor=dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判",
    )


def offered(case: Case) -> list[Person]:
    return list(mediator_choices(user("dispatcher"), case))


def test_a_suspended_mediator_is_neither_offered_nor_accepted_until_the_suspension_ends() -> None:
    post = _post()
    case = assessed_case(post)
    dispatcher = user("dispatcher")
    # Before: the village mediator is offered on the 交办 page
    assert post.person in offered(case)
    # Given 暂停调解工作 for 30 days
    complaint = suspend(post, days=30)
    until = f"{complaint.suspended_until:%Y-%m-%d}"
    # then the 交办 page does not offer them, nor recommends them
    client = Client()
    client.force_login(dispatcher)
    response = client.get(f"/cases/{case.pk}/")
    form = next(a["form"] for a in response.context["action_forms"] if a["name"] == "dispatch")
    assert post.person not in form.fields["suggested_mediator"].queryset
    assert form.advice.top_mediator != post.person
    assert f'<option value="{post.person.pk}"' not in response.content.decode()
    # and 交办 naming them anyway (a form loaded before the suspension) is refused, saying why
    posted = client.post(
        f"/cases/{case.pk}/act/dispatch/",
        {
            "version": case.version,
            "orgs": [post.org.pk],
            "suggested_mediator": post.person.pk,
        },
    )
    assert posted.status_code != 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    with pytest.raises(CaseRuleError, match=f"暂停调解工作至{until}"):
        case_dispatch(
            actor=dispatcher,
            case_id=case.pk,
            version=None,
            orgs=[post.org],
            suggested_mediator=post.person,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    assert not case.dispatches.exists()
    # while the same case may go to the org without naming them
    case_dispatch(actor=dispatcher, case_id=case.pk, version=None, orgs=[post.org])
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED


def test_the_suspension_ends_on_its_last_day() -> None:
    post = _post()
    case = assessed_case(post)
    complaint = suspend(post, days=5)
    assert post.person not in offered(case)
    # Its last day has passed (the conclusion moved back as if it had been six days ago)
    Complaint.objects.filter(pk=complaint.pk).update(
        concluded_on=timezone.localdate() - timedelta(days=6),
        suspended_until=timezone.localdate() - timedelta(days=1),
    )
    assert post.person in offered(case)
    dispatched = case_dispatch(
        actor=user("dispatcher"),
        case_id=case.pk,
        version=None,
        orgs=[post.org],
        suggested_mediator=post.person,
    )
    assert dispatched.dispatches.get().suggested_mediator == post.person


def test_other_outcomes_bar_nobody() -> None:
    post = _post()
    case = assessed_case(post)
    criticised = services.complaint_conclude(
        actor=user("justice"),
        complaint_id=_investigated(post).pk,
        outcome=ComplaintOutcome.CRITICISM,
        investigation="情况属实",
        outcome_note="批评教育",
        suspended_until=timezone.localdate() + timedelta(days=30),
    )
    assert criticised.suspended_until is None
    assert post.person in offered(case)


@pytest.mark.parametrize("days", [None, 0, 366])
def test_a_suspension_needs_a_last_day_within_a_year(days: Any) -> None:
    post = _post()
    complaint = _investigated(post)
    until = None if days is None else timezone.localdate() + timedelta(days=days)
    with pytest.raises(MediatorRuleError, match="暂停调解工作须写明截止日期"):
        services.complaint_conclude(
            actor=user("justice"),
            complaint_id=complaint.pk,
            outcome=ComplaintOutcome.SUSPENSION,
            investigation="情况属实",
            outcome_note="暂停",
            suspended_until=until,
        )
    complaint.refresh_from_db()
    assert not complaint.outcome


def test_the_complaint_page_concludes_a_suspension_with_its_end() -> None:
    post = _post()
    complaint = _investigated(post)
    client = Client()
    client.force_login(user("justice"))
    until = timezone.localdate() + timedelta(days=60)
    response = client.post(
        f"/mediators/complaints/{complaint.pk}/conclude/",
        {
            "investigation": "情况属实",
            "outcome": ComplaintOutcome.SUSPENSION,
            "outcome_note": "暂停调解工作两个月",
            "suspended_until": f"{until:%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.suspended_until == until
    page = client.get(f"/mediators/complaints/{complaint.pk}/").content.decode()
    assert f"至{until:%Y-%m-%d}，期间不能为其分派案件" in page


def test_a_suspended_mediator_may_not_accept_a_case_their_colleague_may() -> None:
    post = _post()
    case = assessed_case(post)
    case_dispatch(actor=user("dispatcher"), case_id=case.pk, version=None, orgs=[post.org])
    order = case.dispatches.get()
    suspend(post, days=10)
    # The suspended mediator's case page offers no 受理, and 受理 is refused, saying why
    suspended = user("mediator")
    assert not case_may(suspended, fresh(case), CaseAction.ACCEPT)
    client = Client()
    client.force_login(user("mediator"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/orders/{order.pk}/accept/" not in page
    with pytest.raises(CaseRuleError, match="您暂停调解工作至"):
        dispatch_accept(actor=user("mediator"), dispatch_id=order.pk)
    assert fresh(case).status == CaseStatus.DISPATCHED
    # while someone else acting for the committee is not barred (a colleague granted there)
    colleague = UserFactory(username="mediator_colleague")
    grant(colleague, BuiltinRole.MEDIATOR, post.org)
    assert case_may(colleague, fresh(case), CaseAction.ACCEPT)
    theirs = Client()
    theirs.force_login(colleague)
    assert f"/cases/orders/{order.pk}/accept/" in theirs.get(f"/cases/{case.pk}/").content.decode()
    accepted = dispatch_accept(actor=colleague, dispatch_id=order.pk)
    assert accepted.status == CaseStatus.ACCEPTED
    assert accepted.handler == colleague


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- 恢复调解 ------------------------------------------------------------------------------------


def test_ending_a_suspension_early_offers_the_mediator_again_at_once() -> None:
    post = _post()
    case = assessed_case(post)
    complaint = suspend(post, days=30)
    assert post.person not in offered(case)
    client = Client()
    client.force_login(user("justice"))
    page = client.get(f"/mediators/complaints/{complaint.pk}/").content.decode()
    assert 'id="resume-form"' in page
    # When the 司法所 ends it on the complaint's page, with the reason
    response = client.post(
        f"/mediators/complaints/{complaint.pk}/resume/", {"reason": "已参加培训并考核合格"}
    )
    assert response.status_code == 302
    # Then the page says so and offers it no more
    page = client.get(f"/mediators/complaints/{complaint.pk}/", follow=True).content.decode()
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert f"已于{today}恢复调解" in page
    assert "已参加培训并考核合格" in page
    assert 'id="resume-form"' not in page
    # the suspension's record stays as concluded
    complaint.refresh_from_db()
    assert complaint.outcome == ComplaintOutcome.SUSPENSION
    assert complaint.suspended_until == timezone.localdate() + timedelta(days=30)
    assert complaint.resumed_by == user("justice")
    # and the mediator is offered on the 交办 page and accepted by 交办 at once
    assert post.person in offered(case)
    dispatched = case_dispatch(
        actor=user("dispatcher"),
        case_id=case.pk,
        version=None,
        orgs=[post.org],
        suggested_mediator=post.person,
    )
    assert dispatched.dispatches.get().suggested_mediator == post.person
    # The change is in the audit log with the reason
    event = AuditEvent.objects.filter(
        event_type="mediators.complaint", object_id=str(complaint.pk)
    ).latest("pk")
    assert event.actor == user("justice")
    assert event.after == {"resumed_on": today, "reason": "已参加培训并考核合格"}


def test_resuming_is_refused_with_the_reason_when_there_is_nothing_to_end() -> None:
    post = _post()
    complaint = suspend(post, days=10)
    justice = user("justice")
    # No reason
    with pytest.raises(MediatorRuleError, match="请填写恢复调解的理由"):
        services.complaint_resume(actor=justice, complaint_id=complaint.pk, reason="  ")
    with pytest.raises(MediatorRuleError, match="控制字符"):
        services.complaint_resume(actor=justice, complaint_id=complaint.pk, reason="好\x00")
    with pytest.raises(MediatorRuleError, match="不能超过500字"):
        services.complaint_resume(actor=justice, complaint_id=complaint.pk, reason="理" * 501)
    services.complaint_resume(actor=justice, complaint_id=complaint.pk, reason="提前恢复")
    # Twice
    with pytest.raises(MediatorRuleError, match=r"已于.*恢复调解"):
        services.complaint_resume(actor=justice, complaint_id=complaint.pk, reason="再次")
    # A suspension whose last day has passed
    ended = suspend(post, days=3)
    Complaint.objects.filter(pk=ended.pk).update(
        concluded_on=timezone.localdate() - timedelta(days=5),
        suspended_until=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(MediatorRuleError, match="届满，无需恢复"):
        services.complaint_resume(actor=justice, complaint_id=ended.pk, reason="x")
    # Another outcome
    criticised = services.complaint_conclude(
        actor=justice,
        complaint_id=_investigated(post).pk,
        outcome=ComplaintOutcome.CRITICISM,
        investigation="属实",
        outcome_note="批评教育",
    )
    with pytest.raises(MediatorRuleError, match="不是暂停调解工作"):
        services.complaint_resume(actor=justice, complaint_id=criticised.pk, reason="x")
    # The page says the refusal in Chinese when posted anyway
    client = Client()
    client.force_login(justice)
    response = client.post(
        f"/mediators/complaints/{criticised.pk}/resume/", {"reason": "x"}, follow=True
    )
    assert "不是暂停调解工作" in response.content.decode()


def test_only_the_staff_who_may_suspend_may_resume() -> None:
    complaint = suspend(_post(), days=10)
    # The mediator themself, and the township dispatcher, may not
    for username in ("mediator", "dispatcher"):
        with pytest.raises(PermissionDenied):
            services.complaint_resume(
                actor=user(username), complaint_id=complaint.pk, reason="恢复"
            )
    # nor another township's 司法所 (outside its scope)
    other = UserFactory(username="justice_elsewhere")
    elsewhere = (
        Organization.objects.filter(kind__code="justice_office")
        .exclude(region__path__startswith=org_of("justice").region.path)
        .first()
    )
    assert elsewhere is not None
    grant(other, BuiltinRole.JUSTICE_OFFICER, elsewhere)
    with pytest.raises(PermissionDenied):
        services.complaint_resume(actor=other, complaint_id=complaint.pk, reason="恢复")
    complaint.refresh_from_db()
    assert complaint.resumed_on is None
