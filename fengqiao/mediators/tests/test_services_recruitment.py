"""选聘: the bounds of a round and of scores, one application per ID number, the ranking, and
appointment best first into orgs' people, posts and files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.audit.models import AuditEvent
from fengqiao.mediators import services
from fengqiao.mediators.choices import ApplicationStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import Application
from fengqiao.mediators.tests.helpers import (
    applicant,
    committee_inside,
    committee_outside,
    open_round,
    user,
)
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.models import MediatorProfile, Membership, Person

pytestmark = pytest.mark.usefixtures("demo_county", "db")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"written_weight": 50, "interview_weight": 60}, "权重之和"),
        ({"places": 0}, "拟聘人数"),
        ({"places": 201}, "拟聘人数"),
        ({"pass_line": Decimal("100.5")}, "合格分数线"),
        ({"year": 1999}, "年度"),
        ({"term_years": 11}, "聘期"),
    ],
)
def test_a_round_out_of_bounds_is_refused(change: dict[str, object], message: str) -> None:
    justice = user("justice")
    with pytest.raises(MediatorRuleError, match=message):
        open_round(justice, committee_inside("justice"), **change)


def test_a_round_outside_the_staff_members_region_is_refused() -> None:
    with pytest.raises(PermissionDenied):
        open_round(user("justice"), committee_outside("justice"))


def test_the_mediator_may_not_open_a_round() -> None:
    with pytest.raises(PermissionDenied):
        open_round(user("mediator"), committee_inside("mediator"))


def test_one_application_per_id_number_and_round() -> None:
    justice = user("justice")
    found = open_round(justice, committee_inside("justice"))
    applicant(justice, found, 1, None, None)

    with pytest.raises(MediatorRuleError, match="已在本次选聘中报名"):
        applicant(justice, found, 1, None, None)
    assert found.applications.count() == 1


@pytest.mark.parametrize(("written", "interview"), [("100.01", "80"), ("80", "-1")])
def test_scores_are_bounded_0_to_100(written: str, interview: str) -> None:
    justice = user("justice")
    found = open_round(justice, committee_inside("justice"))
    application = applicant(justice, found, 1, None, None)

    with pytest.raises(MediatorRuleError, match="0至100"):
        services.application_score(
            actor=justice,
            application_id=application.pk,
            written_score=Decimal(written),
            interview_score=Decimal(interview),
        )
    application.refresh_from_db()
    assert application.written_score is None


def test_the_phone_and_id_number_are_stored_encrypted() -> None:
    justice = user("justice")
    found = open_round(justice, committee_inside("justice"))
    application = applicant(justice, found, 1, None, None)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM mediators_application WHERE id = %s", [application.pk]
        )
        stored_id, stored_phone = cursor.fetchone()
    assert application.id_number not in stored_id
    assert "13800000000" not in stored_phone


def test_appointment_goes_best_first_above_the_pass_line() -> None:
    # Given a round (40% written + 60% interview, pass line 75) and three applicants
    justice = user("justice")
    org = committee_inside("justice")
    found = open_round(justice, org, places=1)
    best = applicant(justice, found, 1, "90", "90")  # 90.00
    second = applicant(justice, found, 2, "80", "85")  # 83.00
    low = applicant(justice, found, 3, "60", "70")  # 66.00
    unscored = applicant(justice, found, 4, None, None)

    # Then the second is refused while the best is undecided, the low one is under the line,
    # the unscored one has no combined score
    with pytest.raises(MediatorRuleError, match="排名在前"):
        services.application_appoint(
            actor=justice, application_id=second.pk, term_start=date(2026, 1, 1)
        )
    with pytest.raises(MediatorRuleError, match="合格分数线"):
        services.application_appoint(
            actor=justice, application_id=low.pk, term_start=date(2026, 1, 1)
        )
    with pytest.raises(MediatorRuleError, match="成绩"):
        services.application_appoint(
            actor=justice, application_id=unscored.pk, term_start=date(2026, 1, 1)
        )

    # When the best is appointed
    people_before = Person.objects.count()
    services.application_appoint(actor=justice, application_id=best.pk, term_start=date(2026, 1, 1))

    # Then they are a person with a mediator post in the org and a profile, for three years
    best.refresh_from_db()
    assert best.status == ApplicationStatus.APPOINTED
    assert (best.term_start, best.term_end) == (date(2026, 1, 1), date(2028, 12, 31))
    assert Person.objects.count() == people_before + 1
    assert best.person is not None
    assert best.person.id_number == best.id_number
    post = Membership.objects.get(person=best.person, org=org)
    assert post.role == PersonRole.MEDIATOR
    assert post.started_on == date(2026, 1, 1)
    assert MediatorProfile.objects.filter(person=best.person).exists()
    assert AuditEvent.objects.filter(event_type="mediators.appointed", object_id=str(best.pk))

    # And the one place is taken: the second cannot be appointed any more
    with pytest.raises(MediatorRuleError, match="名额已满"):
        services.application_appoint(
            actor=justice, application_id=second.pk, term_start=date(2026, 1, 1)
        )
    # And an applicant decided on is not decided on twice
    with pytest.raises(MediatorRuleError, match="已有聘任决定"):
        services.application_appoint(
            actor=justice, application_id=best.pk, term_start=date(2026, 1, 1)
        )


def test_an_applicant_who_is_already_a_person_is_linked_not_copied() -> None:
    # Given a person of the county (by 身份证号) who applies
    justice = user("justice")
    org = committee_inside("justice")
    person = (
        Person.objects.exclude(id_number="").exclude(memberships__org=org).order_by("pk").first()
    )
    assert person is not None
    found = open_round(justice, org)
    application = services.application_add(
        actor=justice,
        round_id=found.pk,
        name=person.name,
        gender=person.gender,
        id_number=person.id_number,
    )
    services.application_score(
        actor=justice,
        application_id=application.pk,
        written_score=Decimal(90),
        interview_score=Decimal(90),
    )
    people_before = Person.objects.count()

    # When appointed
    services.application_appoint(
        actor=justice, application_id=application.pk, term_start=date(2026, 3, 1)
    )

    # Then the same person gets the post; nobody new
    assert Person.objects.count() == people_before
    application.refresh_from_db()
    assert application.person_id == person.pk
    assert Membership.objects.filter(person=person, org=org, ended_on__isnull=True).exists()


def test_declining_needs_a_reason_and_unblocks_the_next() -> None:
    justice = user("justice")
    found = open_round(justice, committee_inside("justice"))
    best = applicant(justice, found, 1, "90", "90")
    second = applicant(justice, found, 2, "80", "85")

    with pytest.raises(MediatorRuleError, match="理由"):
        services.application_decline(actor=justice, application_id=best.pk, note=" ")
    services.application_decline(actor=justice, application_id=best.pk, note="本人放弃")
    services.application_appoint(
        actor=justice, application_id=second.pk, term_start=date(2026, 1, 1)
    )

    assert Application.objects.get(pk=best.pk).status == ApplicationStatus.DECLINED
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.APPOINTED


def test_a_closed_round_takes_no_more_applications_or_decisions() -> None:
    justice = user("justice")
    found = open_round(justice, committee_inside("justice"))
    pending = applicant(justice, found, 1, "90", "90")
    services.round_close(actor=justice, round_id=found.pk)

    with pytest.raises(MediatorRuleError, match="已结束"):
        applicant(justice, found, 2, None, None)
    with pytest.raises(MediatorRuleError, match="已结束"):
        services.application_appoint(
            actor=justice, application_id=pending.pk, term_start=date(2026, 1, 1)
        )
