"""Reads behind the API: the key a token belongs to, and cases through the acting user's scope
(``restrict`` directly or ``fengqiao.disputes.selectors``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404

from fengqiao.accounts.access import require, restrict
from fengqiao.api.models import ApiKey
from fengqiao.core.compiled import CompiledQuery
from fengqiao.core.crypto import constant_time_equal, sm3_hex
from fengqiao.disputes import selectors as case_selectors
from fengqiao.disputes.models import Case, DueItem, TimelineEvent
from fengqiao.disputes.permissions import VIEW_CASE

TOKEN_PREFIX = "fq"  # noqa: S105 - the token format marker, not a secret
PREFIX_LENGTH = 8
# Compared against when no key has the prefix, so an unknown prefix costs the same digest and
# comparison as a wrong secret.
_NO_KEY_DIGEST = "0" * 64
MAX_PAGE = 100
# A case number as the platform prints it (330199001000-2026-000001): visible ASCII.
CASE_NUMBER = re.compile(r"[\x21-\x7e]{1,40}")

# Every API request reads its key: compiled once (fengqiao.core.compiled).
_KEY_BY_PREFIX: CompiledQuery[ApiKey] = CompiledQuery(
    lambda prefix: (
        ApiKey.objects.select_related("user", "org__kind", "org__region")
        .filter(prefix=prefix)
        .order_by("pk")[:1]
    ),
    str,
)


def token_digest(token: str) -> str:
    """SM3 of the whole token. The secret is 192 random bits, so a plain digest cannot be
    reversed by guessing; a keyed hash would tie every API key to the data key's rotation."""
    return sm3_hex(f"fengqiao api key v1:{token}".encode())


def split_token(token: str) -> tuple[str, str] | None:
    """``fq_<prefix>_<secret>`` → (prefix, secret); ``None`` for anything else."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_LENGTH or not prefix.isalnum() or not prefix.isascii() or not secret:
        return None
    return prefix, secret


def api_key_for_token(token: str) -> ApiKey | None:
    """The key whose secret this token carries (revoked or not: the caller says which)."""
    parts = split_token(token)
    if parts is None:
        return None
    found = _KEY_BY_PREFIX.first(parts[0])
    expected = found.secret_hash if found is not None else _NO_KEY_DIGEST
    if not constant_time_equal(token_digest(token.strip()), expected):
        return None
    return found


def case_by_number_for_user(user: Any, number: str) -> Case:
    """A case by its number if the user may see it; 404 otherwise (no hint that it exists).
    A user whose roles read no case at all is refused (403), as on the case pages. A value that
    cannot be a number (a NUL, which PostgreSQL cannot even compare) is a 404 without a query."""
    require(user, VIEW_CASE)
    if not CASE_NUMBER.fullmatch(number):
        raise Http404(number)
    qs = restrict(Case.objects.all(), user, VIEW_CASE).select_related(
        "region", "platform", "handling_org"
    )
    case = qs.filter(number=number).first()
    if case is None:
        raise Http404(number)
    return case


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    next_after: int | None


def case_page_for_user(
    user: Any,
    *,
    status: str = "",
    updated_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> CasePage:
    """Cases in ascending id after ``after_id`` (keyset: each page is an index range, however
    deep), through ``case_list_for_user``. ``updated_since`` keeps cases with a timeline event at
    or after that time, probed per case through the (case, at) index."""
    require(user, VIEW_CASE)  # 403 for a role that reads no case, as the case list answers
    limit = max(1, min(limit, MAX_PAGE))
    qs = case_selectors.case_list_for_user(
        user, case_selectors.CaseFilters(status=status)
    ).order_by("id")
    if after_id:
        qs = qs.filter(id__gt=after_id)
    if updated_since is not None:
        changed = TimelineEvent.objects.filter(case_id=OuterRef("pk"), at__gte=updated_since)
        qs = qs.filter(Exists(changed))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    items = rows[:limit]
    return CasePage(items=items, next_after=items[-1].pk if more and items else None)


def case_timeline(case: Case) -> list[TimelineEvent]:
    return list(case_selectors.case_timeline(case))


def case_deadlines(case: Case) -> list[DueItem]:
    """The case's deadlines (a case the caller may see), nearest first."""
    return list(case.due_items.select_related("org").order_by("due_at", "pk"))
