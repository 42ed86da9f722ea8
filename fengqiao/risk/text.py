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
