"""计分 — the scoring rules, on plain numbers (docs/assessment.md gives each with an example).

- 线性计分: ``weight × (value − floor) ÷ (target − floor)``, held between 0 and the weight. The
  floor (零分值) scores 0 and the target (满分值) the full weight; for a "lower is better"
  indicator the floor lies above the target, and the same formula holds.
- 按名次计分: the regions that have a figure are placed by it (ties share the better place, the
  next place is skipped: 1, 1, 3); place ``r`` of ``n`` scores ``weight × (n − r) ÷ (n − 1)``
  (the only one: the full weight).
- A region without the figure (an outside figure not imported, a rate without a denominator)
  gets no score on that indicator — never 0. Its total is the sum of the scores it has, brought
  to the full weight: ``sum × full weight ÷ weight of the indicators it has a figure for``, and
  its line says which indicators are missing.
- 人工评分: the score the county entered, held to the weight (a weight lowered after the score
  was entered caps it); a region without one is missing, as above.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.translation import gettext as _

from fengqiao.assessment.choices import Direction, Rule

CENT = Decimal("0.01")
K = TypeVar("K")


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def linear_score(value: Decimal, *, weight: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    share = (Decimal(value) - floor) / (target - floor)
    return q(weight * min(Decimal(1), max(Decimal(0), share)))


def linear_text(value: Decimal, *, weight: Decimal, floor: Decimal, target: Decimal) -> str:
    return _(
        "线性计分：权重 × (实际值 − 零分值) ÷ (满分值 − 零分值)，限于0至权重；"
        "%(w)s × (%(v)s − %(f)s) ÷ (%(t)s − %(f)s) = %(s)s"
    ) % {
        "w": weight,
        "v": value,
        "f": floor,
        "t": target,
        "s": linear_score(value, weight=weight, floor=floor, target=target),
    }


def places(values: Mapping[K, Decimal | int | None], direction: str) -> dict[K, int]:
    """Competition places (1, 1, 3) of the keys that have a value, best first."""
    present = [(k, Decimal(v)) for k, v in values.items() if v is not None]
    higher = direction == Direction.HIGHER
    out: dict[K, int] = {}
    for k, v in present:
        out[k] = 1 + sum(1 for _k, other in present if (other > v if higher else other < v))
    return out


def rank_score(place: int, count: int, *, weight: Decimal) -> Decimal:
    if count <= 1:
        return q(weight)
    return q(weight * (count - place) / (count - 1))


def rank_text(place: int, count: int, *, weight: Decimal) -> str:
    return _(
        "按名次计分：权重 × (参评数 − 名次) ÷ (参评数 − 1)；第%(p)d名/共%(n)d个："
        "%(w)s × (%(n)d − %(p)d) ÷ (%(n)d − 1) = %(s)s"
    ) % {"p": place, "n": count, "w": weight, "s": rank_score(place, count, weight=weight)}


def manual_score(value: Decimal, *, weight: Decimal) -> Decimal:
    return q(min(Decimal(value), weight))


def manual_text(value: Decimal, *, weight: Decimal) -> str:
    score = manual_score(value, weight=weight)
    if score != Decimal(value):
        return _("人工评分：录入%(v)s分，超过本指标现分值，按%(w)s分计") % {"v": value, "w": weight}
    return _("人工评分：%(s)s分（本指标分值%(w)s分）") % {"s": score, "w": weight}


def score_all(
    values: Mapping[K, Decimal | int | None],
    *,
    rule: str,
    direction: str,
    weight: Decimal,
    floor: Decimal | None = None,
    target: Decimal | None = None,
) -> dict[K, tuple[Decimal | None, str]]:
    """Each key's score on one indicator, and how it was reached (None: no figure)."""
    missing = _("缺少数据，本项不计分（不按0分计）")
    out: dict[K, tuple[Decimal | None, str]] = {}
    if rule == Rule.RANK:
        placed = places(values, direction)
        count = len(placed)
        for k in values:
            if k in placed:
                out[k] = (
                    rank_score(placed[k], count, weight=weight),
                    rank_text(placed[k], count, weight=weight),
                )
            else:
                out[k] = (None, missing)
        return out
    if rule == Rule.MANUAL:
        for k, v in values.items():
            out[k] = (
                (None, missing)
                if v is None
                else (
                    manual_score(Decimal(v), weight=weight),
                    manual_text(Decimal(v), weight=weight),
                )
            )
        return out
    if floor is None or target is None:
        raise ValueError("a linear rule needs its floor and target")
    for k, v in values.items():
        if v is None:
            out[k] = (None, missing)
        else:
            d = Decimal(v)
            out[k] = (
                linear_score(d, weight=weight, floor=floor, target=target),
                linear_text(d, weight=weight, floor=floor, target=target),
            )
    return out


def total(
    scores: Sequence[tuple[Decimal, Decimal | None]], full: Decimal
) -> tuple[Decimal | None, Decimal]:
    """The total of (weight, score) pairs brought to ``full``, and the weight that had a
    figure; None when no indicator had one."""
    counted = sum((w for w, s in scores if s is not None), Decimal(0))
    if not counted:
        return None, counted
    raw = sum((s for _w, s in scores if s is not None), Decimal(0))
    return q(raw * full / counted), counted


def rank_totals(totals: Mapping[K, Decimal | None]) -> dict[K, int]:
    """Places by total, highest first; ties share the place (None: no place)."""
    return places(totals, Direction.HIGHER)
