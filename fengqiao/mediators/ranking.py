"""选聘's ranking: 综合成绩 = 笔试 × 笔试权重% + 面试 × 面试权重% (``Application.combined``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fengqiao.mediators.models import Application, RecruitmentRound


@dataclass(frozen=True)
class Ranked:
    """One applicant of a round's ranking (``selectors.round_ranking``)."""

    application: Application
    combined: Decimal | None
    rank: int | None
    passed: bool


def rank_applications(found: RecruitmentRound, applications: list[Application]) -> list[Ranked]:
    """The round's applicants by combined score, best first (ties by written score, then by
    who applied first); those without both scores last, unranked."""
    scored: list[tuple[Application, Decimal]] = []
    unscored: list[Application] = []
    for a in applications:
        combined = a.combined(found.written_weight, found.interview_weight)
        if combined is None:
            unscored.append(a)
        else:
            scored.append((a, combined))
    scored.sort(key=lambda item: (-item[1], -(item[0].written_score or 0), item[0].pk))
    ranked = [Ranked(a, c, i, c >= found.pass_line) for i, (a, c) in enumerate(scored, start=1)]
    return ranked + [Ranked(a, None, None, False) for a in unscored]
