from __future__ import annotations

from typing import Any

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.services import PartyInput, case_register


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
    return case_register(
        actor=actor,
        platform=platform,
        region=region,
        title=title,
        category=category,
        channel=channel,
        parties=[
            PartyInput(
                role=PartyRole.APPLICANT,
                name="张三",
                id_number="990102198001011234",
                phone="13800001111",
            ),
            PartyInput(role=PartyRole.RESPONDENT, name="李四", phone="13900002222"),
        ],
        **extra,
    )


def staff(name: str, role: str, org: Any) -> Any:
    """A user holding ``role`` at ``org`` (a second dispatcher, a county mediator…)."""
    from fengqiao.accounts.tests.factories import UserFactory, grant

    user = UserFactory(username=name, real_name=name)
    grant(user, role, org)
    return user


def assessed_case(*, cast: Any, world: Any, **extra: Any) -> Case:
    """A case registered and assessed by the township dispatcher (低风险, 东村)."""
    from fengqiao.disputes.choices import RiskGrade
    from fengqiao.disputes.services import case_assess

    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east, **extra
    )
    return case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=case.version,
        category=case.category,
        grade=RiskGrade.LOW,
    )
