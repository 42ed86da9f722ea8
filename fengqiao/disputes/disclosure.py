"""What a user is shown of a party's personal data — the one rule that every page, export and the
API apply (DESIGN §5: masked in every view and export unless the role needs it).

By need, from the sides of a case (``disputes/policy.py``):

- **Names.** Those who work the case see the parties' names in full: the platform holding it
  (or one above it), the handling org, a joint org, an org a pending 交办单 is addressed to, the
  court or police station that sent it, and whoever registered it. Everyone else who may see the
  case — a leader, a county-wide viewer, the 司法所 supervising a committee, a village's grid
  worker or mediator looking at a case they do not work — sees a person's name masked (``张**``).
  An organization's name is not personal data and is always shown.
- **ID numbers and phones** are masked for everyone, on every page, list, export and in the API.
  Who needs one to do the work reveals it for one party with a POST that is written to the audit
  log (``data.personal_viewed``, the values never in it): a phone — the handling org, a joint
  org and the platform, to call the party; an ID number — the handling org and a joint org, for
  the agreement and 司法确认.

``case_disclosure(user, case)`` answers for one case and ``disclosures(user, cases)`` for a page
of them (a few queries for the whole page); pages, exports and the API print the ``ShownParty``
values they return and decide nothing themselves. docs/security.md has the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404

from fengqiao.accounts.access import grant_org_ids, holds_at, scope_for
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.masking import mask_id_number, mask_name, mask_phone
from fengqiao.core.paths import subtree_q
from fengqiao.disputes import policy
from fengqiao.disputes.choices import DispatchStatus, PartyKind, PartyRole
from fengqiao.disputes.models import Case, DispatchOrder, Party
from fengqiao.disputes.permissions import ASSESS_CASE, HANDLE_CASE, VIEW_CASE
from fengqiao.orgs.models import Organization

NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"

# The sides that work a case, and so see its parties' names in full.
NAME_SIDES = frozenset(
    {
        policy.PLATFORM,
        policy.HANDLER,
        policy.JOINT,
        policy.RECEIVER,
        policy.SOURCE,
        policy.REPORTER,
    }
)
# Who may reveal each masked value of a party (POST, audited): the phone to call the party, the
# ID number for the agreement and 司法确认.
REVEAL_SIDES: dict[str, frozenset[str]] = {
    PHONE: frozenset({policy.PLATFORM, policy.HANDLER, policy.JOINT}),
    ID_NUMBER: frozenset({policy.HANDLER, policy.JOINT}),
}


@dataclass(frozen=True)
class ShownParty:
    """A party as one user is shown it: the name as the rule allows, the ID number and phone
    masked, and which of them this user may reveal."""

    pk: int | None
    role: str
    role_label: str
    kind: str
    name: str
    id_number: str
    phone: str
    revealable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disclosure:
    """What one user is shown of one case's parties (the sides they stand on towards it)."""

    sides: frozenset[str]

    @property
    def full_names(self) -> bool:
        return bool(self.sides & NAME_SIDES)

    def may_reveal(self, field: str) -> bool:
        return bool(self.sides & REVEAL_SIDES.get(field, frozenset()))

    @property
    def revealable(self) -> tuple[str, ...]:
        return tuple(f for f in (PHONE, ID_NUMBER) if self.may_reveal(f))

    def name(self, name: str, kind: str = PartyKind.PERSON) -> str:
        if kind != PartyKind.PERSON or self.full_names:
            return name
        return mask_name(name)

    def party(self, party: Party) -> ShownParty:
        has = [f for f in self.revealable if getattr(party, f)]
        return ShownParty(
            pk=party.pk,
            role=party.role,
            role_label=str(party.get_role_display()),
            kind=party.kind,
            name=self.name(party.name, party.kind),
            id_number=mask_id_number(party.id_number),
            phone=mask_phone(party.phone),
            revealable=tuple(has),
        )

    def parties(self, parties: Iterable[Party]) -> list[ShownParty]:
        return [self.party(p) for p in parties]

    def reported(self, party: Mapping[str, str]) -> ShownParty:
        """A party as a 重复反映 recorded it (a dict, not a row: nothing to reveal)."""
        role = party.get("role", "")
        kind = party.get("kind", PartyKind.PERSON)
        labels = dict(PartyRole.choices)
        return ShownParty(
            pk=None,
            role=role,
            role_label=str(labels.get(role, role)),
            kind=kind,
            name=self.name(party.get("name", ""), kind),
            id_number=mask_id_number(party.get("id_number", "")),
            phone=mask_phone(party.get("phone", "")),
        )


MASKED = Disclosure(frozenset())


def _orgs_holding(user: Any, perm: str) -> frozenset[int] | None:
    """The orgs ``user`` holds ``perm`` at (None: everywhere), from the loaded grants."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if scope_for(user, perm).everything:
        return None
    return frozenset(pk for pk in grant_org_ids(user) if holds_at(user, perm, [pk]))


def _at(held: frozenset[int] | None, org_id: int | None) -> bool:
    return org_id is not None and (held is None or org_id in held)


def _case_sides(user: Any, cases: Sequence[Case]) -> dict[int, set[str]]:
    """The sides ``user`` stands on towards each case, as ``policy.on_side`` defines them for
    reading (a joint org by an accepted 交办单, a receiver by a pending one), for a whole page:
    no query for a user who assesses and handles nowhere, one for the page's 交办单 and one per
    distinct platform otherwise."""
    sides: dict[int, set[str]] = {c.pk: set() for c in cases}
    if not cases or not getattr(user, "is_authenticated", False):
        return sides
    assess = _orgs_holding(user, ASSESS_CASE)
    handle = _orgs_holding(user, HANDLE_CASE)
    view = _orgs_holding(user, VIEW_CASE)
    chains: dict[int, list[int]] = {}
    for case in cases:
        found = sides[case.pk]
        if case.registered_by_id is not None and case.registered_by_id == user.pk:
            found.add(policy.REPORTER)
        if _at(handle, case.handling_org_id):
            found.add(policy.HANDLER)
        if _at(view, case.source_org_id):
            found.add(policy.SOURCE)
        if assess is None or case.platform_id in (assess or ()):
            found.add(policy.PLATFORM)
        elif assess:
            if case.platform_id not in chains:
                chains[case.platform_id] = policy.platform_chain(case.platform)
            if assess.intersection(chains[case.platform_id]):
                found.add(policy.PLATFORM)
    if handle is None or handle:
        orders = DispatchOrder.objects.filter(
            case_id__in=list(sides),
            status__in=[DispatchStatus.PENDING, DispatchStatus.ACCEPTED],
        )
        if handle is not None:
            orders = orders.filter(to_org_id__in=list(handle))
        handling = {c.pk: c.handling_org_id for c in cases}
        for case_id, org_id, status in orders.values_list("case_id", "to_org_id", "status"):
            if status == DispatchStatus.PENDING:
                sides[case_id].add(policy.RECEIVER)
            elif org_id != handling[case_id]:
                sides[case_id].add(policy.JOINT)
    return sides


def names_in_full_q(user: Any) -> Q:
    """The cases whose parties' names ``user`` reads in full, as a filter: the same sides as
    ``disclosures`` (a test holds the two together), so a search by a party's name finds only
    cases where the name is shown — a leader cannot confirm a masked name by typing it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    assess = _orgs_holding(user, ASSESS_CASE)
    handle = _orgs_holding(user, HANDLE_CASE)
    view = _orgs_holding(user, VIEW_CASE)
    if assess is None or handle is None or view is None:
        # Everywhere: every case the user can see has it on that side.
        return Q()
    q = Q(registered_by_id=user.pk)
    q |= Q(handling_org_id__in=list(handle)) | Q(source_org_id__in=list(view))
    if assess:
        q |= Q(platform_id__in=list(assess))
        # A platform acts on the cases of the platforms below it (``policy.platform_chain``):
        # those whose platform lies strictly under its region, where it is the region's own.
        held = Organization.objects.filter(pk__in=list(assess)).select_related("region")
        for platform in held:
            if not policy.is_platform(platform):
                continue
            path = platform.region.path
            chosen = policy.platform_above(platform.region)
            if chosen is None or chosen.pk != platform.pk:
                continue
            q |= subtree_q([path], field="platform__region__path") & ~Q(platform__region__path=path)
    if handle:
        orders = DispatchOrder.objects.filter(
            to_org_id__in=list(handle),
            status__in=[DispatchStatus.PENDING, DispatchStatus.ACCEPTED],
        )
        q |= Q(pk__in=orders.values("case_id"))
    return q


def disclosures(user: Any, cases: Iterable[Case]) -> dict[int, Disclosure]:
    """case id → what ``user`` is shown of that case's parties."""
    found = _case_sides(user, list(cases))
    return {pk: Disclosure(frozenset(s)) for pk, s in found.items()}


def case_disclosure(user: Any, case: Case) -> Disclosure:
    """``disclosures`` of one case, kept on the case object for the rest of the request (the
    case page asks for its parties, its mediation record and its 重复反映)."""
    cache: dict[int | None, Disclosure] = case.__dict__.setdefault("_fengqiao_disclosure", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = disclosures(user, [case])[case.pk]
    return cache[key]


@dataclass(frozen=True)
class RevealedParty:
    """A party's unmasked values, as far as the user may reveal them (the rest stay masked)."""

    shown: ShownParty
    id_number: str
    phone: str


def party_reveal(*, actor: Any, case: Case, party_id: int) -> RevealedParty:
    """The full phone and/or ID number of one party of ``case`` (a case ``actor`` may see), for
    a user whose side needs them (403 for anyone else; 404 for a party of another case).
    The viewing is written to the audit log — which values, never the values."""
    disclosure = case_disclosure(actor, case)
    party = get_object_or_404(Party.objects.filter(case=case), pk=party_id)
    shown = disclosure.party(party)
    if not shown.revealable:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.PERSONAL_DATA_VIEWED,
            object_type="disputes.party",
            object_id=str(party.pk),
            object_repr=f"{case.number} {shown.role_label}",
            after={"case": case.number, "fields": list(shown.revealable)},
        )
    return RevealedParty(
        shown=shown,
        id_number=party.id_number if ID_NUMBER in shown.revealable else shown.id_number,
        phone=party.phone if PHONE in shown.revealable else shown.phone,
    )
