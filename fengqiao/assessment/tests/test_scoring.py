"""The scoring rules on hand-computed figures (docs/assessment.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fengqiao.assessment.scoring import (
    linear_score,
    places,
    rank_score,
    rank_totals,
    score_all,
    total,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("81"), D("9.00")), (D("60"), D("0.00")), (D("50"), D("0.00")), (D("100"), D("15.00"))],
)
def test_linear_higher_is_better_between_floor_and_target(
    value: Decimal, expected: Decimal
) -> None:
    # 15 × (81 − 60) ÷ (95 − 60) = 15 × 21 ÷ 35 = 9
    assert linear_score(value, weight=D("15"), floor=D("60"), target=D("95")) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(D("1"), D("6.67")), (D("0"), D("10.00")), (D("5"), D("0.00"))]
)
def test_linear_lower_is_better_has_the_floor_above_the_target(
    value: Decimal, expected: Decimal
) -> None:
    # 10 × (1 − 3) ÷ (0 − 3) = 6.666… → 6.67
    assert linear_score(value, weight=D("10"), floor=D("3"), target=D("0")) == expected


def test_rank_places_share_ties_and_skip_the_next_place() -> None:
    values = {"a": D("10"), "b": D("20"), "c": D("20"), "d": None, "e": D("5")}
    assert places(values, "higher") == {"b": 1, "c": 1, "a": 3, "e": 4}
    assert places(values, "lower") == {"e": 1, "a": 2, "b": 3, "c": 3}


def test_rank_scores_from_full_weight_to_zero() -> None:
    scores = score_all(
        {"a": D("10"), "b": D("20"), "c": D("20"), "d": None, "e": D("5")},
        rule="rank",
        direction="higher",
        weight=D("10"),
    )
    # Four with a figure: 10 × (4 − 1) ÷ 3 = 10; 10 × (4 − 3) ÷ 3 = 3.33; 10 × 0 ÷ 3 = 0.
    assert {k: s for k, (s, _how) in scores.items()} == {
        "b": D("10.00"),
        "c": D("10.00"),
        "a": D("3.33"),
        "e": D("0.00"),
        "d": None,
    }
    assert "第3名/共4个" in scores["a"][1]
    assert "不按0分计" in scores["d"][1]
    assert rank_score(1, 1, weight=D("7")) == D("7.00")


def test_a_missing_figure_is_left_out_of_the_total_not_counted_as_zero() -> None:
    # Scored 9 of 15 and 5 of 5, the 10-point indicator has no figure: 14 × 30 ÷ 20 = 21.
    assert total([(D("15"), D("9")), (D("10"), None), (D("5"), D("5"))], D("30")) == (
        D("21.00"),
        D("20"),
    )
    assert total([(D("10"), None)], D("10")) == (None, D("0"))


def test_totals_rank_highest_first_with_ties_and_no_place_without_a_total() -> None:
    assert rank_totals({"x": D("80"), "y": D("92.5"), "z": D("80"), "w": None}) == {
        "y": 1,
        "x": 2,
        "z": 2,
    }


def test_a_linear_rule_without_bounds_is_refused() -> None:
    with pytest.raises(ValueError):
        score_all({"a": D("1")}, rule="linear", direction="higher", weight=D("5"))


def test_a_manual_score_counts_as_entered_held_to_the_weight_and_missing_is_missing() -> None:
    scored = score_all(
        {"a": D("4.5"), "b": None, "c": D("8")}, rule="manual", direction="higher", weight=D("5")
    )
    assert scored["a"][0] == D("4.50")
    assert "人工评分" in scored["a"][1]
    assert scored["b"] == (None, "缺少数据，本项不计分（不按0分计）")
    # Entered as 8 of 10, the weight lowered to 5 since: it counts 5, and says so.
    assert scored["c"][0] == D("5.00")
    assert "超过本指标现分值" in scored["c"][1]
