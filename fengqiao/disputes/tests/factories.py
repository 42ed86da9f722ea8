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
