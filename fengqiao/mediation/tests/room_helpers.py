"""A case being mediated on the small demo county, with every party's consent to online
mediation recorded, and a room scheduled on it: the start of the room tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.policy import MEDIATE, case_may
from fengqiao.mediation import rooms
from fengqiao.mediation.choices import ConsentDecision, ContactMethod
from fengqiao.mediation.consent import CONSENTING_ROLES
from fengqiao.mediation.models import Room
from fengqiao.mediation.services import consent_record


def mediating_case(username: str = "mediator") -> tuple[Case, User]:
    """A case in mediation that ``username`` may mediate."""
    mediator = User.objects.get(username=username)
    for case in Case.objects.filter(status=CaseStatus.MEDIATING).order_by("pk"):
        if case_may(mediator, case, MEDIATE):
            return case, mediator
    pytest.fail(f"the demo county has no case in mediation for {username}")


def consent_online(case: Case, mediator: User) -> list[Party]:
    parties = list(Party.objects.filter(case=case, role__in=CONSENTING_ROLES).order_by("pk"))
    for party in parties:
        consent_record(
            actor=mediator,
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.CONSENTED,
            method=ContactMethod.PHONE,
            online=True,
        )
    return parties


def scheduled_room(
    guests: tuple[str, ...] = (), starts_in: timedelta = timedelta(minutes=1)
) -> tuple[Room, list[rooms.Invitation], User]:
    case, mediator = mediating_case()
    parties = consent_online(case, mediator)
    room, invitations = rooms.room_schedule(
        actor=mediator,
        case_id=case.pk,
        starts_at=timezone.now() + starts_in,
        duration_minutes=60,
        party_ids=[p.pk for p in parties],
        guests=guests,
    )
    return room, invitations, mediator
