"""End-to-end in a real browser (issue 14, item 5 and its Playwright test): a dispute the court
sent (委派, registered by the clerk through the intake) is mediated to a written agreement by the
tribunal's 驻庭调解室; its mediator files the judicial confirmation on the spot; the judge finds it
in the queue, accepts it, acknowledges the false-mediation flag and confirms it; the mediator
downloads the 民事裁定书 and the public verification page says the file is genuine.

(The referral helper's 委派 pages were not on main when this was written: the court's
case enters through the existing intake with channel 法院委派.)
Screenshots: test-artifacts/confirm-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus
from fengqiao.court.tests.confirmation_helpers import png
from fengqiao.disputes.choices import IntakeChannel, RiskGrade
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.tests.factories import register_case, start_mediation
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import case_agree
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_lifecycle import login

# Rulings are issued signed: the world's court holds a signing certificate.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("signing_credentials")]


def shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"confirm-{name}.png"), full_page=True)


def _court_case_resolved(cast: Any, world: Any) -> Any:
    """The clerk registers the tribunal's 委派 case; 甲镇平安办 sends it to the tribunal's
    驻庭调解室, whose mediator reaches a written agreement."""
    case = register_case(
        actor=cast.court_clerk,
        platform=world.town_a_platform,
        region=world.village_east,
        channel=IntakeChannel.COURT_PRE,
        title="张三诉李四民间借贷纠纷（诉前委派）",
    )
    assert case.source_org == world.tribunal_a
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.court_room_a]
    )
    case = dispatch_accept(actor=cast.room_mediator, dispatch_id=case.dispatches.get().pk)
    case = start_mediation(case, cast.room_mediator)
    return case_agree(
        actor=cast.room_mediator,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        terms="李四于2027年1月31日前归还张三借款二万元。",
        facts="李四向张三借款二万元，到期未还。",
        disputed_points="还款期限。",
    )


def test_file_accept_confirm_download_verify(
    page: Any, live_server: Any, cast: Any, world: Any, tmp_path: Path
) -> None:
    base = live_server.url
    case = _court_case_resolved(cast, world)

    # 1. The 驻庭调解室's mediator opens the case from the landing page and files on the spot.
    login(page, base, "room_mediator")
    page.goto(f"{base}/cases/{case.pk}/")
    page.locator("#confirmation-apply").click()
    page.wait_for_url(f"{base}/court/cases/{case.pk}/confirmation/")
    assert world.tribunal_a.name in page.locator("#competent-court").inner_text()
    page.locator("input[name=applicants]").nth(0).check()
    page.locator("input[name=applicants]").nth(1).check()
    scan = tmp_path / "协议扫描件.png"
    scan.write_bytes(png((600, 800)).getvalue())
    page.set_input_files("#id_scan", str(scan))
    shot(page, "01-file-form")
    page.get_by_role("button", name="提交申请并生成申请书").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/#confirmation")
    assert "待受理" in page.locator("#confirmation").inner_text()
    shot(page, "02-filed")
    confirmation = Confirmation.objects.get(case=case)

    # 2. The judge: landing → 司法确认 → the queue → the application.
    login(page, base, "judge")
    page.get_by_role("link", name="司法确认").first.click()
    page.wait_for_url(f"{base}/court/confirmations/")
    row = page.locator("#confirmation-queue tr", has_text=case.number)
    assert "1 项待审查" in row.inner_text()
    shot(page, "03-queue")
    row.get_by_role("link").first.click()
    page.wait_for_url(f"{base}/court/confirmations/{confirmation.pk}/")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    assert "待裁定" in page.locator("#confirmation-status").inner_text()
    assert "作出裁定并出具民事裁定书" not in page.content()
    # the same-day flag: reviewed and acknowledged before the ruling is offered
    flag = page.locator(".flag[data-flag=same_day]")
    flag.locator("input[name=note]").fill("已询问双方，借贷关系真实，当日到场调解。")
    flag.get_by_role("button", name="已审查，确认").click()
    page.wait_for_load_state()
    shot(page, "04-flag-acknowledged")
    page.locator("input[name=rule-outcome][value=confirmed]").check()
    page.locator("#id_rule-reasons").fill("调解协议系双方自愿达成，内容不违反法律规定。")
    page.get_by_role("button", name="作出裁定并出具民事裁定书").click()
    page.wait_for_load_state()
    assert "确认有效" in page.locator("#confirmation-status").inner_text()
    shot(page, "05-ruled")
    confirmation.refresh_from_db()
    assert confirmation.status == ConfirmationStatus.CONFIRMED

    # 3. The mediator downloads the 民事裁定书 from the case page.
    login(page, base, "room_mediator")
    page.goto(f"{base}/cases/{case.pk}/")
    with page.expect_download() as info:
        page.locator("#confirmation .decision-download").click()
    ruling = tmp_path / "ruling.pdf"
    info.value.save_as(str(ruling))
    assert ruling.read_bytes().startswith(b"%PDF")
    (ARTIFACTS / "confirm-ruling.pdf").write_bytes(ruling.read_bytes())
    shot(page, "06-case-with-ruling")

    # 4. Anyone holding it checks it on the public verification page: genuine.
    page.context.clear_cookies()
    page.goto(f"{base}/verify/{confirmation.decision_document.public_id}")
    assert "民事裁定书" in page.content()
    page.set_input_files("input[name=file]", str(ruling))
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert "真实有效" in page.locator("#verify-result").inner_text()
    shot(page, "07-verified")
