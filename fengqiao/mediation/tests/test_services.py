"""Consent, rights notice, sessions and expert opinions on a case 东村's committee accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseStatus, PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.mediation import services
from fengqiao.mediation.choices import ConsentDecision, ContactMethod, SessionMode
from fengqiao.mediation.consent import consent_state
from fengqiao.mediation.models import ExpertOpinion, MediationSession
from fengqiao.mediation.tests.factories import accepted_case


def _consent_all(case: Case, actor: Any, decision: str = ConsentDecision.CONSENTED) -> None:
    for party in case.parties.all():
        services.consent_record(
            actor=actor,
            case_id=case.pk,
            party_id=party.pk,
            decision=decision,
            method=ContactMethod.IN_PERSON,
        )


def _notice(case: Case, actor: Any) -> None:
    services.rights_notice_deliver(
        actor=actor,
        case_id=case.pk,
        method=ContactMethod.IN_PERSON,
        acknowledged_party_ids=case.parties.values_list("pk", flat=True),
    )


def _session(case: Case, actor: Any) -> MediationSession:
    return services.session_record(
        actor=actor,
        case_id=case.pk,
        held_at=timezone.now(),
        mode=SessionMode.IN_PERSON,
        place="东村村委会",
        record="双方陈述了排水沟的情况。",
    )


def test_a_session_needs_the_consent_of_every_party(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    applicant = case.parties.get(role=PartyRole.APPLICANT)
    services.consent_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        party_id=applicant.pk,
        decision=ConsentDecision.CONSENTED,
        method=ContactMethod.PHONE,
    )

    with pytest.raises(CaseRuleError, match="尚未记录全部"):
        _session(case, cast.mediator_east)

    assert not MediationSession.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_a_refusal_stops_sessions(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    _consent_all(case, cast.mediator_east)
    respondent = case.parties.get(role=PartyRole.RESPONDENT)
    # A later statement replaces the earlier consent.
    services.consent_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        party_id=respondent.pk,
        decision=ConsentDecision.REFUSED,
        method=ContactMethod.IN_PERSON,
        note="不愿调解，要求起诉",
    )

    with pytest.raises(CaseRuleError, match="第十七条"):
        _session(case, cast.mediator_east)
    assert consent_state(case) == (False, True)


def test_the_first_session_starts_mediation(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    _consent_all(case, cast.mediator_east)
    _notice(case, cast.mediator_east)

    first = _session(case, cast.mediator_east)
    second = _session(case, cast.mediator_east)

    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    assert list(first.mediators.all()) == [cast.mediator_east]
    assert second.pk != first.pk
    actions = list(case.timeline.values_list("action", "to_status"))
    assert actions[-6:] == [
        ("consent", CaseStatus.ACCEPTED),
        ("consent", CaseStatus.ACCEPTED),
        ("rights_notice", CaseStatus.ACCEPTED),
        ("session", CaseStatus.ACCEPTED),
        ("start", CaseStatus.MEDIATING),
        ("session", CaseStatus.MEDIATING),
    ]
    assert case.rights_notice.acknowledged_by.count() == 2
    assert AuditEvent.objects.filter(event_type="mediation.session").count() == 2


def test_expert_opinion_is_recorded(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)

    opinion = services.expert_opinion_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        expert=world.mediator_south_person,
        field="水利",
        opinion="排水沟应按原走向恢复。",
    )

    assert ExpertOpinion.objects.get() == opinion
    assert case.timeline.filter(action="expert_opinion").count() == 1


@pytest.mark.parametrize(
    "who", ["mediator_west", "dispatcher", "court_clerk", "leader", "citizen", "outsider"]
)
def test_only_the_handling_side_records_mediation(cast: Any, world: Any, who: str) -> None:
    case = accepted_case(cast=cast, world=world)
    _consent_all(case, cast.mediator_east)
    party = case.parties.first()
    assert party is not None

    with pytest.raises(PermissionDenied):
        services.consent_record(
            actor=getattr(cast, who),
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.REFUSED,
            method=ContactMethod.PHONE,
        )
    with pytest.raises(PermissionDenied):
        _session(case, getattr(cast, who))
    assert consent_state(case) == (True, False)


def test_nothing_is_recorded_before_acceptance(cast: Any, world: Any) -> None:
    from fengqiao.disputes.tests.factories import assessed_case

    case = assessed_case(cast=cast, world=world)
    party = case.parties.first()
    assert party is not None

    with pytest.raises(CaseRuleError):
        services.consent_record(
            actor=cast.dispatcher,
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.CONSENTED,
            method=ContactMethod.PHONE,
        )


def test_co_mediators_come_from_the_handling_org(cast: Any, world: Any) -> None:
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.disputes.tests.factories import staff

    case = accepted_case(cast=cast, world=world)
    _consent_all(case, cast.mediator_east)
    _notice(case, cast.mediator_east)
    colleague = staff("mediator_east_2", BuiltinRole.MEDIATOR, world.committee_east)
    held_at = timezone.now()

    with pytest.raises(CaseRuleError, match="承办单位"):
        services.session_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            held_at=held_at,
            mode=SessionMode.VIDEO,
            record="视频调解。",
            mediators=[cast.mediator_west],
        )
    session = services.session_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        held_at=held_at,
        mode=SessionMode.VIDEO,
        record="视频调解。",
        mediators=[colleague],
    )

    assert set(session.mediators.all()) == {cast.mediator_east, colleague}
    assert MediationSession.objects.count() == 1


def test_a_session_needs_the_rights_notice(cast: Any, world: Any) -> None:
    # Given both parties consented but the 告知书 not yet delivered
    case = accepted_case(cast=cast, world=world)
    _consent_all(case, cast.mediator_east)

    with pytest.raises(CaseRuleError, match="权利义务告知书"):
        _session(case, cast.mediator_east)
    assert not MediationSession.objects.exists()

    _notice(case, cast.mediator_east)
    _session(case, cast.mediator_east)
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING


def test_a_third_party_need_not_consent(cast: Any, world: Any) -> None:
    from fengqiao.disputes.models import Party

    case = accepted_case(cast=cast, world=world)
    Party.objects.create(case=case, role=PartyRole.THIRD_PARTY, name="王五")
    for party in case.parties.exclude(role=PartyRole.THIRD_PARTY):
        services.consent_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.CONSENTED,
            method=ContactMethod.PHONE,
        )

    assert consent_state(case) == (True, False)
