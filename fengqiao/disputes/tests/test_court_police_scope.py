"""Courts and police stations see their cases (issue "Day one in a real county", item 2): a court
the cases it sent (委派/委托) and those handled by its 驻庭调解室 and its paired villages'
committees; a police station its 警调 cases and those of its 驻所调解室 (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.disputes.choices import IntakeChannel
from fengqiao.disputes.models import Case
from fengqiao.disputes.selectors import case_list_for_user
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_accept
from fengqiao.disputes.tests.factories import assessed_case, register_case
from fengqiao.disputes.tests.test_views import _intake
from fengqiao.web.tests.html import page_text


def _handled_by(org: Any, cast: Any, world: Any, mediator: Any = None) -> Case:
    """A case of 甲镇平安办 dispatched to ``org`` (accepted by ``mediator`` when given)."""
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[org])
    if mediator is not None:
        case = dispatch_accept(actor=mediator, dispatch_id=case.dispatches.get().pk)
    return case


@pytest.mark.parametrize(
    ("who", "channel", "source"),
    [
        ("judge", IntakeChannel.COURT_PRE, "tribunal_a"),
        ("court_clerk", IntakeChannel.COURT_POST, "tribunal_a"),
        ("police", IntakeChannel.POLICE, "police_station_a"),
    ],
)
def test_whoever_sends_a_case_registers_it_and_keeps_opening_it(
    who: str, channel: str, source: str, cast: Any, world: Any, client_for: Any
) -> None:
    # Given a judge, clerk or police officer registering a case their court or station sends
    client = client_for(getattr(cast, who))
    response = client.post("/cases/new/", _intake(world, channel=channel))
    assert response.status_code == 302
    case = Case.objects.get()
    # then the case records who sent it and is queued for the township's 平安办
    assert case.source_org == getattr(world, source)
    assert case.platform == world.town_a_platform
    # and the sender opens it and finds it on the case list, after it has moved on
    case = _dispatched_on(case, cast, world)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert getattr(world, source).name in page_text(page)
    listing = page_text(client.get("/cases/"))
    assert case.number in listing
    assert "共 1 件" in listing


def _dispatched_on(case: Case, cast: Any, world: Any) -> Case:
    from fengqiao.disputes.choices import RiskGrade
    from fengqiao.disputes.services.dispatch import case_assess

    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    return case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )


def test_a_court_sees_its_rooms_and_paired_villages_cases_and_no_others(
    cast: Any, world: Any
) -> None:
    room = _handled_by(world.court_room_a, cast, world, cast.room_mediator)
    east = _handled_by(world.committee_east, cast, world, cast.mediator_east)
    west = _handled_by(world.committee_west, cast, world, cast.mediator_west)
    police_room = _handled_by(world.police_room_a, cast, world)
    south = register_case(
        actor=cast.county_dispatcher, platform=world.town_b_platform, region=world.village_south
    )
    unhandled = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    for user in (cast.judge, cast.court_clerk):
        seen = set(case_list_for_user(user))
        assert {room, east, west} <= seen
        assert not seen & {police_room, south, unhandled}


def test_a_police_station_sees_its_rooms_cases_and_no_others(cast: Any, world: Any) -> None:
    police_room = _handled_by(world.police_room_a, cast, world)
    court_room = _handled_by(world.court_room_a, cast, world)
    east = _handled_by(world.committee_east, cast, world)
    seen = set(case_list_for_user(cast.police))
    assert police_room in seen
    assert not seen & {court_room, east}


def test_others_see_no_more_than_before(cast: Any, world: Any) -> None:
    # A case the court sent, handled by 南村's committee (not paired with the tribunal)
    sent = register_case(
        actor=cast.judge,
        platform=world.town_b_platform,
        region=world.village_south,
        channel=IntakeChannel.COURT_PRE,
    )
    assert sent.source_org == world.tribunal_a
    # 东村's mediator, the police and the room mediator of another room do not see it
    for user in (cast.mediator_east, cast.police, cast.grid_worker):
        assert sent not in set(case_list_for_user(user))
    assert sent in set(case_list_for_user(cast.judge))
