"""In a real browser on a phone, on the small demo county: a village mediator finds an
obligation coming due on 我的工作 (履行跟踪), records the payment with a photo of the receipt,
and issues the 自动履行证明书, whose verification page the case page links.

Screenshots go to test-artifacts/fulfilment-<step>.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.policy import FULFIL, case_may
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation.choices import PERFORMANCE_OPEN, PerformanceStatus
from fengqiao.mediation.models import PerformanceItem
from fengqiao.mediation.tests.factories import png_bytes
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fulfilment-{name}.png"), full_page=True)


def test_a_mediator_records_payment_and_issues_the_certificate_on_a_phone(
    page: Any, live_server: Any, demo_small: None, tmp_path: Path
) -> None:
    mediator = User.objects.get(username="mediator")
    # The demo gave the mediator's committee an agreement being paid off; its last instalment
    # falls due in two days.
    item = next(
        i
        for i in PerformanceItem.objects.filter(status__in=PERFORMANCE_OPEN).select_related("case")
        if case_may(mediator, i.case, FULFIL)
    )
    PerformanceItem.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() + timedelta(days=2)
    )
    case = item.case
    base = live_server.url
    page.set_viewport_size(PHONE)
    login(page, base, "mediator")

    # 我的工作 → 履行跟踪 → the case's 履行情况
    due = page.locator("#fulfilment-due")
    assert item.description in due.inner_text()
    shot(page, "my-work")
    due.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/*")
    panel = page.locator("#fulfilment")
    assert "部分履行" in panel.inner_text()

    # 登记履行: the rest of the money, with a photo of the receipt
    item.refresh_from_db()
    rest = item.amount - item.performed_amount
    form = page.locator("#fulfilment-record-form")
    form.locator("summary").click()
    form.locator("select[name=performance-item]").select_option(str(item.pk))
    form.locator("input[name=performance-amount]").fill(str(rest))
    receipt = tmp_path / "收条.png"
    receipt.write_bytes(png_bytes())
    form.locator("input[name=performance-proof]").set_input_files(str(receipt))
    shot(page, "record")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "履行情况已登记" in page.locator("main").inner_text()
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED
    assert page.locator("#performance-items a", has_text="凭证").count() >= 1
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    # Everything performed: 出具自动履行证明书
    page.locator("#fulfilment-certificate-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "自动履行证明书已出具" in page.locator("main").inner_text()
    document = IssuedDocument.objects.get(
        case_number=case.number, doc_type=DocumentType.PERFORMANCE_CERTIFICATE
    )
    shot(page, "certificate")
    with page.expect_download() as download:
        page.locator("#performance-certificate-issued a", has_text="下载PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.locator("#performance-certificate-issued a", has_text="验真").click()
    page.wait_for_url(f"**/verify/{document.public_id}")
    assert "自动履行证明书" in page.locator("main").inner_text()
