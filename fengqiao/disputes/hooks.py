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
from datetime import datetime
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
