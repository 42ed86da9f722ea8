"""End-to-end: one dispute from a grid worker's phone to a written agreement, in a real browser:
report, assessment, dispatch, acceptance, consent and rights notice, a session, the agreement.

Each step leaves a screenshot in test-artifacts/ (lifecycle-NN-*.png).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lifecycle-{name}.png"), full_page=True)


def submit_action(page: Any, action: str, button: str) -> None:
    """Open the action's panel on the case page (fields filled by the caller) and submit it."""
    page.locator(f"#act-{action} button[type=submit]", has_text=button).click()
    page.wait_for_load_state()


def open_action(page: Any, action: str) -> Any:
    panel = page.locator(f"#act-{action}")
    panel.locator("summary").click()
    return panel


def test_grid_report_to_written_agreement(
    page: Any, live_server: Any, cast: Any, world: Any
) -> None:
    base = live_server.url

    # 1. The grid worker reports from a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "grid_east")
    page.goto(f"{base}/cases/report/")
    page.select_option("#id_category", "neighbour")
    page.fill("#id_title", "张家与李家因排水沟起争执")
    page.fill("#id_applicant_name", "张三")
    page.fill("#id_applicant_phone", "13800001111")
    page.fill("#id_respondent_name", "李四")
    page.fill("#id_facts", "雨后排水沟堵塞，张家院内积水。")
    shot(page, "01-report-form")
    page.get_by_role("button", name="上报").click()
    page.wait_for_url(f"{base}/cases/report/*/")
    number = page.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.REGISTERED
    shot(page, "02-reported")

    # 2. The township dispatcher assesses it and dispatches it to 东村's committee.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "dispatcher")
    page.goto(f"{base}/cases/my/")
    page.locator("#to-assess").get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    panel = open_action(page, "assess")
    panel.locator("#id_assess_grade").select_option("medium")
    panel.locator("#id_assess_note").fill("邻里纠纷，村级可化解")
    submit_action(page, "assess", "确认研判")
    assert "研判结果已保存" in page.locator("main").inner_text()
    shot(page, "03-assessed")

    panel = open_action(page, "dispatch")
    # (a medium-risk case preselects the township's committee; the dispatcher picks the village)
    panel.get_by_label("甲镇人民调解委员会", exact=True).uncheck()
    panel.get_by_label("东村人民调解委员会", exact=True).check()
    panel.get_by_label("任务要求：东村人民调解委员会").fill("三日内上门了解情况")
    submit_action(page, "dispatch", "确认交办")
    assert "已交办" in page.locator("main").inner_text()
    assert "东村人民调解委员会" in page.locator("#orders").inner_text()
    shot(page, "04-dispatched")

    # 3. 东村's mediator accepts from the worklist, records both parties' consent and the rights
    # notice, holds a session (which starts mediation) and records the agreement.
    login(page, base, "mediator_east")
    page.goto(f"{base}/cases/my/")
    row = page.locator(f'#to-accept tr[data-case="{number}"]')
    shot(page, "05-to-accept")
    row.get_by_role("button", name="受理").click()
    page.wait_for_url(f"{base}/cases/my/")
    assert "已受理案件" in page.locator("main").inner_text()
    page.locator("#to-mediate").get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    # Nothing to mediate yet: no consent, no rights notice (人民调解法 arts. 17, 23).
    assert page.locator("#mediation-consent-needed").is_visible()
    assert page.locator("#act-start").count() == 0
    for party in ("申请人 张三", "被申请人 李四"):
        form = page.locator("#mediation-consent-form")
        form.locator("summary").click()
        form.locator("#id_consent-party").select_option(label=party)
        form.get_by_label("同意调解").check()
        form.locator("#id_consent-method").select_option("in_person")
        form.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert "已记录调解意愿" in page.locator("main").inner_text()
    assert page.locator("#consents").inner_text().count("同意调解") == 2
    notice = page.locator("#mediation-notice-form")
    notice.locator("summary").click()
    notice.locator("#id_notice-method").select_option("in_person")
    notice.get_by_label("申请人 张三").check()
    notice.get_by_label("被申请人 李四").check()
    notice.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已记录告知书送达" in page.locator("main").inner_text()
    assert page.locator("#mediation-consent-needed").count() == 0
    shot(page, "06-consent-and-notice")

    session = page.locator("#mediation-session-form")
    session.locator("summary").click()
    session.locator("#id_session-place").fill("东村村委会调解室")
    session.locator("#id_session-record").fill("双方到场陈述，同意由李四疏通排水沟。")
    session.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已记录调解笔录" in page.locator("main").inner_text()
    assert "调解中" in page.locator("#case-status").inner_text()
    assert "双方到场陈述" in page.locator("#sessions").inner_text()
    shot(page, "07-mediating")

    panel = open_action(page, "agree")
    panel.get_by_label("书面协议").check()
    panel.locator("#id_agree_disputed_points").fill("排水沟疏通责任")
    panel.locator("#id_agree_responsibilities").fill("李四负主要责任")
    panel.locator("#id_agree_terms").fill("李四于十日内疏通排水沟，并赔偿张三损失500元。")
    panel.locator("#id_agree_performance_method").fill("自行疏通、现金支付")
    panel.locator("#id_agree_performance_place").fill("东村3组")
    deadline = timezone.localdate() + timedelta(days=10)
    panel.locator("#id_agree_performance_deadline").fill(deadline.isoformat())
    shot(page, "08-agreement-form")
    submit_action(page, "agree", "确认达成协议")
    assert "案件调解成功" in page.locator("main").inner_text()
    assert "李四于十日内疏通排水沟" in page.locator("#agreement").inner_text()
    shot(page, "09-resolved")

    # 4. The dispatcher sees it resolved in the case list.
    login(page, base, "dispatcher")
    page.goto(f"{base}/cases/")
    row = page.locator(f'#case-list tr[data-case="{number}"]')
    assert "调解成功" in row.inner_text()
    assert "东村人民调解委员会" in row.inner_text()
    shot(page, "10-list-resolved")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
