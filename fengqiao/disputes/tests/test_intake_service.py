"""The one intake service (``case_intake``) that the intake pages, the API and the portal use:
who may register by which channel, the duplicate check it makes before registering, the link
to an earlier case, and what one intake costs in queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import IntakeChannel, PartyRole
from fengqiao.disputes.models import Case, Party, RepeatReport, TimelineEvent
from fengqiao.disputes.services.errors import CaseRuleError, PartyInput
from fengqiao.disputes.services.intake import (
    IntakeReport,
    NoPlatformError,
    case_intake,
    intake_platform,
)
from fengqiao.notify.models import Notification

# One intake: the registrant's grants (once a request), the duplicate check (its signals in one
# statement), the counter, the case, its parties, the timeline, the audit row and the
# platform's notifications (docs/performance.md); risk grading 4 more: the rule set's version,
# the parties (their ages), their other cases by keyed hash, the assessment row (docs/risk.md).
# Telling the parties by SMS 3 more: the step's template, the outbox rows, the notices.
# Marking the case for the statistics 1 more (stats.PendingFact, docs/measures.md).
INTAKE_QUERY_CEILING = 16


def _report(world: Any, *, channel: str = IntakeChannel.PORTAL, **extra: Any) -> IntakeReport:
    return IntakeReport(
        channel=channel,
        category="neighbour",
        region=world.village_east,
        title="宅基地滴水纠纷",
        facts="两家房屋相邻，屋檐滴水。",
        parties=(
            PartyInput(role=PartyRole.APPLICANT, name="赵一", phone="13912345678"),
            PartyInput(role=PartyRole.RESPONDENT, name="钱二", phone="13955556666"),
        ),
        **extra,
    )


def _written() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Case, Party, RepeatReport, TimelineEvent, AuditEvent, Notification)
    )


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_a_user_without_a_role_is_refused_an_online_application(
    who: str, cast: Any, world: Any
) -> None:
    # Given a user without any role (the outsider; the citizen has a login and no role either)
    before = _written()
    # When they register a case through the 在线申请 channel
    with pytest.raises(PermissionDenied, match="您无权登记纠纷"):
        case_intake(actor=getattr(cast, who), report=_report(world), confirm_new=True)
    # Then the service refuses it and nothing is written
    assert _written() == before


def test_a_user_without_a_role_cannot_link_an_online_report_either(cast: Any, world: Any) -> None:
    earlier = case_intake(actor=cast.dispatcher, report=_report(world), confirm_new=True).case
    assert earlier is not None
    before = _written()
    with pytest.raises(PermissionDenied, match="您无权登记纠纷"):
        case_intake(actor=cast.outsider, report=_report(world), link_to=earlier.pk)
    assert _written() == before


def test_a_permitted_user_registers_an_online_application(cast: Any, world: Any) -> None:
    # Given the township's dispatcher, who may register
    # When they register an online application
    outcome = case_intake(actor=cast.dispatcher, report=_report(world))
    # Then the case is registered for their platform, by that channel, with its parties
    case = outcome.case
    assert case is not None
    assert (case.channel, case.platform, case.region) == (
        IntakeChannel.PORTAL,
        world.town_a_platform,
        world.village_east,
    )
    assert case.people_count == 2
    assert sorted(case.parties.values_list("name", flat=True)) == ["赵一", "钱二"]
    assert TimelineEvent.objects.filter(case=case, action="register").exists()


def test_a_possible_duplicate_is_returned_unwritten_until_confirmed(cast: Any, world: Any) -> None:
    first = case_intake(actor=cast.dispatcher, report=_report(world)).case
    assert first is not None
    before = _written()
    # The same report again: the earlier case is returned, nothing is written
    found = case_intake(actor=cast.dispatcher, report=_report(world))
    assert found.case is None
    assert found.linked is None
    assert found.duplicates is not None
    assert [m.case.pk for m in found.duplicates] == [first.pk]
    assert _written() == before
    # Confirmed new: registered, flagged with the earlier case
    confirmed = case_intake(actor=cast.dispatcher, report=_report(world), confirm_new=True)
    assert confirmed.case is not None
    flag = TimelineEvent.objects.get(case=confirmed.case, action="duplicate_check")
    assert list(flag.data["possible_duplicates"]) == [str(first.pk)]
    # Linked: recorded on the earlier case, no new case
    linked = case_intake(actor=cast.dispatcher, report=_report(world), link_to=first.pk)
    assert linked.case is None
    assert linked.linked.case_id == first.pk
    assert Case.objects.count() == 2


def test_without_a_platform_over_the_place_nothing_is_registered(cast: Any, world: Any) -> None:
    world.town_a_platform.is_active = False
    world.town_a_platform.save(update_fields=["is_active"])
    world.county_platform.is_active = False
    world.county_platform.save(update_fields=["is_active"])
    with pytest.raises(NoPlatformError):
        case_intake(actor=cast.dispatcher, report=_report(world), confirm_new=True)
    assert not Case.objects.exists()


def test_the_platform_acted_for_wins_only_when_it_holds_the_place(cast: Any, world: Any) -> None:
    # The county platform holds 东村 (it is above it); the township's is the dispatcher's own.
    assert intake_platform(cast.dispatcher, world.village_east) == world.town_a_platform
    assert (
        intake_platform(cast.dispatcher, world.village_east, world.county_platform)
        == world.county_platform
    )
    # A committee is not a platform: the dispatcher's own platform again.
    assert (
        intake_platform(cast.dispatcher, world.village_east, world.committee_east)
        == world.town_a_platform
    )


@pytest.mark.parametrize("channel", [IntakeChannel.GRID, IntakeChannel.PORTAL])
def test_one_intake_stays_under_its_query_ceiling(
    channel: str, cast: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    # An earlier case of another category (the duplicate check runs and finds nothing)
    case_intake(
        actor=cast.dispatcher,
        report=_report(world, channel=IntakeChannel.WALK_IN),
        confirm_new=True,
    )
    # A fresh user object, as in a request: its grants are read once within the ceiling
    actor = type(cast.dispatcher).objects.get(pk=cast.dispatcher.pk)
    report = _report(world, channel=channel)
    report = IntakeReport(**{**report.__dict__, "category": "housing_land"})
    with django_assert_max_num_queries(INTAKE_QUERY_CEILING):
        outcome = case_intake(actor=actor, report=report)
    assert outcome.case is not None


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), "发生时间不能早于1949-10-01"),
        (datetime(2100, 1, 1, tzinfo=UTC), "发生时间不能晚于"),
    ],
)
def test_the_service_itself_refuses_a_time_out_of_range(
    occurred_at: datetime, message: str, cast: Any, world: Any
) -> None:
    # Whatever built the report (a page, the API, the coming portal), the service checks it.
    before = _written()
    with pytest.raises(CaseRuleError, match=message):
        case_intake(
            actor=cast.dispatcher, report=_report(world, occurred_at=occurred_at), confirm_new=True
        )
    assert _written() == before
