"""Two staff (or a double click) at once, on PostgreSQL: threads released together by a
barrier, each with its own connection. SQLite runs one writer at a time, so these are skipped
there."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes.tests.factories import staff
from fengqiao.disputes.tests.test_concurrency import together
from fengqiao.mediators import services
from fengqiao.mediators.choices import ApplicationStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import Application
from fengqiao.mediators.tests.helpers import applicant, id_number, open_round
from fengqiao.orgs.models import Membership, Person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")


def test_two_staff_appointing_the_same_applicant_at_once(cast: Any, world: Any) -> None:
    # Given a round with one passing applicant and two 司法所 staff
    second = staff("justice_2", BuiltinRole.JUSTICE_OFFICER, world.justice_office_a)
    found = open_round(cast.justice_officer, world.committee_town_a, places=2)
    chosen = applicant(cast.justice_officer, found, 1, "90", "90")
    people = Person.objects.count()

    # When both appoint them at the same moment
    results = together(
        lambda: services.application_appoint(
            actor=cast.justice_officer, application_id=chosen.pk, term_start=date(2026, 1, 1)
        ),
        lambda: services.application_appoint(
            actor=second, application_id=chosen.pk, term_start=date(2026, 1, 1)
        ),
    )

    # Then one appointment, one person, one post; the other is told it is decided
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1
    assert isinstance(failed[0], MediatorRuleError)
    assert Application.objects.get(pk=chosen.pk).status == ApplicationStatus.APPOINTED
    assert Person.objects.count() == people + 1
    assert (
        Membership.objects.filter(org=world.committee_town_a, person__name="报名人1").count() == 1
    )


def test_the_same_applicant_recorded_twice_at_once(cast: Any, world: Any) -> None:
    second = staff("justice_2", BuiltinRole.JUSTICE_OFFICER, world.justice_office_a)
    found = open_round(cast.justice_officer, world.committee_town_a)

    def add(actor: Any) -> Any:
        return services.application_add(
            actor=actor, round_id=found.pk, name="报名人", gender="M", id_number=id_number(7)
        )

    results = together(lambda: add(cast.justice_officer), lambda: add(second))

    assert sum(isinstance(r, MediatorRuleError) for r in results) == 1
    assert Application.objects.filter(round=found).count() == 1
