"""The ledgers the platform offers, each registered by the app that owns its list page (the
app is above this one, so it fills the registry from its ``AppConfig.ready``).

A ledger is built from the list page's own query string by that app's ``exports.py``: the same
form parses it and the same selector scopes and filters it as the page, so a ledger holds what
the page would show page after page — never a second copy of the filter rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from fengqiao.accounts.access import has_perm
from fengqiao.ledgers.permissions import EXPORT_LEDGER


@dataclass(frozen=True)
class Ledger:
    """One selection, ready to write: its title and columns, the queryset whose ``count()``
    decides between streaming and the task queue, and the rows (read in chunks when iterated).
    ``filters`` is what the audit log records of the selection (never a keyword's text: it may
    be a party's name)."""

    title: str
    header: Sequence[str]
    queryset: QuerySet[Any]
    rows: Callable[[], Iterator[Sequence[Any]]]
    filters: Mapping[str, Any] = field(default_factory=dict)
    # Lines under the watermark (what the selection is: a tab, a level).
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class LedgerKind:
    """A ledger on offer: its code (in URLs and the audit log), its name, the list page it is
    exported from (URL name), the permissions that open that page (any one), and the builder
    ``build(user, params) -> Ledger``."""

    code: str
    label: Any  # a lazy translation
    list_url: str
    perms: tuple[str, ...]
    build: Callable[[Any, Mapping[str, str]], Ledger]
    order: int = 100
    # A further test beyond the permissions (a court user, a platform …), when the page has one.
    allowed: Callable[[Any], bool] | None = None

    def may_export(self, user: Any) -> bool:
        if not has_perm(user, EXPORT_LEDGER):
            return False
        if not any(has_perm(user, perm) for perm in self.perms):
            return False
        return self.allowed is None or self.allowed(user)


_KINDS: dict[str, LedgerKind] = {}


def register(kind: LedgerKind) -> None:
    if kind.code in _KINDS and _KINDS[kind.code] is not kind:
        raise ImproperlyConfigured(f"ledger {kind.code!r} registered twice")
    _KINDS[kind.code] = kind


def kinds() -> list[LedgerKind]:
    if not _KINDS:
        raise ImproperlyConfigured("no ledger registered: the domain apps fill the registry")
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def kind(code: str) -> LedgerKind | None:
    return _KINDS.get(code)


def kinds_for(user: Any) -> list[LedgerKind]:
    """The ledgers ``user`` may export (工作台帐)."""
    return [k for k in kinds() if k.may_export(user)]
