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
