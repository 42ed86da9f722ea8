"""In a real browser on the small demo county: the village mediator asks the 人民法庭 a question
from the case page; the judge finds it on the page they land on and answers; the mediator sees
the answer on the case."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.models import RoleGrant
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case
from fengqiao.mediation.models import GuidanceRequest
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

QUESTION = "一方当事人提出按农村习惯分割宅基地上房屋，调解协议能否这样约定？"
ANSWER = "宅基地使用权不得单独转让，协议可约定房屋居住使用安排，不宜约定宅基地权属变更。"


def test_the_mediator_asks_the_judge_answers_and_the_case_keeps_it(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    case = (
        Case.objects.filter(handler__username="mediator", status=CaseStatus.MEDIATING)
        .order_by("pk")
        .first()
    )
    assert case is not None
    tribunal = RoleGrant.objects.select_related("org").get(user__username="judge").org

    login(page, base, "mediator")
    page.get_by_role("link", name=case.number).first.click()
    page.click("#guidance-form summary")
    page.select_option("#id_guidance-asked_org", label=f"{tribunal.name}（人民法庭）")
    page.fill("#id_guidance-question", QUESTION)
    page.click("#guidance-ask")
    page.wait_for_selector("text=已向")
    assert QUESTION in page.inner_text("#guidance")
    assert "待答复" in page.inner_text("#guidance")

    login(page, base, "judge")
    page.locator("#guidance-work").get_by_role("link", name=QUESTION[:20]).click()
    page.fill("#id_answer", ANSWER)
    page.click("#guidance-answer-submit")
    page.wait_for_selector("text=已答复")
    assert ANSWER in page.inner_text("#guidance-answer")
    page.goto(f"{base}/")
    assert page.locator("#guidance-work").count() == 0

    login(page, base, "mediator")
    page.get_by_role("link", name=case.number).first.click()
    panel = page.inner_text("#guidance")
    assert ANSWER in panel
    assert "按期答复" in panel
    assert tribunal.name in panel
    asked = GuidanceRequest.objects.get(case=case)
    assert asked.answered_by.username == "judge"
