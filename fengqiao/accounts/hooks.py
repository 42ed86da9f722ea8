"""What the account pages need from ``orgs``, which sits above ``accounts`` and so may not be
imported here (docs/architecture.md): ``orgs`` fills these from its ``AppConfig.ready``.

- ``grant_orgs()``: the organizations a role can be granted within (the security admin's
  grant form);
- ``own_posts(user)``: the user's current posts (任职), for their own profile page.

Asking before ``orgs`` has answered is a configuration error, never an empty answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


@dataclass
class _OrgHooks:
    grant_orgs: Callable[[], QuerySet[Any]]
    own_posts: Callable[[Any], Sequence[Any]]


_hooks: list[_OrgHooks] = []


def register_org_hooks(
    *, grant_orgs: Callable[[], QuerySet[Any]], own_posts: Callable[[Any], Sequence[Any]]
) -> None:
    _hooks[:] = [_OrgHooks(grant_orgs, own_posts)]


def _filled() -> _OrgHooks:
    if not _hooks:
        raise ImproperlyConfigured("accounts.hooks: the orgs app has not registered its hooks")
    return _hooks[0]


def grant_orgs() -> QuerySet[Any]:
    return _filled().grant_orgs()


def own_posts(user: Any) -> Sequence[Any]:
    return _filled().own_posts(user)
