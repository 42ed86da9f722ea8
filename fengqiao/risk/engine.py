"""The grading itself: the rule set (read from the admin's tables, reloaded in this process as
soon as any of them changed) applied to a case's facts. Pure apart from ``current_ruleset``'s
version check: ``evaluate`` reads nothing from the database."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from fengqiao.disputes.choices import RiskGrade
from fengqiao.risk import text
from fengqiao.risk.choices import RuleKind
from fengqiao.risk.models import LexiconTerm, RiskRule, SensitivePeriod

GRADES: list[str] = [RiskGrade.LOW, RiskGrade.MEDIUM, RiskGrade.HIGH, RiskGrade.MAJOR]
# The thresholds a rule of these kinds uses when the admin left 阈值 empty.
DEFAULT_THRESHOLD: dict[str, Decimal] = {
    RuleKind.REPEAT_PARTY: Decimal(2),
    RuleKind.REPEAT_REPORT: Decimal(2),
    # 老年人权益保障法 art. 2: 老年人 are citizens of 60 or more.
    RuleKind.ELDERLY: Decimal(60),
    # 未成年人保护法 art. 2: 未成年人 are citizens under 18.
    RuleKind.MINOR: Decimal(18),
}


def rank(grade: str) -> int:
    return GRADES.index(grade)


@dataclass(frozen=True)
class Rule:
    code: str
    reason: str
    kind: str
    grade: str
    threshold: Decimal | None
    category: str
    flag: str


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    terms: tuple[text.Term, ...]
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Facts:
    """What the rules look at, read from a case (``selectors.case_facts``)."""

    category: str
    people_count: int = 2
    amount: Decimal | None = None
    flags: frozenset[str] = frozenset()
    text: str = ""
    # The ages of the natural persons whose ID number gives a birth date.
    ages: tuple[int, ...] = ()
    # Other cases a party of this one is party to, registered within the last year.
    other_cases_year: int = 0
    # Whether a party of this one is party to a case that came by 信访.
    petitioned: bool = False
    repeat_reports: int = 0
    on: date = field(default_factory=date.today)


@dataclass(frozen=True)
class Fired:
    code: str
    reason: str
    grade: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason, "grade": self.grade}


@dataclass(frozen=True)
class Grading:
    grade: str
    fired: tuple[Fired, ...]


_lock = threading.Lock()
_cache: list[tuple[Any, RuleSet]] = []


def _version() -> tuple[Any, ...]:
    """Changes whenever a rule, a lexicon phrase or a sensitive period is added, edited or
    deleted (through the admin or otherwise): the newest ``updated_at`` and the row count of
    each table, in one query."""
    parts = [
        f"SELECT MAX(updated_at), COUNT(*) FROM {model._meta.db_table}"  # noqa: S608
        for model in (RiskRule, LexiconTerm, SensitivePeriod)
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(tuple(row) for row in cursor.fetchall())


def current_ruleset() -> RuleSet:
    """The active rules as the admin left them: loaded again only when ``_version`` moved."""
    version = _version()
    if _cache and _cache[0][0] == version:
        return _cache[0][1]
    rules = tuple(
        Rule(r.code, r.reason, r.kind, r.grade, r.threshold, r.category, r.flag)
        for r in RiskRule.objects.filter(is_active=True)
    )
    terms = tuple(
        text.Term(code, phrase, tuple(text.split_phrase(phrase)))
        for code, phrase in LexiconTerm.objects.filter(
            rule__is_active=True, rule__kind=RuleKind.TEXT
        ).values_list("rule__code", "phrase")
        if text.split_phrase(phrase)
    )
    periods = tuple(Period(p.name, p.starts_on, p.ends_on) for p in SensitivePeriod.objects.all())
    text.add_words(t.phrase for t in terms)
    ruleset = RuleSet(rules, terms, periods)
    with _lock:
        _cache[:] = [(version, ruleset)]
    return ruleset


def _threshold(rule: Rule) -> Decimal | None:
    return rule.threshold if rule.threshold is not None else DEFAULT_THRESHOLD.get(rule.kind)


def _fact_fires(rule: Rule, facts: Facts, found: dict[str, list[str]]) -> bool:
    limit = _threshold(rule)
    kind = rule.kind
    if kind == RuleKind.TEXT:
        return rule.code in found
    if kind == RuleKind.CATEGORY:
        return bool(rule.category) and facts.category == rule.category
    if kind == RuleKind.FLAG:
        return bool(rule.flag) and rule.flag in facts.flags
    if kind == RuleKind.PETITION:
        return facts.petitioned
    if limit is None:
        return False
    if kind == RuleKind.PEOPLE:
        return facts.people_count >= limit
    if kind == RuleKind.AMOUNT:
        return facts.amount is not None and facts.amount >= limit
    if kind == RuleKind.REPEAT_PARTY:
        return facts.other_cases_year >= limit
    if kind == RuleKind.REPEAT_REPORT:
        return facts.repeat_reports >= limit
    if kind == RuleKind.ELDERLY:
        return any(age >= limit for age in facts.ages)
    if kind == RuleKind.MINOR:
        return any(age < limit for age in facts.ages)
    return False


# Kinds whose rules are bands of one measure: of those that fire, only the highest threshold is
# listed (“涉及人数30人以上” says all that “涉及人数5人以上” would).
_BANDED = (RuleKind.PEOPLE, RuleKind.AMOUNT)


def _highest_band(ruleset: RuleSet, fired: list[Fired]) -> list[Fired]:
    rules = {r.code: r for r in ruleset.rules}
    top: dict[str, Fired] = {}
    for f in fired:
        rule = rules[f.code]
        if rule.kind in _BANDED:
            best = top.get(rule.kind)
            if best is None or (rules[best.code].threshold or 0) < (rule.threshold or 0):
                top[rule.kind] = f
    return [f for f in fired if rules[f.code].kind not in _BANDED or top[rules[f.code].kind] is f]


def evaluate(ruleset: RuleSet, facts: Facts) -> Grading:
    """The grade: the highest grade among the rules that fired (低 when none did), one level
    higher (up to 重大) during a sensitive period when any other rule fired."""
    found = text.signals(facts.text, ruleset.terms) if ruleset.terms else {}
    fired = [
        Fired(rule.code, rule.reason, rule.grade)
        for rule in ruleset.rules
        if rule.kind != RuleKind.SENSITIVE and _fact_fires(rule, facts, found)
    ]
    fired = _highest_band(ruleset, fired)
    grade = max((rank(f.grade) for f in fired), default=0)
    if fired:
        period = next((p for p in ruleset.periods if p.starts_on <= facts.on <= p.ends_on), None)
        sensitive = next((r for r in ruleset.rules if r.kind == RuleKind.SENSITIVE), None)
        if period is not None and sensitive is not None:
            grade = min(grade + 1, len(GRADES) - 1)
            fired.append(
                Fired(
                    sensitive.code,
                    _("%(reason)s（%(period)s）")
                    % {"reason": sensitive.reason, "period": period.name},
                    GRADES[grade],
                )
            )
    return Grading(GRADES[grade], tuple(fired))
