"""What the referral tests share: a roster entry approved by the tribunal, a 委派 case
registered by its clerk (the one intake) and sent to the 驻庭调解室's invited mediator."""

from __future__ import annotations

from typing import Any

from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.services.referral import referral_send, roster_apply, roster_approve
from fengqiao.disputes.choices import IntakeChannel
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import dispatch_accept
from fengqiao.disputes.tests.factories import register_case, staff


def approved_member(cast: Any, world: Any, *, org: Any = None, person: Any = None) -> RosterMember:
    """甲镇人民法庭's roster: the 驻庭调解室 with its mediator, applied for by the mediator and
    approved by the judge (or ``org``/``person`` as given)."""
    org = org or world.court_room_a
    person = person if person is not None else world.room_mediator_person
    applicant = person.user if person is not None and person.user else org_admin(world)
    entry = roster_apply(actor=applicant, court=world.tribunal_a, org=org, mediator=person)
    return roster_approve(actor=cast.judge, entry_id=entry.pk)


def org_admin(world: Any) -> Any:
    """甲镇's 机构管理员 (org administrator over the township: applies for its orgs)."""
    from fengqiao.accounts.models import User

    found = User.objects.filter(username="orgadmin_a").first()
    return found or staff("orgadmin_a", "org_admin", world.justice_office_a)


def court_case(cast: Any, world: Any, channel: str = IntakeChannel.COURT_PRE, **extra: Any) -> Case:
    """A 委派 (or 委托) case the tribunal's clerk registers at 东村."""
    return register_case(
        actor=cast.court_clerk,
        platform=world.town_a_platform,
        region=world.village_east,
        channel=channel,
        title=extra.pop("title", "买卖合同欠款纠纷"),
        **extra,
    )


def sent_case(cast: Any, world: Any, **kwargs: Any) -> tuple[Case, CourtReferral]:
    member = approved_member(cast, world)
    case = court_case(cast, world)
    referral = referral_send(actor=cast.court_clerk, case_id=case.pk, member_id=member.pk, **kwargs)
    case.refresh_from_db()
    return case, referral


def accepted_case(cast: Any, world: Any) -> tuple[Case, CourtReferral]:
    case, referral = sent_case(cast, world)
    case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    referral.refresh_from_db()
    return case, referral


def platform_commission(
    cast: Any, world: Any, *, accept: bool = True
) -> tuple[Case, CourtReferral]:
    """A 委托 the tribunal's clerk registered and 甲镇平安办 dispatched the ordinary way to the
    驻庭调解室 (no 案号, no procedure on the referral), accepted by its mediator unless
    ``accept`` is false."""
    from fengqiao.disputes.choices import RiskGrade
    from fengqiao.disputes.services.dispatch import case_assess, case_dispatch

    case = court_case(cast, world, channel=IntakeChannel.COURT_POST, title="房屋买卖合同纠纷")
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.court_room_a]
    )
    if accept:
        case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    return case, CourtReferral.objects.get(case=case)
