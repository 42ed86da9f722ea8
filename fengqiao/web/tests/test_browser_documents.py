"""On a phone, the demo county's village mediator goes from their landing page to a case
resolved with a written agreement, issues its 调解协议书 from the case page's 文书 section and
downloads the PDF; a second tap on the same button issues nothing more.

Screenshots go to test-artifacts/documents-<step>.png.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.selectors import CaseFilters, case_list_page
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.models import Agreement
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"documents-{name}.png"), full_page=True)


def test_the_mediator_issues_and_downloads_the_agreement_on_a_phone(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    mediator = User.objects.get(username="mediator")
    resolved = case_list_page(mediator, CaseFilters(status=CaseStatus.RESOLVED))[:30]
    written = set(
        Agreement.objects.filter(
            case__in=[c.pk for c in resolved], kind=AgreementKind.WRITTEN
        ).values_list("case_id", flat=True)
    )
    case = next(c for c in resolved if c.pk in written)

    page.set_viewport_size(PHONE)
    login(page, base, "mediator")
    # From the landing page (我的工作), through the menu, to the cases, the resolved ones, this
    # case.
    page.get_by_role("button", name="菜单").click()
    page.locator("#nav").get_by_role("link", name="纠纷案件").click()
    page.wait_for_url("**/cases/")
    page.locator("#case-filters select[name=status]").select_option(CaseStatus.RESOLVED.value)
    page.locator("#case-filters-submit").click()
    page.wait_for_url("**status=resolved**")
    page.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")

    section = page.locator("#documents")
    row = section.locator(
        f'#document-offers tr[data-doc-type="{DocumentType.MEDIATION_AGREEMENT}"]'
    )
    assert "未出具" in row.inner_text()
    # Nothing on the phone's page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "offers")
    # The same page open in a second tab (or a second tap on a slow phone).
    second = page.context.new_page()
    second.goto(page.url)
    row.get_by_role("button", name="出具PDF").click()
    page.wait_for_load_state()
    assert "已出具调解协议书第1版" in page.locator("main").inner_text()
    issued = IssuedDocument.objects.get(
        case_number=case.number, doc_type=DocumentType.MEDIATION_AGREEMENT
    )
    listed = page.locator("#issued-documents")
    assert "第1版" in listed.inner_text()
    shot(page, "issued")

    # Download the PDF: the agreement of this case, with its verification address.
    with page.expect_download() as info:
        # This agreement's (the demo may have issued the case other documents before).
        listed.locator(f'a[href*="{issued.public_id}"]', has_text="下载PDF").click()
    path = info.value.path()
    assert path is not None
    pdf = path.read_bytes()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "人民调解协议书" in text
    assert case.handling_org is not None
    assert case.handling_org.name in text
    assert f"/verify/{issued.public_id}" in text

    # The second tab's button, from before the issue, issues nothing more.
    stale = second.locator(
        f'#document-offers tr[data-doc-type="{DocumentType.MEDIATION_AGREEMENT}"]'
    )
    stale.get_by_role("button", name="出具PDF").click()
    second.wait_for_load_state()
    assert "本次重复提交未再保存" in second.locator("main").inner_text()
    assert (
        IssuedDocument.objects.filter(
            case_number=case.number, doc_type=DocumentType.MEDIATION_AGREEMENT
        ).count()
        == 1
    )
    second.close()
