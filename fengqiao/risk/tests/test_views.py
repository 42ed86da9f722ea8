"""What the case page shows of a grading: the 风险研判 panel with the computed grade, each
fired rule's reason in Chinese, and an override with its reason."""

from __future__ import annotations

from typing import Any

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.services.dispatch import case_assess
from fengqiao.risk.tests.test_grading import WAGE_TEXT, report
from fengqiao.web.tests.html import page_text


def panel(client: Any, case: Any) -> str:
    text = " ".join(page_text(client.get(f"/cases/{case.pk}/")).split())
    assert "风险研判" in text
    return text[text.index("风险研判") :]


def test_the_case_page_lists_why_the_wage_arrears_report_is_high(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = report(
        cast,
        world,
        category=DisputeCategory.LABOUR,
        title="工地拖欠工人工资",
        facts=WAGE_TEXT,
        people_count=32,
    )
    text = panel(client_for(cast.dispatcher), case)
    assert "系统评定 高" in text
    for reason in ("涉及人数30人以上", "劳动争议（劳资重点领域）", "拖欠工资", "扬言聚集堵路"):
        assert reason in text


def test_the_case_page_shows_an_override_and_its_reason(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = report(cast, world, people_count=8)
    case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        people_count=8,
        note="实为一户八口的家庭内部纠纷",
    )
    text = panel(client_for(cast.dispatcher), case)
    assert "系统评定 中" in text
    assert "涉及人数5人以上" in text
    assert "调整为“低”" in text
    assert "实为一户八口的家庭内部纠纷" in text
