"""demo_cases: the demo county's few thousand cases (small size here)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.core.crypto import lookup_hash
from fengqiao.demo.cases import demo_cases_seed
from fengqiao.demo.cases_data import SMALL_CASES
from fengqiao.demo.cases_world import DemoCaseSummary
from fengqiao.demo.data import COUNTY_CODE, DemoSize
from fengqiao.demo.seed import demo_seed
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    IntakeChannel,
    ReferralTarget,
)
from fengqiao.disputes.models import (
    ArchiveCounter,
    Case,
    CaseCounter,
    DueItem,
    Party,
    Referral,
    TimelineEvent,
)
from fengqiao.disputes.queues import TO_DISPATCH, queue_cases
from fengqiao.disputes.selectors import worklist_for_user
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_register
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.timeline import action_codes
from fengqiao.mediation.choices import ConsentDecision, PerformanceStatus
from fengqiao.mediation.consent import consent_state
from fengqiao.mediation.models import (
    Agreement,
    Failure,
    FollowUp,
    PartyConsent,
    PerformanceItem,
    RightsNotice,
)

SMALL = DemoSize(townships=3, villages_per_township=4, grids_per_village=2)
SEED = 11


def _seed() -> DemoCaseSummary:
    today = timezone.localdate()
    demo_seed(seed=SEED, today=today, size=SMALL)
    return demo_cases_seed(seed=SEED, today=today, count=SMALL_CASES)


def _fingerprint() -> list[tuple[str, str, str]]:
    return list(Case.objects.order_by("number").values_list("number", "title", "status"))


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoCaseSummary]:
    """One small demo county with its cases, seeded once per class and rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = _seed()
        yield summary
        transaction.set_rollback(True)


def test_same_seed_gives_the_same_cases(db: None) -> None:
    with transaction.atomic():
        _seed()
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    _seed()

    assert _fingerprint() == first
    assert len(first) == SMALL_CASES


class TestDemoCases:
    @pytest.fixture
    def demo(self, seeded: DemoCaseSummary, db: None) -> DemoCaseSummary:
        return seeded

    def test_every_state_and_channel_is_present(self, demo: DemoCaseSummary) -> None:
        assert demo.cases == Case.objects.count() == SMALL_CASES
        assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
        assert set(Case.objects.values_list("channel", flat=True)) == set(IntakeChannel.values)
        # Most cases are old and archived; the dates lie since January of last year (18 months
        # at the least), before today, and last year's first quarter has cases: a year is
        # compared with a whole year before it.
        assert Case.objects.filter(status=CaseStatus.ARCHIVED).count() > SMALL_CASES // 3
        today = timezone.localdate()
        days = [
            today - timezone.localtime(at).date()
            for at in Case.objects.values_list("registered_at", flat=True)
        ]
        assert max(d.days for d in days) <= max(550, (today - date(today.year - 1, 1, 1)).days)
        assert Case.objects.filter(
            registered_at__year=today.year - 1, registered_at__month__lte=3
        ).exists()
        assert Case.objects.filter(registered_at__gt=timezone.now()).count() == 0

    def test_every_timeline_entry_is_a_known_action(self, demo: DemoCaseSummary) -> None:
        written = set(TimelineEvent.objects.values_list("action", flat=True).distinct())
        assert written <= set(action_codes())
        assert {"register", "consent", "rights_notice", "supervise"} <= written

    def test_numbers_are_gap_free_and_counters_continue(self, demo: DemoCaseSummary) -> None:
        seqs: dict[tuple[int, int], list[int]] = defaultdict(list)
        for case in Case.objects.select_related("number_region"):
            code, year, seq = case.number.split("-")
            assert code == case.number_region.code
            assert len(seq) == 6
            seqs[(case.number_region_id, int(year))].append(int(seq))
        for key, numbers in seqs.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
            counter = CaseCounter.objects.get(region_id=key[0], year=key[1])
            assert counter.last_seq == len(numbers)
        archived = Case.objects.filter(status=CaseStatus.ARCHIVED)
        assert all("人调字第" in n for n in archived.values_list("archive_number", flat=True))
        assert ArchiveCounter.objects.exists()

        dispatcher = User.objects.get(username="dispatcher")
        platform = RoleGrant.objects.get(user=dispatcher).org
        assert platform is not None
        village = Case.objects.filter(platform=platform).first()
        assert village is not None
        year = timezone.localtime().year
        before = CaseCounter.objects.filter(region=platform.region, year=year).first()
        case = case_register(
            actor=dispatcher,
            platform=platform,
            report=IntakeReport(
                channel=IntakeChannel.WALK_IN,
                category="neighbour",
                region=village.region,
                title="测试新登记纠纷",
                parties=(PartyInput(role="applicant", name="测试人"),),
            ),
        )
        last = before.last_seq if before else 0
        assert case.number == f"{platform.region.code}-{year}-{last + 1:06d}"

    def test_timelines_are_ordered_and_end_at_the_status(self, demo: DemoCaseSummary) -> None:
        events: dict[int, list[TimelineEvent]] = defaultdict(list)
        for event in TimelineEvent.objects.order_by("case_id", "at", "id"):
            events[event.case_id].append(event)
        transitions = set(CaseAction.values)
        # Nothing is dated after the moment the demo is loaded (the generator stops before today).
        start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0)))
        for case in Case.objects.all():
            timeline = events[case.pk]
            assert timeline[-1].at <= start_of_today, case.number
            assert timeline[0].action == "register"
            assert timeline[0].at == case.registered_at
            assert timeline[-1].to_status == case.status, case.number
            for before, after in itertools.pairwise(timeline):
                assert before.at <= after.at
                assert after.from_status == before.to_status, case.number
            assert case.version == 1 + sum(e.action in transitions for e in timeline)
            if case.status in OPEN_STATUSES:
                assert case.closed_at is None
            else:
                assert case.closed_at is not None
            if case.status in (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED):
                assert case.handling_org_id is not None
            if case.status == CaseStatus.RESOLVED:
                assert case.resolved_level is not None
                assert Agreement.objects.filter(case=case).exists()
        assert FollowUp.objects.filter(satisfaction__range=(1, 5)).exists()

    def test_mediation_follows_consent_and_the_rights_notice(self, demo: DemoCaseSummary) -> None:
        started = set(
            TimelineEvent.objects.filter(action="start").values_list("case_id", flat=True)
        )
        assert started
        for case in Case.objects.filter(pk__in=started):
            assert consent_state(case) == (True, False), case.number
            assert RightsNotice.objects.filter(case=case).exists(), case.number
        refusing = PartyConsent.objects.filter(decision=ConsentDecision.REFUSED)
        assert refusing.exists()
        for consent in refusing.select_related("case"):
            assert consent.case_id not in started
            assert consent.case.status in (CaseStatus.REFERRED_OUT, CaseStatus.ARCHIVED)

    def test_failures_and_referrals_have_their_records(self, demo: DemoCaseSummary) -> None:
        failed = Case.objects.filter(timeline__action="fail").distinct()
        referred = Case.objects.filter(timeline__action__in=["refer", "reject"]).distinct()
        assert failed.exists()
        assert referred.exists()
        for case in failed:
            assert Failure.objects.get(case=case).undisputed_facts, case.number
        for case in referred:
            referral = Referral.objects.get(case=case)
            assert referral.receiver, case.number
            if referral.action == CaseAction.REFER:
                assert referral.target in ReferralTarget.values, case.number

    def test_dispatched_cases_report_back_and_owe_feedback(self, demo: DemoCaseSummary) -> None:
        closing = {"agree", "fail", "refer", "reject", "withdraw"}
        reports = 0
        for case in Case.objects.filter(timeline__action="report_back").distinct():
            timeline = list(case.timeline.order_by("at", "id"))
            for before, event in itertools.pairwise(timeline):
                if event.action == "report_back":
                    reports += 1
                    assert before.action in closing, case.number
                    assert event.data["platforms"], case.number
        assert reports
        accepted = Case.objects.filter(timeline__action="accept").distinct()
        assert accepted.exists()
        for case in accepted:
            assert DueItem.objects.filter(case=case, kind="feedback").exists(), case.number

    def test_court_entrusted_cases_carry_their_procedure(self, demo: DemoCaseSummary) -> None:
        entrusted = Case.objects.filter(
            channel=IntakeChannel.COURT_POST, timeline__action="assess"
        ).distinct()
        assert entrusted.exists()
        for case in entrusted:
            assert case.procedure in ("ordinary", "simplified"), case.number
            accepted = case.timeline.filter(action="accept").order_by("at").last()
            due = DueItem.objects.filter(case=case, kind="mediation").order_by("pk").last()
            suspended = case.timeline.filter(action="suspend").exists()
            if accepted is not None and due is not None and not suspended:
                days = 7 if case.procedure == "simplified" else 15
                assert due.due_at == deadlines.add_calendar_days(accepted.at, days), case.number
        assert not Case.objects.exclude(channel=IntakeChannel.COURT_POST).exclude(procedure="")

    def test_demo_accounts_have_work(self, demo: DemoCaseSummary) -> None:
        for username in ("mediator", "mediator2", "mediator_industry", "mediator_court"):
            work = worklist_for_user(User.objects.get(username=username))
            assert work.to_mediate, username
            assert work.to_accept, username
            assert work.overdue, username
        dispatcher = worklist_for_user(User.objects.get(username="dispatcher"))
        assert len(dispatcher.to_assess) >= 3

    def test_industry_and_court_room_mediators_handle_their_own_kind(
        self, demo: DemoCaseSummary
    ) -> None:
        industry = User.objects.get(username="mediator_industry")
        court = User.objects.get(username="mediator_court")
        committee = RoleGrant.objects.get(user=industry).org
        room = RoleGrant.objects.get(user=court).org
        assert committee is not None
        assert committee.kind.code == "committee_industry"
        assert room is not None
        assert room.kind.code == "room_court"
        assert industry.person.memberships.filter(org=committee).exists()
        assert court.person.memberships.filter(org=room).exists()
        handled = Case.objects.filter(handler=industry)
        assert handled.count() >= 8
        assert set(handled.values_list("category", flat=True)) == {"medical"}
        assert set(handled.values_list("handling_org", flat=True)) == {committee.pk}
        sent = Case.objects.filter(handler=court)
        assert set(sent.values_list("channel", flat=True)) == {IntakeChannel.COURT_PRE}
        assert set(sent.values_list("handling_org", flat=True)) == {room.pk}

    def test_escalated_cases_wait_for_the_county_dispatcher(
        self, demo: DemoCaseSummary, client: Client
    ) -> None:
        county = User.objects.get(username="dispatcher_county")
        platform = RoleGrant.objects.get(user=county).org
        assert platform is not None
        assert platform.region.code == COUNTY_CODE
        waiting = queue_cases(county, TO_DISPATCH).filter(timeline__action="escalate").distinct()
        assert waiting.count() >= 3
        case = waiting.first()
        assert case is not None
        assert case.platform == platform
        assert case.handling_org is None
        # The township dispatcher no longer holds it; the county dispatcher is offered 交办.
        township = User.objects.get(username="dispatcher")
        assert not queue_cases(township, TO_DISPATCH).filter(pk=case.pk).exists()
        client.force_login(county)
        html = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="dispatch-advice"' in html

    def test_a_demo_party_is_found_by_its_hash(self, demo: DemoCaseSummary) -> None:
        party = Party.objects.order_by("pk").first()
        assert party is not None
        found = Party.objects.filter(id_number_hash=lookup_hash(party.id_number))
        assert party in found
        assert Party.objects.filter(phone_hash=lookup_hash(party.phone)).exists()
        assert len(party.id_number) == 18

    def test_the_sweep_runs_over_the_demo(self, demo: DemoCaseSummary) -> None:
        assert DueItem.objects.filter(status="open", next_check_at__lte=timezone.now()).exists()

        result = sweep_due_items()

        assert result.examined > 0
        assert sweep_due_items().reminded == 0


@pytest.mark.usefixtures("seeded")
class TestDemoHistoryHasItsPeople:
    """The simulated history as the statistics read it: a mediator of record on most concluded
    cases, and archived agreements whose obligations were settled (协议履行率 has figures)."""

    def test_concluded_cases_have_a_mediator_of_record(self, db: None) -> None:
        accepted = Case.objects.filter(
            status__in=[CaseStatus.RESOLVED, CaseStatus.ARCHIVED], handling_org__isnull=False
        )
        assert accepted.count() > 20
        handled = accepted.filter(handler__isnull=False)
        assert handled.count() >= 0.8 * accepted.count()
        # Each handler works in the org that handles the case, with the mediator's role.
        for case in handled.select_related("handler")[:30]:
            assert case.handler.role_grants.filter(
                org=case.handling_org_id, role__code="mediator"
            ).exists(), case.number

    def test_archived_agreements_were_performed_or_defaulted(self, db: None) -> None:
        items = PerformanceItem.objects.filter(case__status=CaseStatus.ARCHIVED)
        assert items.filter(status=PerformanceStatus.PERFORMED).exists()
        for item in items.prefetch_related("records"):
            paid = sum(r.amount or 0 for r in item.records.all() if r.kind == "performed")
            assert paid == item.performed_amount, item.pk
            assert item.due_date < timezone.localdate()
        # Cases still 调解成功 are left to fulfilment (the services), none settled here.
        assert not PerformanceItem.objects.filter(case__status=CaseStatus.RESOLVED).exists()
