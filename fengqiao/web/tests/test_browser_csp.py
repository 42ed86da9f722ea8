"""The Content-Security-Policy in a real browser (issue "Hostile input and operations", item 6):
every page each demo role opens — the admin site's too — runs under the policy without one
violation (no inline script or style, nothing from another host), and what htmx and Bootstrap do
on those pages (the audit chain check, opening an action panel) still works."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.disputes.models import Case
from fengqiao.regions.models import Region
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser

# Every CSP violation the page reports, kept on the window for the test to read.
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

PAGES = {
    "dispatcher": ["/", "/cases/", "/cases/my/", "/cases/new/", "/notifications/", "/orgs/"],
    "gridworker": ["/", "/cases/report/"],
    "mediator": ["/", "/cases/"],
    "leader": ["/", "/orgs/reports/", "/orgs/roster/", "/regions/"],
    "judge": ["/"],
    "orgadmin": ["/", "/orgs/new/", "/orgs/import/"],
    "sysadmin": [
        "/accounts/users/",
        "/admin/",
        "/admin/disputes/holidayschedule/import/",
        "/admin/regions/region/",
        "/admin/regions/region/{region}/change/",
        "/admin/disputes/holidayschedule/",
    ],
    "secadmin": ["/accounts/roles/", "/accounts/resets/"],
    "auditor": ["/audit/"],
}


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_no_page_breaks_the_content_security_policy(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.add_init_script(COLLECT)
    response = page.goto(f"{base}/accounts/login/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    found: list[str] = []
    region = Region.objects.order_by("pk").values_list("pk", flat=True).first()
    for username, paths in PAGES.items():
        login(page, base, username)
        for path in paths:
            shown = page.goto(f"{base}{path.format(region=region)}")
            assert shown is not None
            assert shown.status == 200, f"{username} {path}: {shown.status}"
            found += [f"{username} {path}: {v}" for v in violations(page)]
    assert not found, "\n".join(found)


def test_htmx_and_bootstrap_work_under_the_policy(
    page: Any, live_server: Any, demo_small: None
) -> None:
    base = live_server.url
    page.add_init_script(COLLECT)

    # htmx: the auditor checks the audit chain in place
    login(page, base, "auditor")
    page.goto(f"{base}/audit/")
    page.get_by_role("button", name="校验哈希链").click()
    page.wait_for_selector("text=审计链")
    assert not violations(page)

    # Bootstrap and the platform's own script: a dispatcher opens an action panel on a phone,
    # where the lists become cards labelled by fengqiao.js
    login(page, base, "dispatcher")
    page.set_viewport_size({"width": 390, "height": 844})
    case = Case.objects.filter(status="registered").order_by("pk").first()
    assert case is not None
    page.goto(f"{base}/cases/{case.pk}/")
    page.locator("#act-assess summary").click()
    assert page.locator("#act-assess select[name=grade]").is_visible()
    page.get_by_role("button", name="菜单").or_(page.locator(".navbar-toggler")).first.click()
    assert page.get_by_role("link", name="纠纷案件").is_visible()
    assert not violations(page)


def test_the_public_verify_page_under_the_policy(
    page: Any, live_server: Any, demo_small: None, tmp_path: Any
) -> None:
    """Nobody logged in opens a document's verification page, uploads the issued PDF and is
    told it is genuine, without one violation."""
    from fengqiao.documents.services import document_pdf
    from fengqiao.documents.tests.test_issue_verify import _issue

    document = _issue()
    pdf = tmp_path / "协议书.pdf"
    pdf.write_bytes(document_pdf(document))
    page.add_init_script(COLLECT)
    shown = page.goto(f"{live_server.url}/verify/{document.public_id}")
    assert shown is not None
    assert shown.status == 200
    page.set_input_files("input[type=file]", str(pdf))
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_selector("#verify-result")
    assert "真实有效" in page.inner_text("#verify-result")
    assert page.inner_text("#signature-status") == "有效"
    assert violations(page) == []
