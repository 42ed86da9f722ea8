"""The recommendations: each rule's sentence names what triggered it; below the thresholds
nothing but the quiet sentence."""

from __future__ import annotations

from decimal import Decimal

from fengqiao.reports import rules
from fengqiao.reports.content import MixRow, hot_spots
from fengqiao.reports.tests.conftest import figure


def test_a_category_up_more_than_twenty_percent_is_named() -> None:
    sentences = rules.recommendations(
        figures={},
        categories=[
            MixRow("邻里纠纷", 13, 10),
            MixRow("劳动争议", 12, 10),
            MixRow("土地纠纷", 4, 1),
        ],
        regions=[],
    )
    # 邻里纠纷 +30% is named; 劳动争议 +20% is not above 20%; 土地纠纷 has fewer than 5 cases.
    assert len(sentences) == 1
    assert "“邻里纠纷”纠纷本期 13 件，较上期 10 件上升 30.0%" in sentences[0]


def test_a_rising_township_and_weak_figures_each_give_their_sentence() -> None:
    sentences = rules.recommendations(
        figures={
            "success_rate": figure("success_rate", "调处成功率", Decimal("70"), "%", ""),
            "overdue_rate": figure("overdue_rate", "超期率", Decimal("15"), "%", ""),
            "share_village": figure("share_village", "村级", Decimal("40"), "%", ""),
            "criminal_transfer": figure("criminal_transfer", "民转刑", 2, "件", ""),
            "group_cases": figure("group_cases", "群体性", 1, "件", ""),
            "satisfaction_rate": figure("satisfaction_rate", "满意率", Decimal("85"), "%", ""),
        },
        categories=[],
        regions=[MixRow("乙镇", 30, 20)],
    )
    joined = "\n".join(sentences)
    assert sentences[0].startswith("乙镇本期受理纠纷 30 件，较上期 20 件上升 50.0%")
    assert "调处成功率 70.0%，低于 80%" in joined
    assert "超期率 15.0%，高于 10%" in joined
    assert "仅占 40.0%" in joined
    assert "民转刑案件 2 件" in joined
    assert "群体性或重大纠纷 1 件" in joined
    assert "满意率 85.0%" in joined


def test_quiet_figures_give_the_one_quiet_sentence() -> None:
    sentences = rules.recommendations(
        figures={
            "success_rate": figure("success_rate", "调处成功率", Decimal("95"), "%", ""),
            "overdue_rate": figure("overdue_rate", "超期率", None, "%", ""),
        },
        categories=[MixRow("邻里纠纷", 10, 10)],
        regions=[],
    )
    assert sentences == ["本期各项指标均未触发预警规则，建议保持现有工作机制，继续做好排查化解。"]


def test_hot_spots_are_the_largest_rises_only() -> None:
    rows = [
        MixRow("甲", 10, 2),
        MixRow("乙", 30, 20),
        MixRow("丙", 5, 9),
        MixRow("丁", 3, 0),
    ]
    assert [r.label for r in hot_spots(rows)] == ["乙", "甲", "丁"]
    assert hot_spots(rows)[1].change == Decimal("400.0")
    assert hot_spots(rows)[2].change is None
