"""What the rules read about a case (``case_facts``) and what the case page shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fengqiao.disputes.choices import IntakeChannel, PartyKind
from fengqiao.disputes.models import Case, Party
from fengqiao.risk import text
from fengqiao.risk.engine import Facts
from fengqiao.risk.models import RiskAssessment

REPEAT_WINDOW = timedelta(days=365)


def birth_date(id_number: str) -> date | None:
    """The birth date a resident ID number (18 digits, or the old 15) carries, if valid."""
    value = id_number.strip()
    try:
        if len(value) == 18:
            return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        if len(value) == 15 and value.isdigit():
            return date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        return None
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def case_facts(case: Case, *, on: date | None = None, new: bool = False) -> Facts:
    """The facts of ``case`` the rules look at: its fields and text with those of its 重复反映,
    the ages of its natural persons (from the ID numbers, decrypted here and never kept), and
    the other cases its parties are party to — matched by the keyed hashes of ID number and
    phone, never the plain values (as court.screening matches parties)."""
    now = timezone.now()
    on = on or timezone.localdate(now)
    parties = list(
        Party.objects.filter(case=case).only("kind", "id_number", "id_number_hash", "phone_hash")
    )
    ages = []
    for party in parties:
        if party.kind == PartyKind.PERSON and party.id_number:
            born = birth_date(party.id_number)
            if born is not None and born <= on:
                ages.append(age_on(born, on))
    ids = {p.id_number_hash for p in parties if p.id_number_hash}
    phones = {p.phone_hash for p in parties if p.phone_hash}
    other_year, petitioned = 0, False
    if ids or phones:
        rows = set(
            Party.objects.filter(Q(id_number_hash__in=ids) | Q(phone_hash__in=phones))
            .exclude(case_id=case.pk)
            .values_list("case_id", "case__channel", "case__registered_at")
        )
        since = now - REPEAT_WINDOW
        other_year = len({pk for pk, _ch, at in rows if at >= since})
        petitioned = any(ch == IntakeChannel.PETITION for _pk, ch, _at in rows)
    repeats = (
        []
        if new
        else list(
            case.repeat_reports.values_list("title", "facts", "claims", "people_count", "amount")
        )
    )
    texts = [case.title, case.facts, case.claims]
    people, amount = case.people_count, case.amount
    for title, facts, claims, r_people, r_amount in repeats:
        texts += [title, facts, claims]
        people = max(people, r_people or 0)
        if r_amount is not None and (amount is None or r_amount > amount):
            amount = r_amount
    flags = frozenset(
        f
        for f in ("group", "criminal_risk", "petition_risk", "vulnerable", "sensitive")
        if getattr(case, f"flag_{f}")
    )
    joined = "\n".join(t for t in texts if t)
    # A grid worker's quick report has no 涉及人数 field: “三十多个工人” in its text counts.
    people = max(people, text.people_mentioned(joined))
    return Facts(
        category=case.category,
        people_count=people,
        amount=amount,
        flags=flags,
        text=joined,
        ages=tuple(ages),
        other_cases_year=other_year,
        petitioned=petitioned,
        repeat_reports=len(repeats),
        on=on,
    )


def assessment_for(case: Any) -> RiskAssessment | None:
    """The case's assessment (the caller has checked the user may see the case)."""
    return RiskAssessment.objects.filter(case_id=case.pk).select_related("override_by").first()
