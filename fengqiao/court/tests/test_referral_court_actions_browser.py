"""In a real browser on the small demo county: the tribunal's clerk, starting from 诉调对接
(/court/), finds the 委托 the township platform dispatched flagged 缺少案号, adds the court's 案号
under 简易程序 and sees the 7-day period; then withdraws another referral under 调解中 and finds
it under 已撤回, and the room's mediator reads why on the case page. Screenshots go to
test-artifacts/referral-actions-NN-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.court.models import CourtReferral
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CourtProcedure,
    DueKind,
    DueStatus,
    IntakeChannel,
    PartyRole,
    RiskGrade,
)
from fengqiao.disputes.models import Case, DueItem
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_register
from fengqiao.regions.models import Region
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

TITLE = "房屋买卖合同纠纷（平台交办的委托）"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"referral-actions-{name}.png"), full_page=True)


def _platform_commission() -> Case:
    """The demo clerk registers a 委托; the township platform's dispatcher dispatches it the
    ordinary way to the tribunal's room, whose mediator accepts it (no 案号 on the referral)."""
    clerk = User.objects.get(username="clerk")
    mediator = User.objects.get(username="mediator_court")
    dispatcher = User.objects.get(username="dispatcher")
    room = RoleGrant.objects.get(user=mediator).org
    platform = RoleGrant.objects.select_related("org__region").get(user=dispatcher).org
    region = Region.objects.filter(path__startswith=platform.region.path, level=5).first()
    report = IntakeReport(
        channel=IntakeChannel.COURT_POST,
        category="contract",
        region=region,
        title=TITLE,
        facts="原告诉至人民法庭，立案后经双方同意委托调解。",
        parties=(
            PartyInput(role=PartyRole.APPLICANT, name="钱多多", phone="13700004321"),
            PartyInput(role=PartyRole.RESPONDENT, name="孙小美", phone="13600008765"),
        ),
    )
    case = case_register(actor=clerk, platform=platform, report=report)
    case_assess(
        actor=dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case_dispatch(actor=dispatcher, case_id=case.pk, version=None, orgs=[room])
    case.refresh_from_db()
    return dispatch_accept(actor=mediator, dispatch_id=case.dispatches.get().pk)


def test_the_clerk_adds_the_courts_number_to_a_platform_dispatched_commission(
    page: Any, live_server: Any, demo_small: None
) -> None:
    case = _platform_commission()
    base = live_server.url
    login(page, base, "clerk")
    page.get_by_role("link", name="诉调对接").first.click()
    page.wait_for_url(f"{base}/court/")
    page.locator("#court-tabs").get_by_role("link", name="调解中").click()
    row = page.locator("#tab-mediating tr", has_text=case.number)
    assert "缺少案号" in row.inner_text()
    _shot(page, "01-flagged")
    row.get_by_role("link", name="补录案号").click()
    page.wait_for_url("**/number/")
    # A number without its year is refused in Chinese, what was typed is kept
    page.fill("#id_court_case_number", "浙0199民初88号")
    page.select_option("#id_procedure", "simplified")
    page.get_by_role("button", name="保存").click()
    assert "法院案号格式不正确" in page.locator("main").inner_text()
    assert page.input_value("#id_court_case_number") == "浙0199民初88号"
    _shot(page, "02-refused")
    page.fill("#id_court_case_number", "（2026）浙0199民初88号")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/court/?tab=mediating")
    assert (
        "已补录法院案号（2026）浙0199民初88号，调解期限按简易程序计算"
        in page.locator("main").inner_text()
    )
    item = DueItem.objects.get(case=case, kind=DueKind.MEDIATION, status=DueStatus.OPEN)
    due = deadlines.mediation_deadline(
        IntakeChannel.COURT_POST, item.started_at, CourtProcedure.SIMPLIFIED
    )
    shown = timezone.localtime(due).strftime("%Y-%m-%d")
    row = page.locator("#tab-mediating tr", has_text=case.number).inner_text()
    assert "（2026）浙0199民初88号" in row
    assert "缺少案号" not in row
    assert shown in row
    _shot(page, "03-numbered")
    # The case page: the number, the procedure and the 7-day period; its timeline says so
    page.goto(f"{base}/cases/{case.pk}/")
    panel = page.locator("#court-referral").inner_text()
    assert "（2026）浙0199民初88号（简易程序）" in panel
    assert shown in panel
    assert "补录法院案号" in page.locator("main").inner_text()


def test_the_clerk_withdraws_a_referral_and_the_mediator_reads_why(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    referral = CourtReferral.objects.select_related("case").get(
        case__title="房屋租赁合同纠纷（调解中）"
    )
    number = referral.case.number
    login(page, base, "clerk")
    page.get_by_role("link", name="诉调对接").first.click()
    page.wait_for_url(f"{base}/court/")
    page.locator("#court-tabs").get_by_role("link", name="调解中").click()
    page.locator("#tab-mediating tr", has_text=number).get_by_role("link", name="撤回").click()
    page.wait_for_url("**/withdraw/")
    # 其他原因 without saying which is refused
    page.get_by_label("其他原因").check()
    page.get_by_role("button", name="确认撤回").click()
    assert "选择“其他原因”时请说明撤回原因" in page.locator("main").inner_text()
    page.get_by_label("法院决定自行审理").check()
    page.fill("#id_detail", "案情复杂，本院依法自行审理。")
    _shot(page, "04-withdraw-form")
    page.get_by_role("button", name="确认撤回").click()
    page.wait_for_url(f"{base}/court/?tab=withdrawn")
    assert "已撤回" in page.locator("main").inner_text()
    row = page.locator("#tab-withdrawn tr", has_text=number).inner_text()
    assert "法院决定自行审理：案情复杂，本院依法自行审理。" in row
    _shot(page, "05-withdrawn")
    # The room's mediator: told, and the case page says why
    login(page, base, "mediator_court")
    page.goto(f"{base}/cases/{referral.case_id}/")
    panel = page.locator("#court-referral").inner_text()
    assert "撤回原因" in panel
    assert "法院决定自行审理：案情复杂，本院依法自行审理。" in panel
    assert "已撤回" in page.locator("main").inner_text()
    _shot(page, "06-mediator-case")
