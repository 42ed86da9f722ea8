"""What disputes asks of ``mediation``, which sits above it and so may not be imported here
(docs/architecture.md): ``mediation`` answers from its ``AppConfig.ready``.

- ``mediation_blocker(case, step)``: why a mediating step (开始调解, 达成协议) cannot happen on
  the case now — a party refused, a consent or the rights notice is missing (人民调解法
  arts. 17 and 23) — or ``None``;
- ``sessions_held(case_ids)``: how many mediation sessions each case has had (the sweep's
  逾期未办结 report says so).

Asking before ``mediation`` has answered is a configuration error: a missing rule must never
read as "nothing stops mediation"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass
class _MediationHooks:
    blocker: Callable[[Any, str], str | None]
    sessions_held: Callable[[Iterable[int]], dict[int, int]]


_hooks: list[_MediationHooks] = []


def register_mediation_hooks(
    *,
    blocker: Callable[[Any, str], str | None],
    sessions_held: Callable[[Iterable[int]], dict[int, int]],
) -> None:
    _hooks[:] = [_MediationHooks(blocker, sessions_held)]


def _filled() -> _MediationHooks:
    if not _hooks:
        raise ImproperlyConfigured("disputes.hooks: the mediation app has not registered its hooks")
    return _hooks[0]


def mediation_blocker(case: Any, step: str) -> str | None:
    return _filled().blocker(case, step)


def sessions_held(case_ids: Iterable[int]) -> dict[int, int]:
    return _filled().sessions_held(case_ids)


# --- What the court app (above mediation) is told and asked -----------------------------------
#
# - every workflow action applied to a case, inside its transaction with the case row locked
#   (``after_transition``): a court's referral (委派/委托) follows its case — accepted, agreed,
#   failed, withdrawn — without disputes knowing the court exists;
# - the cases whose 委派 period has run out (``return_to_court``): the sweep hands them over
#   after its batch commits, and the court sends each back to the referring court once.

_transition_listeners: list[Callable[[Any, str, Any], None]] = []
_court_return: list[Callable[[Iterable[int], datetime], int]] = []


def register_transition_listener(listener: Callable[[Any, str, Any], None]) -> None:
    if listener not in _transition_listeners:
        _transition_listeners.append(listener)


def after_transition(case: Any, action: str, actor: Any) -> None:
    """Tell every listener that ``action`` was applied to ``case`` (locked, in its transaction)."""
    for listener in _transition_listeners:
        listener(case, action, actor)


def register_court_return(handler: Callable[[Iterable[int], datetime], int]) -> None:
    _court_return[:] = [handler]


def return_to_court(case_ids: Iterable[int], now: datetime) -> int:
    """Send the cases whose 委派 period has run out by ``now`` back to the referring court; how
    many went back (a case already returned, extended or closed is left alone)."""
    if not _court_return:
        raise ImproperlyConfigured("disputes.hooks: the court app has not registered its return")
    return _court_return[0](case_ids, now)


# --- Deadlines an app above owns (a court's limits on a judicial confirmation) ----------------
#
# The sweep reminds and supervises them like any deadline, but who is told and where the
# message leads is the owner's answer (``due_addressees``: the judges of the court, its
# confirmation page) — read once per batch for all its items, so the sweep stays a handful of
# queries. No 督办单 is issued for them: no platform holds a court to its time limits. When a
# holiday-calendar recount moves one, its owner is told (``due_moved``) to follow.


@dataclass(frozen=True)
class Addressee:
    """Who is told of an owned deadline, and the page the message links to."""

    recipients: list[Any]
    url: str


@dataclass
class _DueOwner:
    addressees: Callable[[list[Any]], dict[int, Addressee]]
    moved: Callable[[list[Any]], None]


_due_owners: dict[str, _DueOwner] = {}


def register_due_owner(
    kinds: Iterable[str],
    *,
    addressees: Callable[[list[Any]], dict[int, Addressee]],
    moved: Callable[[list[Any]], None],
) -> None:
    """``addressees(items)``: item id → who is told and the link, for items of ``kinds``;
    ``moved(items)``: their ``due_at`` was counted again (in the recount's transaction)."""
    for kind in kinds:
        _due_owners[kind] = _DueOwner(addressees, moved)


def owns(kind: str) -> bool:
    """Whether an app above owns deadlines of ``kind``."""
    return kind in _due_owners


def _by_owner(items: Iterable[Any]) -> list[tuple[_DueOwner, list[Any]]]:
    grouped: dict[int, tuple[_DueOwner, list[Any]]] = {}
    for item in items:
        owner = _due_owners.get(item.kind)
        if owner is not None:
            grouped.setdefault(id(owner), (owner, []))[1].append(item)
    return list(grouped.values())


def due_addressees(items: Iterable[Any]) -> dict[int, Addressee]:
    """Who is told of each owned item among ``items`` (one call per owner)."""
    found: dict[int, Addressee] = {}
    for owner, owned in _by_owner(items):
        found.update(owner.addressees(owned))
    return found


def due_moved(items: Iterable[Any]) -> None:
    """Tell the owners of ``items`` that their deadlines were counted again."""
    for owner, owned in _by_owner(items):
        owner.moved(owned)


# --- Risk grading (the risk app, above mediation) ----------------------------------------------
#
# Every intake channel (``case_register``), 研判 (``case_assess``) and a 重复反映 ask the grader
# for the grade the case carries now; it records its assessment and reasons itself. ``chosen``
# is a person's grade (研判) with their ``reason``: the grader refuses (``CaseRuleError``) an
# override without one. Called in the caller's transaction with the case row locked or new.

_risk_grader: list[Callable[..., str]] = []


def register_risk_grader(grader: Callable[..., str]) -> None:
    _risk_grader[:] = [grader]


def risk_grade(
    case: Any,
    *,
    actor: Any,
    chosen: str | None = None,
    reason: str = "",
    registering: bool = False,
) -> str:
    """The grade ``case`` carries after grading it on its facts now (``registering``: the case
    is being registered, nothing has been added to it yet)."""
    if not _risk_grader:
        raise ImproperlyConfigured("disputes.hooks: the risk app has not registered its grader")
    return _risk_grader[0](case, actor=actor, chosen=chosen, reason=reason, registering=registering)


# Every timeline entry (``record_event``, the sweep's batches), in its transaction: the
# statistics app marks the cases for its rollups, so a figure never misses a step that the
# timeline shows.
_case_recorded: list[Callable[[Iterable[int]], None]] = []


def register_case_recorded(listener: Callable[[Iterable[int]], None]) -> None:
    if listener not in _case_recorded:
        _case_recorded.append(listener)


def case_recorded(case_ids: Iterable[int]) -> None:
    ids = list(case_ids)
    if ids:
        for listener in _case_recorded:
            listener(ids)


# --- Mediators who may not be given cases now (the mediators app, above) ----------------------
#
# A complaint concluded with 暂停调解工作 bars its mediator until the suspension ends.
# ``barred(day)``: the ids of the people barred on ``day``, as a subquery the choices exclude;
# ``until(person_ids, day)``: the last day each barred one of them (ids, or a subquery of ids)
# is barred (said when refused).
# ``disputes.policy`` asks (``assignable_mediators``, ``mediator_refusal``), for the page that
# offers mediators and the services that accept one alike.


@dataclass
class _MediatorBar:
    barred: Callable[[date], Any]
    until: Callable[[Any, date], dict[int, date]]


_mediator_bar: list[_MediatorBar] = []


def register_mediator_bar(
    *,
    barred: Callable[[date], Any],
    until: Callable[[Any, date], dict[int, date]],
) -> None:
    _mediator_bar[:] = [_MediatorBar(barred, until)]


def _bar() -> _MediatorBar:
    if not _mediator_bar:
        raise ImproperlyConfigured("disputes.hooks: the mediators app has not registered its bar")
    return _mediator_bar[0]


def barred_mediators(day: date) -> Any:
    """The ids of the people who may not be given a case on ``day`` (a subquery)."""
    return _bar().barred(day)


def mediators_barred_until(person_ids: Any, day: date) -> dict[int, date]:
    """The last day each barred one of ``person_ids`` (ids, or a subquery of them) is barred,
    for those barred on ``day``."""
    return _bar().until(person_ids, day)
