"""The demo county's court referrals (诉调对接): each court's 特邀调解 roster (its 驻庭调解室 and
their mediators approved, one application waiting, one member removed), a referral record for
every simulated case a court sent (its state from the case's), and a few referrals of the demo
tribunal walked through the services so every state is there — 待委派, 已委派, 调解中, 调解成功,
调解不成已退回 (one filed), 期满退回 and 撤回 — for the demo ``clerk``, ``judge`` and
``mediator_court``. A few dozen rows and six cases: it adds well under a second to the seed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.models.referral import ReferralKind, ReferralStatus, RosterStatus
from fengqiao.court.services.referral import referral_file, referral_send, return_expired
from fengqiao.disputes.choices import (
    CaseStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    PartyRole,
)
from fengqiao.disputes.models import Case, DueItem
from fengqiao.disputes.services.dispatch import dispatch_accept
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.handling import mediation_start
from fengqiao.disputes.services.intake import IntakeReport, case_register, intake_platform
from fengqiao.disputes.services.outcomes import case_withdraw
from fengqiao.mediation import services as mediation
from fengqiao.mediation.choices import AgreementKind, ConsentDecision, ContactMethod
from fengqiao.mediation.outcomes import case_agree, case_fail
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Membership, Organization
from fengqiao.regions.models import Region

COURT_CHANNELS = (IntakeChannel.COURT_PRE, IntakeChannel.COURT_POST)
# The referral state a simulated court case is in, by the case's state.
STATE_OF_CASE: dict[str, str] = {
    CaseStatus.DISPATCHED: ReferralStatus.SENT,
    CaseStatus.ACCEPTED: ReferralStatus.MEDIATING,
    CaseStatus.MEDIATING: ReferralStatus.MEDIATING,
    CaseStatus.SUSPENDED: ReferralStatus.MEDIATING,
    CaseStatus.RESOLVED: ReferralStatus.SUCCEEDED,
    CaseStatus.FAILED: ReferralStatus.RETURNED,
    CaseStatus.REFERRED_OUT: ReferralStatus.RETURNED,
    CaseStatus.WITHDRAWN: ReferralStatus.WITHDRAWN,
}


def _court_of(room: Organization, courts: list[Organization]) -> Organization | None:
    """The court a 驻庭调解室 serves: the tribunal of its township, else the county court."""
    same = [c for c in courts if c.region_id == room.region_id]
    if same:
        return same[0]
    above = [c for c in courts if room.region.path.startswith(c.region.path)]
    return max(above, key=lambda c: len(c.region.path), default=None)


def _roster(today: Any) -> dict[int, RosterMember]:
    """Every court's roster: its rooms and their mediators, approved (room pk → org entry)."""
    courts = list(
        Organization.objects.filter(kind__family=OrgFamily.COURT).select_related("region")
    )
    rooms = list(Organization.objects.filter(kind__code="room_court").select_related("region"))
    people = Membership.objects.filter(org__in=rooms, ended_on__isnull=True).select_related(
        "person"
    )
    entries: list[RosterMember] = []
    by_room: dict[int, RosterMember] = {}
    now = timezone.now()
    for room in rooms:
        court = _court_of(room, courts)
        if court is None:
            continue
        entry = RosterMember(
            court=court,
            org=room,
            status=RosterStatus.APPROVED,
            applied_at=now - timedelta(days=200),
            decided_at=now - timedelta(days=190),
            review_due=today + timedelta(days=175),
        )
        entries.append(entry)
        by_room[room.pk] = entry
        for m in people:
            if m.org_id == room.pk:
                entries.append(
                    RosterMember(
                        court=court,
                        org=room,
                        mediator=m.person,
                        status=RosterStatus.APPROVED,
                        applied_at=now - timedelta(days=200),
                        decided_at=now - timedelta(days=190),
                        review_due=today + timedelta(days=175),
                    )
                )
    # The tribunals' paired village committees: one waiting for approval, one removed.
    for court in courts:
        paired = list(court.paired_orgs.order_by("pk")[:2])
        if paired:
            entries.append(RosterMember(court=court, org=paired[0], applied_at=now))
        if len(paired) > 1:
            entries.append(
                RosterMember(
                    court=court,
                    org=paired[1],
                    status=RosterStatus.REMOVED,
                    applied_at=now - timedelta(days=400),
                    decided_at=now - timedelta(days=20),
                    removed_reason="年度复核：全年未承接委派案件，调解员已调离",
                )
            )
    RosterMember.objects.bulk_create(entries)
    return by_room


def _simulated(by_room: dict[int, RosterMember]) -> int:
    """A referral for each simulated case a court sent to a room on its roster."""
    cases = list(
        Case.objects.filter(
            channel__in=COURT_CHANNELS, handling_org_id__in=list(by_room)
        ).select_related("failure", "handling_org")
    )
    referrals = []
    for case in cases:
        room = case.handling_org
        if room is None:  # pragma: no cover - filtered on the handling org
            continue
        entry = by_room[room.pk]
        status = STATE_OF_CASE.get(case.status)
        if status is None:  # archived: its outcome
            status = (
                ReferralStatus.RETURNED
                if hasattr(case, "failure") and case.closed_at
                else ReferralStatus.SUCCEEDED
            )
        failure = getattr(case, "failure", None)
        returned = status not in (ReferralStatus.SENT, ReferralStatus.MEDIATING)
        referrals.append(
            CourtReferral(
                case=case,
                court_id=entry.court_id,
                kind=ReferralKind.PRE
                if case.channel == IntakeChannel.COURT_PRE
                else ReferralKind.POST,
                court_case_number=""
                if case.channel == IntakeChannel.COURT_PRE
                else f"（{case.registered_at.year}）演示民初{case.pk}号",
                procedure=case.procedure,
                org=room,
                status=status,
                sent_at=case.registered_at,
                accepted_at=None if status == ReferralStatus.SENT else case.registered_at,
                returned_at=(case.closed_at or case.registered_at) if returned else None,
                undisputed_facts=failure.undisputed_facts if failure else "",
                return_note=failure.note if failure else "",
            )
        )
        case.source_org_id = entry.court_id
    CourtReferral.objects.bulk_create(referrals)
    Case.objects.bulk_update(cases, ["source_org"])
    return len(referrals)


def _report(title: str, region: Region) -> IntakeReport:
    return IntakeReport(
        channel=IntakeChannel.COURT_PRE,
        category="contract",
        region=region,
        title=title,
        facts="原告诉至人民法庭，经引导同意先行调解。",
        parties=(
            PartyInput(role=PartyRole.APPLICANT, name="王建国", phone="13700001234"),
            PartyInput(role=PartyRole.RESPONDENT, name="赵丽华", phone="13600005678"),
        ),
    )


def _consent(case: Case, actor: User) -> None:
    parties = list(case.parties.all())
    for party in parties:
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


def _walked() -> int:
    """The demo tribunal's referrals in every state, through the services."""
    clerk = User.objects.filter(username="clerk").first()
    mediator = User.objects.filter(username="mediator_court").first()
    grant = RoleGrant.objects.filter(user=clerk).select_related("org__region").first()
    if clerk is None or mediator is None or grant is None or grant.org is None:
        return 0
    tribunal = grant.org
    member = (
        RosterMember.objects.filter(
            court=tribunal, status=RosterStatus.APPROVED, mediator__user=mediator
        ).first()
        or RosterMember.objects.filter(court=tribunal, status=RosterStatus.APPROVED).first()
    )
    region = Region.objects.filter(path__startswith=tribunal.region.path, level=5).first()
    if member is None or region is None:
        return 0
    platform = intake_platform(clerk, region)
    if platform is None:
        return 0

    def registered(title: str) -> Case:
        return case_register(actor=clerk, platform=platform, report=_report(title, region))

    def sent(title: str) -> Case:
        case = registered(title)
        referral_send(actor=clerk, case_id=case.pk, member_id=member.pk, note="请于30日内调解")
        return case

    def accepted(title: str) -> Case:
        case = sent(title)
        return dispatch_accept(actor=mediator, dispatch_id=case.dispatches.get().pk)

    def mediating(title: str) -> Case:
        case = accepted(title)
        _consent(case, mediator)
        return mediation_start(actor=mediator, case_id=case.pk, version=None)

    registered("买卖合同货款纠纷（待委派）")
    sent("民间借贷纠纷（已委派）")
    accepted("房屋租赁合同纠纷（调解中）")
    agreed = mediating("装修合同纠纷（调解成功）")
    case_agree(
        actor=mediator,
        case_id=agreed.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        terms="被申请人于本月底前支付装修尾款8000元。",
        facts="双方于去年签订装修合同，尾款未付。",
        disputed_points="尾款数额及支付期限。",
    )
    for title, filed in (
        ("劳务报酬纠纷（调解不成）", ""),
        ("借款合同纠纷（已立案）", f"（{timezone.localdate().year}）演示民初1号"),
    ):
        failed = mediating(title)
        case_fail(
            actor=mediator,
            case_id=failed.pk,
            version=None,
            undisputed_facts="双方确认借款5万元已实际交付，约定年底归还。",
            note="被申请人同意还款但不接受还款期限，建议法院立案审理。",
        )
        if filed:
            referral = CourtReferral.objects.get(case=failed)
            referral_file(actor=clerk, referral_id=referral.pk, filed_number=filed)
    # 期满退回: accepted 31 days ago and never agreed; the sweep's return sends it back.
    expired = accepted("合伙协议纠纷（期满退回）")
    back = timezone.now() - timedelta(days=31)
    item = DueItem.objects.get(case=expired, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
    DueItem.objects.filter(pk=item.pk).update(
        started_at=back, due_at=back + timedelta(days=30), next_check_at=back
    )
    CourtReferral.objects.filter(case=expired).update(accepted_at=back)
    return_expired([expired.pk])
    withdrawn = accepted("相邻通行纠纷（撤回）")
    case_withdraw(actor=mediator, case_id=withdrawn.pk, version=None, reason="申请人撤回调解申请")
    return CourtReferral.objects.filter(court=tribunal, case__registered_by=clerk).count()


def demo_referrals_seed(*, today: Any) -> tuple[int, int]:
    """The roster and the referrals; how many roster entries and referrals were written."""
    with transaction.atomic():
        by_room = _roster(today)
        simulated = _simulated(by_room)
    walked = _walked()
    return RosterMember.objects.count(), simulated + walked
