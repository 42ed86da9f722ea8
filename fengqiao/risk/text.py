"""Text signals: a lexicon matched on jieba-segmented Chinese, clause by clause, with obvious
negations (“没有扬言”, “不会去堵”) left out.

jieba loads its dictionary once per process (``segmenter``), quietly, with its cache in the
system temp directory — never in the repository. The lexicon's phrases are added to its
dictionary so that each segments as one word (``add_words``)."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_loaded: list[Any] = []
_added: set[str] = set()

# Parts of a phrase joined by “…” appear in this order within one clause.
GAP = "…"
# Clauses: a negation or a condition does not reach past these.
_CLAUSE = re.compile(r"[，。！？；,.!?;：:\n\r“”\"（）()【】]+")
NEGATIONS = frozenset(
    {
        "不", "没", "没有", "未", "无", "别", "不会", "不要", "不能", "不想", "不再", "不打算",
        "并未", "并没有", "并不", "从未", "从没", "绝不", "决不", "未曾", "否认", "毫无",
    }
)  # fmt: skip
# A negation before one of these does not reach the words after it: “再不给就去堵” threatens.
_SCOPE_BREAKS = frozenset({"就", "才", "否则", "那么", "便", "但", "但是", "可是", "却", "要是"})
NEGATION_WINDOW = 4


def segmenter() -> Any:
    """jieba's tokenizer, its dictionary loaded once per process."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = tempfile.gettempdir()
            tokenizer.initialize()
            _loaded.append(tokenizer)
    return _loaded[0]


def add_words(phrases: Iterable[str]) -> None:
    """Make each part of ``phrases`` one word for the segmenter (once per part)."""
    tok = segmenter()
    with _lock:
        for phrase in phrases:
            for part in split_phrase(phrase):
                if len(part) > 1 and part not in _added:
                    tok.add_word(part)
                    _added.add(part)


def split_phrase(phrase: str) -> list[str]:
    return [p.strip() for p in phrase.replace("...", GAP).split(GAP) if p.strip()]


@dataclass(frozen=True)
class Term:
    """A lexicon phrase ready to match: its parts, and the rule it belongs to."""

    rule: str
    phrase: str
    parts: tuple[str, ...]


def clauses(text: str) -> list[list[str]]:
    """The text's clauses, each as its jieba tokens (spaces dropped)."""
    tok = segmenter()
    found = []
    for clause in _CLAUSE.split(text):
        clause = clause.strip()
        if clause:
            found.append([t for t in tok.lcut(clause) if t.strip()])
    return found


def _part_at(tokens: list[str], start: int, part: str) -> int | None:
    """The index after ``part`` if it begins at token ``start`` (a run of whole tokens, or a
    word of two or more characters inside one token: “政府” in “区政府”), else None."""
    token = tokens[start]
    if len(part) > 1 and part in token:
        return start + 1
    joined = ""
    for end in range(start, len(tokens)):
        joined += tokens[end]
        if joined == part:
            return end + 1
        if not part.startswith(joined):
            return None
    return None


def _negated(tokens: list[str], start: int) -> bool:
    for i in range(start - 1, max(start - 1 - NEGATION_WINDOW, -1), -1):
        if tokens[i] in _SCOPE_BREAKS:
            return False
        if tokens[i] in NEGATIONS:
            return True
    return False


def _matches(tokens: list[str], parts: tuple[str, ...]) -> bool:
    first, rest = parts[0], parts[1:]
    for start in range(len(tokens)):
        after = _part_at(tokens, start, first)
        if after is None or _negated(tokens, start):
            continue
        if _rest_follows(tokens, after, rest):
            return True
    return False


def _rest_follows(tokens: list[str], at: int, parts: tuple[str, ...]) -> bool:
    for part in parts:
        for start in range(at, len(tokens)):
            after = _part_at(tokens, start, part)
            if after is not None:
                at = after
                break
        else:
            return False
    return True


def signals(text: str, terms: Iterable[Term]) -> dict[str, list[str]]:
    """rule code → the phrases of that rule found (not negated) in ``text``."""
    found: dict[str, list[str]] = {}
    if not text.strip():
        return found
    parsed = [(clause_tokens, "".join(clause_tokens)) for clause_tokens in clauses(text)]
    for term in terms:
        for tokens, joined in parsed:
            # A phrase with a part absent from the clause's characters cannot match: most of
            # the lexicon is ruled out by this one substring test.
            if all(part in joined for part in term.parts) and _matches(tokens, term.parts):
                found.setdefault(term.rule, []).append(term.phrase)
                break
    return found


# --- How many people the text says are involved -------------------------------------------------

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}  # fmt: skip
_UNITS = {"十": 10, "百": 100, "千": 1000}
# A number (Arabic or Chinese), an optional 多/余/来 (“三十多个”: at least thirty), an optional
# measure word and a word for people: “三十多个工人”, “20余名村民”, “一百多户业主”, “50人”.
_PEOPLE = re.compile(
    r"(?P<n>\d{1,6}|[零一二两三四五六七八九十百千]{1,6})\s*(?:多|余|来)?\s*"
    r"(?:个|名|位|户|家)?\s*"
    r"(?P<who>人|工人|农民工|村民|居民|业主|员工|职工|群众|学生|家长|商户|住户|租户|老人|家属)"
)


def _chinese_number(text: str) -> int | None:
    """``三十`` → 30, ``一百二十`` → 120, ``十五`` → 15, ``两`` → 2; None when not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            if digit is not None:  # “三五个人”: a range, not a number
                return None
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def people_mentioned(text: str) -> int:
    """The largest number of people the text says are involved (0: none said): “拖欠我们三十多个
    工人工资” → 30. “户”/“家” count as one each (a household is at least one person)."""
    found = 0
    for match in _PEOPLE.finditer(text):
        number = _chinese_number(match["n"])
        if number is not None and number > found:
            found = number
    return found
