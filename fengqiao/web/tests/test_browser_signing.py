"""In the browser: the org admin replaces a court's signing certificate (a wrong password first),
and anyone checks a signed 调解协议书 on the verification page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fengqiao.documents.selectors import credential_active_for
from fengqiao.documents.tests.test_credentials import PASSWORD, _court, _p12
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def _shot(page: Any, name: str) -> None:
    """A screenshot for a person to look at, when FENGQIAO_SCREENSHOTS names a folder."""
    folder = os.environ.get("FENGQIAO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_org_admin_replaces_a_courts_certificate(
    page: Any, live_server: Any, demo_small: None, tmp_path: Path
) -> None:
    base = live_server.url
    court = _court()
    before = credential_active_for(court)
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(_p12(court))
    login(page, base, "orgadmin")
    page.get_by_role("link", name="电子签章证书").click()
    page.wait_for_selector("#credentials")
    _shot(page, "credential-list")
    row = page.locator("#credentials tr", has_text=court.name).first
    row.get_by_role("link", name="更换证书").click()
    page.wait_for_selector("#credential-upload")
    page.set_input_files("#id_file", str(p12))
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="上传并启用").click()
    page.wait_for_selector(".invalid-feedback")
    assert "证书密码不正确" in page.inner_text("#credential-upload")
    _shot(page, "credential-wrong-password")
    page.set_input_files("#id_file", str(p12))
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="上传并启用").click()
    page.wait_for_selector("#credentials")
    assert f"已为“{court.name}”启用签名证书" in page.content()
    after = credential_active_for(court)
    assert after is not None
    assert before is not None
    assert after.pk != before.pk


def test_anyone_sees_a_signed_agreement_genuine_and_a_changed_one_altered(
    page: Any, live_server: Any, demo_small: None, tmp_path: Path
) -> None:
    from fengqiao.documents.services import document_pdf
    from fengqiao.documents.tests.test_issue_verify import _issue
    from fengqiao.documents.tests.test_signing import _tampered

    document = _issue()
    genuine = tmp_path / "协议书.pdf"
    genuine.write_bytes(document_pdf(document))
    altered = tmp_path / "协议书-改.pdf"
    altered.write_bytes(_tampered(document_pdf(document)))
    page.goto(f"{live_server.url}/verify/{document.public_id}")
    assert "加盖电子签章" in page.inner_text("#document-seal")
    page.set_input_files("input[type=file]", str(genuine))
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_selector("#verify-result")
    assert "真实有效" in page.inner_text("#verify-result")
    assert page.inner_text("#signature-status") == "有效"
    _shot(page, "verify-genuine")
    page.set_input_files("input[type=file]", str(altered))
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_selector("#verify-result")
    assert "已被改动" in page.inner_text("#verify-result")
    assert page.inner_text("#signature-status") == "无效"
    _shot(page, "verify-altered")
