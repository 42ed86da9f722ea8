from __future__ import annotations

from typing import Any

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_register

REPORT_FIELDS = ("facts", "claims", "address", "occurred_at", "amount", "people_count")


def register_case(
    *,
    actor: Any,
    platform: Any,
    region: Any,
    channel: str = IntakeChannel.GRID,
    category: str = DisputeCategory.NEIGHBOUR,
    title: str = "邻里排水沟纠纷",
    **extra: Any,
) -> Case:
    # What the report says (facts, people_count…) goes into it; the rest (grade, source_org)
    # is the registration's.
    said = {k: extra.pop(k) for k in REPORT_FIELDS if k in extra}
    report = IntakeReport(
        channel=channel,
        category=category,
        region=region,
        title=title,
        parties=(
            PartyInput(
                role=PartyRole.APPLICANT,
                name="张三",
                id_number="990102198001011234",
                phone="13800001111",
            ),
            PartyInput(role=PartyRole.RESPONDENT, name="李四", phone="13900002222"),
        ),
        **said,
    )
    return case_register(actor=actor, platform=platform, report=report, **extra)


def staff(name: str, role: str, org: Any) -> Any:
    """A user holding ``role`` at ``org`` (a second dispatcher, a county mediator…)."""
    from fengqiao.accounts.tests.factories import UserFactory, grant

    user = UserFactory(username=name, real_name=name)
    grant(user, role, org)
    return user


def assessed_case(*, cast: Any, world: Any, **extra: Any) -> Case:
    """A case registered and assessed by the township dispatcher (低风险, 东村)."""
    from fengqiao.disputes.choices import RiskGrade
    from fengqiao.disputes.services.dispatch import case_assess

    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east, **extra
    )
    return case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=case.version,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )


def consent_and_notify(case: Case, actor: Any) -> None:
    """What mediation needs first (人民调解法 arts. 17, 23): every applicant and respondent
    consents in person and the rights notice is delivered to all parties, by ``actor`` of the
    handling org of an accepted case."""
    from fengqiao.mediation import services as mediation
    from fengqiao.mediation.choices import ConsentDecision, ContactMethod

    parties = list(case.parties.all())
    for party in parties:
        if party.role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
            mediation.consent_record(
                actor=actor,
                case_id=case.pk,
                party_id=party.pk,
                decision=ConsentDecision.CONSENTED,
                method=ContactMethod.IN_PERSON,
            )
    mediation.rights_notice_deliver(
        actor=actor,
        case_id=case.pk,
        method=ContactMethod.IN_PERSON,
        acknowledged_party_ids=[p.pk for p in parties],
    )
    # Each record moved the case's version: ``case`` is what a page shows now.
    case.refresh_from_db(fields=["version"])


def start_mediation(case: Case, actor: Any, *, from_page: bool = False) -> Case:
    """Consent and rights notice recorded, then 开始调解 by ``actor`` of the handling org
    (``from_page``: with the version the case page shows after the records)."""
    from fengqiao.disputes.services.handling import mediation_start

    consent_and_notify(case, actor)
    version = case.version if from_page else None
    return mediation_start(actor=actor, case_id=case.pk, version=version)


def handled_case(cast: Any, world: Any) -> Case:
    """A case reported by 东村's grid worker, assessed and dispatched by 甲镇平安办, accepted by
    东村人民调解委员会."""
    from fengqiao.disputes.choices import RiskGrade
    from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept

    case = register_case(
        actor=cast.grid_worker, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    order = case.dispatches.get()
    return dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)
