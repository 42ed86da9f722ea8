"""A report's content built by hand (no stats): the renderers are tested on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fengqiao.core.validators import BEIJING
from fengqiao.reports.content import (
    Figure,
    MixRow,
    RankRow,
    RegionRow,
    ReportContent,
    TrendPoint,
)


def figure(
    key: str,
    label: str,
    value: Decimal | int | None,
    unit: str,
    formula: str,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Figure:
    return Figure(key, label, value, unit, numerator, denominator, formula)


def sample_content(kind: str = "quarterly") -> ReportContent:
    """A 季通报 of a fictional county: 120 disputes, 邻里纠纷 up from 20 to 40, 乙镇 up."""
    figures = [
        figure("intake", "受理纠纷数", 120, "件", "本期登记的纠纷件数", 120, None),
        figure(
            "success_rate",
            "调处成功率",
            Decimal("72.5"),
            "%",
            "调处成功数 ÷ 调处办结数 × 100%",
            58,
            80,
        ),
        figure("overdue_rate", "超期率", Decimal("12.0"), "%", "超期件数 ÷ 在办件数 × 100%", 6, 50),
        figure(
            "confirmation_rate",
            "司法确认率",
            Decimal("5.0"),
            "%",
            "司法确认数 ÷ 调解协议数 × 100%",
            2,
            40,
        ),
        figure("criminal_transfer", "民转刑", 1, "件", "本期民转刑案件数", 1, None),
        figure("lawsuits_per_10k", "万人起诉率", None, "件/万人", "民事起诉数 ÷ 常住人口 × 10000"),
    ]
    categories = [
        MixRow("邻里纠纷", 40, 20, Decimal("33.3")),
        MixRow("婚姻家庭纠纷", 30, 32, Decimal("25.0")),
        MixRow("劳动争议", 50, 48, Decimal("41.7")),
    ]
    regions = [MixRow("甲镇", 70, 68), MixRow("乙镇", 50, 30)]
    return ReportContent(
        kind=kind,
        kind_label="季通报",
        title="测试区2026年第3季度季通报",
        region_name="测试区",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        period_label="2026年第3季度",
        previous_label="2026年第2季度",
        generated_at=datetime(2026, 10, 9, 0, 40, tzinfo=BEIJING),
        figures=figures,
        trend=[TrendPoint(f"{m}月", 30 + m, 20 + m) for m in (7, 8, 9)],
        categories=categories,
        levels=[
            MixRow("村（社区）", 30, 0, Decimal("51.7")),
            MixRow("乡镇（街道）", 20, 0, Decimal("34.5")),
            MixRow("区县", 8, 0, Decimal("13.8")),
        ],
        hot_regions=[regions[1]],
        hot_categories=[categories[0]],
        # The assessment's ranking: 乙镇 lacks the imported court figures (缺数据).
        ranking=[
            RankRow(1, "乙镇", "", "94.12", "85", ["万人起诉率"], ["80.00", None]),
            RankRow(2, "甲镇", "", "75.00", "100", [], ["60.00", "15.00"]),
        ],
        ranking_indicators=[("诉前调处成功率", "85"), ("万人起诉率", "15")],
        ranking_status="考核排名未发布/试算：2026年第3季度的考核排名尚未发布，本表按报表生成时的"
        "统计数据试算，以县级综治中心发布的排名为准。",
        regions=[
            RegionRow("甲镇", [figure("success_rate", "调处成功率", Decimal("80.0"), "%", "")]),
            RegionRow("乙镇", [figure("success_rate", "调处成功率", Decimal("60.0"), "%", "")]),
        ],
        ranking_of="乡镇（街道）",
        recommendations=[
            "“邻里纠纷”纠纷本期 40 件，较上期 20 件上升 100.0%，建议组织开展专项排查化解。"
        ],
        notes=["万人起诉率需导入法院立案数，本期未导入。"],
    )
