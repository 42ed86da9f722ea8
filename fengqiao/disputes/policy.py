"""Who may do what to a case, and which platform stands over a place — one module that pages,
the API and the services all ask.

**Actions.** ``case_may(user, case, action)`` answers for every action on a case: the workflow
actions (研判, 交办, 不予受理, 上报, 撤回, 开始调解, 中止, 恢复, 达成协议, 调解不成, 转出, 归档),
受理 and 退回 on its 交办单 (``order_may`` for one order), 延期, 回访 and 更正回访, and ``mediate``
(the mediation record: consent, rights notice, sessions, evidence, expert opinions). An action
is allowed when the case's state allows it and the user stands on a side that takes it:

- ``platform``: acts (研判 permission) for the platform holding the case or one above it;
- ``handler``: acts (办理 permission) for the org handling it (the lead in joint mediation);
- ``archiver``: the handling org, else the platform, files the closed case;
- ``receiver``: acts for the org a pending 交办单 is addressed to (受理, 退回).

``case_sides`` names every side a user stands on, including those that only see the case: a
joint (coordinating) org, the court or police station that sent it (``Case.source_org``) and
the reporter.

**Platforms.**
The 属地 platform (DESIGN §2) of a place is the active 综治中心/平安办 of the lowest region, from
the place's own region up, that has one: a village committee's cases belong to its township's
平安办, whatever the committee's parents are (村调委会 → 乡镇调委会 → 司法所 → 司法局 lead to the
county 综治中心, which is not where a village's dispute is registered). A platform is its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.access import grant_org_ids, holds_at, scope_for
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
)
from fengqiao.disputes.hooks import barred_mediators, mediation_blocker, mediators_barred_until
from fengqiao.disputes.models import Case, DispatchOrder, DueItem
from fengqiao.disputes.permissions import ARCHIVE_CASE, ASSESS_CASE, HANDLE_CASE, VIEW_CASE
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.workflow import TransitionNotAllowed, next_status
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization, Person
from fengqiao.regions.models import Region


def is_platform(org: Organization) -> bool:
    return org.is_active and org.kind.family == OrgFamily.PLATFORM


def _platforms_at(paths: Iterable[str]) -> dict[str, Organization]:
    """The active platform of each region path that has one (the oldest, if several)."""
    wanted = set(paths)
    if not wanted:
        return {}
    found: dict[str, Organization] = {}
    rows = (
        Organization.objects.filter(
            kind__family=OrgFamily.PLATFORM, is_active=True, region__path__in=wanted
        )
        .select_related("region", "kind")
        .order_by("-pk")
    )
    for platform in rows:
        found[platform.region.path] = platform  # the lowest pk wins
    return found


def _lowest(paths: list[str], platforms: dict[str, Organization]) -> Organization | None:
    # Ancestor paths are prefixes of one another: the longest is the lowest region.
    for path in sorted(paths, key=len, reverse=True):
        if path in platforms:
            return platforms[path]
    return None


def platform_above(place: Organization | Region) -> Organization | None:
    """The 属地 platform of an org or a region: a platform org itself, else the platform of the
    lowest region, from the place's region up, that has one (None if no region has one)."""
    if isinstance(place, Organization):
        if is_platform(place):
            return place
        region = place.region
    else:
        region = place
    paths = [*region.ancestor_paths(), region.path]
    return _lowest(paths, _platforms_at(paths))


def upper_platforms(orgs: Iterable[Organization]) -> dict[int, Organization | None]:
    """For each org, the platform one level above it: the platform of the lowest region that
    strictly contains the org's region (a village committee → its township's 平安办; a township
    org or the township's 平安办 → the county 综治中心). Levels without a platform are skipped.
    One query for all of them (org id → platform or None)."""
    orgs = list(orgs)
    ancestors = {org.pk: org.region.ancestor_paths() for org in orgs}
    platforms = _platforms_at(path for paths in ancestors.values() for path in paths)
    return {org.pk: _lowest(ancestors[org.pk], platforms) for org in orgs}


def upper_platform(org: Organization) -> Organization | None:
    """The platform one level above ``org`` (``upper_platforms`` of one)."""
    return upper_platforms([org])[org.pk]


# The channels by which a court or a police station sends a case, and the family of the sender.
SOURCE_FAMILIES: dict[str, str] = {
    IntakeChannel.COURT_PRE: OrgFamily.COURT,
    IntakeChannel.COURT_POST: OrgFamily.COURT,
    IntakeChannel.POLICE: OrgFamily.POLICE,
}


def source_org_for(actor: Any, channel: str) -> Organization | None:
    """来源单位 of a case ``actor`` registers by ``channel``: for a court's 委派/委托 or a police
    station's 警调, the court (tribunal) or station the actor acts for, the lowest first."""
    family = SOURCE_FAMILIES.get(channel)
    if family is None:
        return None
    orgs = Organization.objects.filter(
        pk__in=grant_org_ids(actor), kind__family=family, is_active=True
    ).select_related("region")
    return max(orgs, key=lambda o: (len(o.region.path), -o.pk), default=None)


def platform_chain(platform: Organization) -> list[int]:
    """The platform and every platform above it, lowest first: a county dispatcher may act on a
    township's case; the township no longer acts on a case it has escalated to the county."""
    region = platform.region
    paths = region.ancestor_paths()
    platforms = _platforms_at(paths)
    above = [platforms[p].pk for p in sorted(paths, key=len, reverse=True) if p in platforms]
    return [platform.pk, *(pk for pk in above if pk != platform.pk)]


# --- Sides and actions --------------------------------------------------------------------------

PLATFORM = "platform"  # the platform holding the case, or one above it
HANDLER = "handler"  # the org handling the case (its lead org in joint mediation)
ARCHIVER = "archiver"  # whoever files the closed case: the handling org, else the platform
RECEIVER = "receiver"  # the org a pending 交办单 is addressed to
JOINT = "joint"  # an org on the case by an accepted 交办单 that does not lead it
SOURCE = "source"  # the court or police station that sent the case (委派/委托, 移交)
REPORTER = "reporter"  # who registered it

# Actions outside the workflow table.
EXTEND = "extend"  # 延长调解期限
FOLLOW_UP = "follow_up"  # 回访
FOLLOW_UP_CORRECT = "follow_up_correct"  # 更正回访
MEDIATE = "mediate"  # the mediation record: consent, rights notice, sessions, evidence, opinions
FULFIL = "fulfil"  # 履行: the agreement's obligations, payments and defaults, the certificate

# Which sides take each workflow action. 受理 and 退回 are answered on a 交办单 (``order_may``).
ACTION_SIDES: dict[str, tuple[str, ...]] = {
    CaseAction.ASSESS: (PLATFORM,),
    CaseAction.DISPATCH: (PLATFORM,),
    CaseAction.REJECT: (PLATFORM,),
    CaseAction.ESCALATE: (PLATFORM, HANDLER),
    CaseAction.WITHDRAW: (PLATFORM, HANDLER),
    CaseAction.START: (HANDLER,),
    CaseAction.SUSPEND: (HANDLER,),
    CaseAction.RESUME: (HANDLER,),
    CaseAction.AGREE: (HANDLER,),
    CaseAction.FAIL: (HANDLER,),
    CaseAction.REFER: (HANDLER,),
    CaseAction.ARCHIVE: (ARCHIVER,),
    CaseAction.ACCEPT: (RECEIVER,),
    CaseAction.RETURN: (RECEIVER,),
}
# And the others: 延期 and the mediation record belong to whoever runs the mediation; a visit
# (回访) is made by the handling org or the platform.
OTHER_SIDES: dict[str, tuple[str, ...]] = {
    EXTEND: (HANDLER,),
    MEDIATE: (HANDLER,),
    FOLLOW_UP: (HANDLER, PLATFORM),
    FOLLOW_UP_CORRECT: (HANDLER, PLATFORM),
    FULFIL: (HANDLER,),
}
# The handling org follows the agreement's performance (DESIGN §2: the lead monitors fulfilment)
# while the case stands resolved; filing it (归档) closes the record.
FULFILMENT_STATES = (CaseStatus.RESOLVED,)
# Every action a case page, the API or a service may ask about.
ALL_ACTIONS: tuple[str, ...] = (*CaseAction.values, *OTHER_SIDES)

# States in which the mediation is run (and 延期 and the mediation record are open).
MEDIATION_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED)
# States in which a 交办单 can be answered: the case waits for its orgs, or is being handled
# and a coordinating org joins (or declines).
ORDER_ANSWERABLE = (
    CaseStatus.DISPATCHED,
    CaseStatus.ACCEPTED,
    CaseStatus.MEDIATING,
    CaseStatus.SUSPENDED,
)

# Actions that mediate, and so need every party's consent and the rights notice first
# (人民调解法 art. 17: 当事人一方明确拒绝调解的，不得调解), with the words their refusal uses.
NEEDS_CONSENT: dict[str, Any] = {
    CaseAction.START: gettext_lazy("开始调解"),
    CaseAction.AGREE: gettext_lazy("达成调解协议"),
}


def holds(actor: Any, perm: str, org_ids: Iterable[int | None]) -> bool:
    """``actor`` holds ``perm`` through a grant at one of ``org_ids`` (or everywhere)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if scope_for(actor, perm).everything:
        return True
    return holds_at(actor, perm, org_ids)


def on_side(actor: Any, case: Case, side: str) -> bool:
    """Whether ``actor`` stands on ``side`` of ``case`` (the sides that act; see ``case_sides``
    for all of them)."""
    if side == PLATFORM:
        return holds(actor, ASSESS_CASE, platform_chain(case.platform))
    if side == HANDLER:
        return case.handling_org_id is not None and holds(
            actor, HANDLE_CASE, [case.handling_org_id]
        )
    if side == ARCHIVER:
        if case.handling_org_id is not None:
            return holds(actor, ARCHIVE_CASE, [case.handling_org_id])
        chain = platform_chain(case.platform)
        return holds(actor, ARCHIVE_CASE, chain) or holds(actor, ASSESS_CASE, chain)
    if side == RECEIVER:
        return any(order_may(actor, o, case, CaseAction.ACCEPT) for o in _pending(case))
    if side == JOINT:
        joined = case.dispatches.filter(status=DispatchStatus.ACCEPTED).exclude(
            to_org_id=case.handling_org_id
        )
        return holds(actor, HANDLE_CASE, joined.values_list("to_org_id", flat=True))
    if side == SOURCE:
        source_id = getattr(case, "source_org_id", None)
        return source_id is not None and holds(actor, VIEW_CASE, [source_id])
    if side == REPORTER:
        return case.registered_by_id is not None and case.registered_by_id == actor.pk
    return False


def case_sides(actor: Any, case: Case) -> set[str]:
    """Every side ``actor`` stands on towards ``case``."""
    sides = (PLATFORM, HANDLER, ARCHIVER, RECEIVER, JOINT, SOURCE, REPORTER)
    return {side for side in sides if on_side(actor, case, side)}


def _pending(case: Case) -> list[DispatchOrder]:
    return list(
        case.dispatches.filter(status__in=[DispatchStatus.PENDING, DispatchStatus.ACCEPTED])
    )


def order_may(actor: Any, order: DispatchOrder, case: Case, action: str) -> bool:
    """受理 or 退回 of one 交办单 by ``actor``: someone acting (办理 permission) for its receiving
    org, while the order is pending and the case waits for its orgs or is being handled (a
    coordinating org joins or declines). The handling org may also return the case it accepted,
    before mediation starts."""
    if not holds(actor, HANDLE_CASE, [order.to_org_id]):
        return False
    if order.status == DispatchStatus.PENDING:
        if action == CaseAction.ACCEPT and own_refusal(actor) is not None:
            return False  # 受理 makes the actor the case's 承办人: not while suspended
        return case.status in ORDER_ANSWERABLE
    if action != CaseAction.RETURN or order.status != DispatchStatus.ACCEPTED:
        return False
    if case.handling_org_id != order.to_org_id:
        return False
    try:
        next_status(case.status, CaseAction.RETURN)
    except TransitionNotAllowed:
        return False
    return True


def _mediation_running(case: Case) -> bool:
    return DueItem.objects.filter(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN).exists()


def case_may(actor: Any, case: Case, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``case`` now (every action of ``ALL_ACTIONS``).
    Pages offer exactly what this allows, and the services accept exactly that."""
    if action in (CaseAction.ACCEPT, CaseAction.RETURN):
        return any(order_may(actor, o, case, action) for o in _pending(case))
    if action in OTHER_SIDES:
        if action in (EXTEND, MEDIATE):
            if case.status not in MEDIATION_STATES:
                return False
        elif action == FULFIL:
            if case.status not in FULFILMENT_STATES:
                return False
        elif case.is_open:
            return False
        if not any(on_side(actor, case, side) for side in OTHER_SIDES[action]):
            return False
        if action == EXTEND:
            return _mediation_running(case)
        if action == FOLLOW_UP_CORRECT:
            return case.follow_ups.exists()
        return True
    try:
        next_status(case.status, action)
    except TransitionNotAllowed:
        return False
    if not any(on_side(actor, case, side) for side in ACTION_SIDES.get(action, ())):
        return False
    return action not in NEEDS_CONSENT or mediation_blocker(case, "") is None


def case_handled_by(actor: Any, case: Case) -> bool:
    """``actor`` acts for the org handling ``case`` (its lead org in joint mediation)."""
    return on_side(actor, case, HANDLER)


def require_consent(case: Case, action: str) -> None:
    """Refuse a mediating action (开始调解, 达成协议) until every party has consented and been
    told their rights; the message says who has not."""
    blocker = mediation_blocker(case, str(NEEDS_CONSENT[action]))
    if blocker is not None:
        raise CaseRuleError(blocker)


# --- Which mediators a case may be given ------------------------------------------------------
#
# One rule for the 交办 page's 建议调解员 (and the platform's recommendation, made from the same
# choices) and for the services that name a mediator on a 交办单 (交办, a court's 委派/委托):
# a mediator suspended by a complaint's 暂停调解工作 (the mediators app answers, through
# ``hooks``) is neither offered nor accepted until the suspension ends.


def unassignable_mediator_ids() -> Any:
    """The ids of the people who may not be given a case today (a subquery, for the choices of
    an app above: a court's roster)."""
    return barred_mediators(timezone.localdate())


def assignable_mediators(people: QuerySet[Person]) -> QuerySet[Person]:
    """Those of ``people`` who may be given a case today."""
    return people.exclude(pk__in=unassignable_mediator_ids())


def mediator_refusal(person: Person) -> str | None:
    """Why ``person`` may not be given a case today, or ``None``."""
    until = mediators_barred_until([person.pk], timezone.localdate()).get(person.pk)
    if until is None:
        return None
    return _("调解员%(name)s暂停调解工作至%(until)s，期间不能为其分派案件。") % {
        "name": person.name,
        "until": f"{until:%Y-%m-%d}",
    }


def own_refusal(actor: Any) -> str | None:
    """Why ``actor`` (a mediator with a login) may not take a case today — 受理 makes them its
    承办人 — or ``None``. Asked once per request: kept on the user object for the day."""
    today = timezone.localdate()
    kept = getattr(actor, "_fq_own_refusal", None)
    if kept is not None and kept[0] == today:
        return kept[1]
    refusal = None
    if getattr(actor, "pk", None) is not None:
        # One query: the person of the login, as a subquery of the suspensions'.
        mine = Person.objects.filter(user_id=actor.pk).values("pk")
        until = max(mediators_barred_until(mine, today).values(), default=None)
        if until is not None:
            refusal = _("您暂停调解工作至%(until)s，期间不能受理案件。") % {
                "until": f"{until:%Y-%m-%d}"
            }
    if actor is not None:
        actor._fq_own_refusal = (today, refusal)
    return refusal


def require_assignable(person: Person | None) -> None:
    """Refuse to name ``person`` on a case while they may not be given one."""
    if person is not None:
        refusal = mediator_refusal(person)
        if refusal is not None:
            raise CaseRuleError(refusal)
