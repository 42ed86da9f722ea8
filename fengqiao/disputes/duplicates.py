"""重复纠纷检测 — before a case is registered, the cases it may repeat (DESIGN §2: duplicate
detection on same parties + same matter).

Two signals, each answered from an index, never by scanning cases:

- a party of an *open* case of the same category has the same ID number or phone, compared by
  the keyed lookup hash (``Party.id_number_hash`` / ``phone_hash``, both indexed) — plaintext is
  never compared or read;
- a case of the same category at the same place (exact region) with the same normalised
  address was registered within the last 30 days (index ``case_scope_recent`` on
  ``region_path, -registered_at``).

Only cases the user may see are returned; ``has_hidden`` tells the user that there are others
outside their scope, to be checked with the platform, without saying which.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import restrict
from fengqiao.core.compiled import CompiledQuery
from fengqiao.core.crypto import lookup_hash
from fengqiao.disputes.choices import OPEN_STATUSES, PartyKind, TimelineAction
from fengqiao.disputes.models import Case, Party, TimelineEvent
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.regions.models import Region

# Same place, same kind of dispute within a month is most likely the same matter reported twice.
ADDRESS_WINDOW = timedelta(days=30)
# Upper bounds per signal: a shared phone (an enterprise switchboard) or a busy place must not
# turn one check into a long read; the most recent candidates are the relevant ones.
MAX_PARTY_ROWS = 200
MAX_ADDRESS_ROWS = 500

REASON_ID_NUMBER = "id_number"
REASON_ORG_CODE = "org_code"
REASON_PHONE = "phone"
REASON_ADDRESS = "address"


def _reason_texts() -> dict[str, str]:
    return {
        REASON_ID_NUMBER: _("同一当事人（身份证号）有未办结的同类纠纷"),
        REASON_ORG_CODE: _("同一当事人（统一社会信用代码）有未办结的同类纠纷"),
        REASON_PHONE: _("同一当事人（手机号）有未办结的同类纠纷"),
        REASON_ADDRESS: _("30日内同一地址同类纠纷"),
    }


@dataclass(frozen=True)
class DuplicateMatch:
    """A visible case the new one may repeat, with every reason it matched (codes + Chinese)."""

    case: Case
    reasons: tuple[str, ...]

    @property
    def reason_texts(self) -> list[str]:
        texts = _reason_texts()
        return [texts[r] for r in self.reasons]


class DuplicateList(list[DuplicateMatch]):
    """The visible matches, most recent first; ``has_hidden`` when matching cases exist outside
    the user's data scope (their details are not shown)."""

    has_hidden: bool = False

    def __init__(self, matches: Sequence[DuplicateMatch] = (), *, has_hidden: bool = False):
        super().__init__(matches)
        self.has_hidden = has_hidden


@dataclass
class _Hits:
    reasons: dict[int, list[str]] = field(default_factory=dict)

    def add(self, case_id: int, reason: str) -> None:
        found = self.reasons.setdefault(case_id, [])
        if reason not in found:
            found.append(reason)


def normalize_address(value: str) -> str:
    """Full-width forms, spaces, punctuation and letter case do not make a different address:
    ``东村 3组，12号`` and ``东村３组12号`` are one place."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(
        ch.casefold() for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "C"))
    )


# The signals of the check, each a bounded query driven by its own index; they run as one
# statement (``UNION ALL``), each row tagged with its signal.
ID_ROWS, PHONE_ROWS, ADDRESS_ROWS = 0, 1, 2


def _party_signal(column: str) -> CompiledQuery[Any]:
    """Open cases of a category with a party whose ``column`` (a lookup hash) is one of the
    given: compiled once per number of hashes (fengqiao.core.compiled), as every intake runs
    it."""
    return CompiledQuery(
        lambda hashes, category: (
            Party.objects.filter(
                **{f"{column}__in": hashes},
                case__category=category,
                case__status__in=list(OPEN_STATUSES),
            )
            .order_by("-case_id")
            .values_list("case_id", column)[:MAX_PARTY_ROWS]
        ),
        list,
        str,
    )


_ID_SIGNAL = _party_signal("id_number_hash")
_PHONE_SIGNAL = _party_signal("phone_hash")


def _candidate_queries(
    category: str, region: Region, parties: Sequence[PartyInput], address: str, now: datetime
) -> list[tuple[int, str, list[Any]]]:
    """Each signal's statement (tag, SQL, parameters)."""
    id_hashes = [lookup_hash(p.id_number) for p in parties if p.id_number.strip()]
    phone_hashes = [lookup_hash(p.phone) for p in parties if p.phone.strip()]
    queries: list[tuple[int, str, list[Any]]] = []
    if id_hashes:
        sql, params, _plan = _ID_SIGNAL.sql(id_hashes, category)
        queries.append((ID_ROWS, sql, params))
    if phone_hashes:
        sql, params, _plan = _PHONE_SIGNAL.sql(phone_hashes, category)
        queries.append((PHONE_ROWS, sql, params))
    if normalize_address(address):
        nearby = (
            Case.objects.filter(
                region_path=region.path,
                registered_at__gte=now - ADDRESS_WINDOW,
                registered_at__lte=now,
                category=category,
            )
            .order_by("-registered_at")
            .values_list("pk", "address")[:MAX_ADDRESS_ROWS]
        )
        sql, nearby_params = nearby.query.sql_with_params()
        queries.append((ADDRESS_ROWS, sql, list(nearby_params)))
    return queries


def _candidates(queries: list[tuple[int, str, list[Any]]]) -> list[tuple[int, int, str]]:
    """The rows of every query, tagged (one round trip however many signals there are)."""
    if not queries:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for tag, sql, part_params in queries:
        # ``tag`` is one of the integer constants above; the rest is the ORM's SQL.
        parts.append(f"SELECT {int(tag)} AS tag, c.* FROM ({sql}) c")  # noqa: S608
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = [(int(tag), int(case_id), value) for tag, case_id, value in cursor.fetchall()]
    # Signal by signal, each in its own order (a case's reasons keep the order of the signals).
    return sorted(rows, key=lambda row: row[0])


def _visible(user: Any, ids: list[int]) -> QuerySet[Case]:
    return restrict(Case.objects.filter(pk__in=ids), user, VIEW_CASE)


def duplicate_hits(
    *,
    category: str,
    region: Region,
    parties: Sequence[PartyInput],
    address: str = "",
    now: datetime | None = None,
) -> dict[int, list[str]]:
    """Every case a new case may repeat (case id → reason codes), *whatever the user's scope*:
    for the services that record the check on the new case. What a user is shown goes through
    ``visible_matches``."""
    now = now or timezone.now()
    org_hashes = {
        lookup_hash(p.id_number)
        for p in parties
        if p.id_number.strip() and p.kind == PartyKind.ORGANIZATION
    }
    wanted = normalize_address(address)
    hits = _Hits()
    for tag, case_id, value in _candidates(
        _candidate_queries(category, region, parties, address, now)
    ):
        if tag == ID_ROWS:
            hits.add(case_id, REASON_ORG_CODE if value in org_hashes else REASON_ID_NUMBER)
        elif tag == PHONE_ROWS:
            hits.add(case_id, REASON_PHONE)
        # The stored address is free text, so the comparison happens on the bounded candidates.
        elif normalize_address(value) == wanted:
            hits.add(case_id, REASON_ADDRESS)
    return hits.reasons


def find_duplicates(
    *,
    user: Any,
    category: str,
    region: Region,
    parties: Sequence[PartyInput],
    address: str = "",
    now: datetime | None = None,
) -> DuplicateList:
    """Cases a new case (not yet registered) may repeat, as far as ``user`` may see them."""
    hits = duplicate_hits(
        category=category, region=region, parties=parties, address=address, now=now
    )
    return visible_matches(user, hits)


def visible_matches(user: Any, hits: dict[int, list[str]]) -> DuplicateList:
    """The cases of ``hits`` that ``user`` may see, most recent first; ``has_hidden`` when some
    are outside the user's scope (nothing else about them is told)."""
    if not hits:
        return DuplicateList()
    ids = list(hits)
    visible = list(
        _visible(user, ids)
        .select_related("region")
        .only(
            "id",
            "number",
            "title",
            "status",
            "category",
            "registered_at",
            "region__code",
            "region__name",
        )
        .order_by("-registered_at", "-id")
    )
    matches = [DuplicateMatch(case=c, reasons=tuple(hits[c.pk])) for c in visible]
    return DuplicateList(matches, has_hidden=len(visible) < len(ids))


# --- On the case page ---------------------------------------------------------------------------

FLAG_EVENT = TimelineAction.DUPLICATE_CHECK


def flagged_at_intake(user: Any, timeline: Sequence[TimelineEvent]) -> DuplicateList | None:
    """The cases the duplicate check named when this case was registered anyway (its
    ``duplicate_check`` event), as far as ``user`` may see them; ``None`` if it named none."""
    event = next((e for e in timeline if e.action == FLAG_EVENT), None)
    if event is None:
        return None
    flagged = event.data.get("possible_duplicates") or {}
    return visible_matches(user, {int(pk): list(reasons) for pk, reasons in flagged.items()})
