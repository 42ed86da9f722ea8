"""The whole of issue 14 in a real browser, on the small demo county, each role starting where it
really starts: the court's clerk sends the waiting 委派 from 诉调对接; the 驻庭调解室's mediator
(on a phone) accepts it from their landing page, records consent, the rights notice and a
session, reaches a written agreement and files the judicial confirmation on the spot; the judge
finds it under 司法确认, accepts it and confirms it; the mediator downloads the sealed 民事裁定书,
prints the 送达回证, records the party's signature drawn on the pad, records the payment with
its receipt and issues the 自动履行证明书; the public verification page says the ruling is
genuine. Screenshots: test-artifacts/court-e2e-NN-*.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.court.models import CourtReferral
from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus, ServiceReceipt
from fengqiao.court.tests.confirmation_helpers import png
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation.choices import PerformanceStatus
from fengqiao.mediation.models import PerformanceItem
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TITLE = "买卖合同货款纠纷（待委派）"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"court-e2e-{name}.png"), full_page=True)


def fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def save(page: Any, form: Any, button: str = "保存") -> None:
    form.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def mediate_to_agreement(page: Any, base: str, case_pk: int) -> None:
    """On the case page: both parties' consent, the rights notice, a session, the agreement."""
    page.goto(f"{base}/cases/{case_pk}/")
    consent = page.locator("#mediation-consent-form")
    parties = consent.locator("#id_consent-party option")
    values = [v for v in parties.evaluate_all("os => os.map(o => o.value)") if v]
    assert len(values) >= 2
    for value in values:
        form = page.locator("#mediation-consent-form")
        form.locator("summary").click()
        form.locator("#id_consent-party").select_option(value)
        form.get_by_label("同意调解").check()
        form.locator("#id_consent-method").select_option("in_person")
        save(page, form)
        assert "已记录调解意愿" in page.locator("main").inner_text()
    notice = page.locator("#mediation-notice-form")
    notice.locator("summary").click()
    notice.locator("#id_notice-method").select_option("in_person")
    for box in notice.locator("input[type=checkbox][name=notice-acknowledged]").all():
        box.check()
    save(page, notice)
    assert "已记录告知书送达" in page.locator("main").inner_text()
    session = page.locator("#mediation-session-form")
    session.locator("summary").click()
    session.locator("#id_session-place").fill("人民法庭驻庭调解室")
    session.locator("#id_session-record").fill("双方到场，核对货款，被申请人同意分期支付。")
    save(page, session)
    agree = page.locator("#act-agree")
    agree.locator("summary").click()
    agree.locator("#id_agree_disputed_points").fill("货款数额及支付期限")
    agree.locator("#id_agree_responsibilities").fill("被申请人未按期付款，负主要责任")
    agree.locator("#id_agree_terms").fill("被申请人于2027年1月31日前支付货款一万二千元。")
    agree.locator("#id_agree_performance_method").fill("银行转账")
    agree.locator("#id_agree_performance_place").fill("本县")
    agree.locator("#id_agree_performance_deadline").fill(
        (timezone.localdate() + timedelta(days=40)).isoformat()
    )
    agree.locator("button[type=submit]", has_text="确认达成协议").click()
    page.wait_for_load_state()
    assert "支付货款一万二千元" in page.locator("#agreement").inner_text()


def draw_signature(page: Any, canvas: Any) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * (box["width"] - 40) / 11,
            box["y"] + box["height"] / 2 + (12 if step % 2 else -12),
        )
    page.mouse.up()


def test_from_the_clerks_referral_to_the_performance_certificate(
    page: Any, live_server: Any, demo_small: None, tmp_path: Path
) -> None:
    base = live_server.url

    # 1. The clerk: landing → 诉调对接 → 待委派 → 委派 to the 驻庭调解室.
    page.set_viewport_size(DESKTOP)
    login(page, base, "clerk")
    page.get_by_role("link", name="诉调对接").first.click()
    page.wait_for_url(f"{base}/court/")
    row = page.locator("#tab-pending tr", has_text=TITLE)
    number = row.locator("td").first.inner_text().strip()
    row.get_by_role("link", name="委派/委托").click()
    page.wait_for_url("**/refer/")
    page.select_option("#id_member", index=1)
    page.fill("#id_note", "请于30日内调解；达成协议的，可就地申请司法确认。")
    page.get_by_role("button", name="委派").click()
    page.wait_for_url(f"{base}/court/?tab=sent")
    assert number in page.locator("#tab-sent").inner_text()
    shot(page, "01-clerk-sent")
    referral = CourtReferral.objects.select_related("case").get(case__number=number)
    case = referral.case

    # 2. The room's mediator, on a phone: accept from the landing page, mediate, agree.
    page.set_viewport_size(PHONE)
    login(page, base, "mediator_court")
    page.locator("#to-accept tr", has_text=number).get_by_role("button", name="受理").click()
    page.wait_for_load_state()
    mediate_to_agreement(page, base, case.pk)
    fits_the_phone(page)
    shot(page, "02-mediator-agreed")

    # 3. Filed on the spot with the signed agreement's scan.
    page.locator("#confirmation-apply").click()
    page.wait_for_url(f"{base}/court/cases/{case.pk}/confirmation/")
    for box in page.locator("input[name=applicants]").all():
        box.check()
    scan = tmp_path / "协议扫描件.png"
    scan.write_bytes(png((600, 800)).getvalue())
    page.set_input_files("#id_scan", str(scan))
    fits_the_phone(page)
    page.get_by_role("button", name="提交申请并生成申请书").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/#confirmation")
    assert "待受理" in page.locator("#confirmation").inner_text()
    confirmation = Confirmation.objects.get(case=case)
    shot(page, "03-filed")

    # 4. The judge: landing → 司法确认 → the application → 受理, flags reviewed, 确认有效.
    page.set_viewport_size(DESKTOP)
    login(page, base, "judge")
    page.get_by_role("link", name="司法确认").first.click()
    page.wait_for_url(f"{base}/court/confirmations/")
    page.locator("#confirmation-queue tr", has_text=case.number).get_by_role("link").first.click()
    page.wait_for_url(f"{base}/court/confirmations/{confirmation.pk}/")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    assert "待裁定" in page.locator("#confirmation-status").inner_text()
    while page.locator(".flag button", has_text="已审查，确认").count():
        flag = page.locator(".flag", has=page.locator("button", has_text="已审查，确认")).first
        flag.locator("input[name=note]").fill("已询问双方当事人，买卖关系真实。")
        flag.get_by_role("button", name="已审查，确认").click()
        page.wait_for_load_state()
    page.locator("input[name=rule-outcome][value=confirmed]").check()
    page.locator("#id_rule-reasons").fill("调解协议系双方自愿达成，内容不违反法律规定。")
    page.get_by_role("button", name="作出裁定并出具民事裁定书").click()
    page.wait_for_load_state()
    assert "确认有效" in page.locator("#confirmation-status").inner_text()
    shot(page, "04-judge-ruled")
    confirmation.refresh_from_db()
    assert confirmation.status == ConfirmationStatus.CONFIRMED

    # 5. The mediator downloads the sealed ruling and prints a 送达回证 from the 文书 section.
    page.set_viewport_size(PHONE)
    login(page, base, "mediator_court")
    page.goto(f"{base}/cases/{case.pk}/")
    with page.expect_download() as info:
        page.locator("#confirmation .decision-download").click()
    ruling = tmp_path / "ruling.pdf"
    info.value.save_as(str(ruling))
    assert ruling.read_bytes().startswith(b"%PDF")
    issued = page.locator("#issued-documents").inner_text()
    assert f"民事裁定书 {confirmation.number}" in issued
    offer = page.locator('#document-offers tr[data-doc-type="service_receipt"]').first
    offer.get_by_role("button", name="出具PDF").click()
    page.wait_for_load_state()
    assert IssuedDocument.objects.filter(
        case_number=case.number, doc_type=DocumentType.SERVICE_RECEIPT
    ).exists()

    # ... serves it at once: the party signs on the pad.
    serve = page.locator("#confirmation details.serve")
    serve.locator("summary").click()
    serve.locator("input[name=place]").fill("人民法庭驻庭调解室")
    draw_signature(page, serve.locator("canvas.signature-pad"))
    shot(page, "05-signing")
    # The pad's drawing is turned into a PNG and posted by script: wait for the new page.
    with page.expect_navigation():
        serve.get_by_role("button", name="保存送达回证").click()
    assert "送达回证已记录" in page.locator("main").inner_text()
    receipt = ServiceReceipt.objects.get(confirmation=confirmation)
    signature = page.locator("#confirmation a.receipt-signature").first
    assert signature.get_attribute("href") == reverse("court:receipt_signature", args=[receipt.pk])
    fits_the_phone(page)

    # 6. Fulfilment: the obligation, the payment with its receipt, the certificate.
    items = page.locator("#fulfilment-item-form")
    items.locator("summary").click()
    items.locator("select[name=performance_item-obligor]").select_option(index=1)
    items.locator("input[name=performance_item-description]").fill("支付货款")
    items.locator("input[name=performance_item-amount]").fill("12000")
    items.locator("input[name=performance_item-due_date]").fill(
        (timezone.localdate() + timedelta(days=30)).isoformat()
    )
    save(page, items)
    item = PerformanceItem.objects.get(case=case)
    record = page.locator("#fulfilment-record-form")
    record.locator("summary").click()
    record.locator("select[name=performance-item]").select_option(str(item.pk))
    record.locator("input[name=performance-amount]").fill("12000")
    proof = tmp_path / "转账回单.png"
    proof.write_bytes(png((300, 200)).getvalue())
    record.locator("input[name=performance-proof]").set_input_files(str(proof))
    save(page, record)
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED
    page.locator("#fulfilment-certificate-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "自动履行证明书已出具" in page.locator("main").inner_text()
    shot(page, "06-certificate")
    fits_the_phone(page)

    # 7. Anyone holding the ruling checks it on the public verification page: genuine.
    page.context.clear_cookies()
    page.goto(f"{base}/verify/{confirmation.decision_document.public_id}")  # type: ignore[union-attr]
    page.set_input_files("input[name=file]", str(ruling))
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert "真实有效" in page.locator("#verify-result").inner_text()
    shot(page, "07-verified")
