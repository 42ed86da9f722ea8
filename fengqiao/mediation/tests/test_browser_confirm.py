"""当事人确认调解协议 in a real browser: the mediator asks on the case page (a laptop); the party
opens the link the SMS carried on a phone-sized screen, reads the agreement, draws a signature
with the mouse on the canvas and confirms; the mediator's page then shows the confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.mediation.models import AgreementConfirmation
from fengqiao.mediation.tests.confirm_helpers import resolved_case
from fengqiao.notify import backends
from fengqiao.notify.outbox import drain
from fengqiao.web.tests.conftest import ARTIFACTS
from fengqiao.web.tests.test_browser_demo_roles import login

pytestmark = pytest.mark.browser


def test_a_party_signs_the_agreement_on_a_phone(
    browser: Any, page: Any, live_server: Any, demo_small: None, settings: Any
) -> None:
    base = live_server.url
    settings.FENGQIAO_PUBLIC_URL = base
    backends.sms_outbox.clear()
    case, _mediator, parties = resolved_case()
    party = parties[0]

    # The mediator asks from the case page.
    login(page, base, "mediator")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("#confirm-request")
    # A party without a mobile number: their link is shown once for the mediator to hand over.
    page.wait_for_selector("#confirm-links")
    assert "短信发送确认链接" in page.inner_text("body")
    drain(seconds=10)
    (sms,) = [s for s in backends.sms_outbox if s.phone == party.phone and "确认调解协议" in s.text]
    link = sms.text[sms.text.index(base) :].split()[0]

    # The party, on a phone, opens the link from the SMS.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    phone.set_default_timeout(15000)
    try:
        phone.goto(link)
        assert case.number in phone.inner_text("#agreement-confirm")
        assert phone.inner_text("#agreement-text").strip()
        # Confirming with an empty pad is stopped on the page.
        phone.click("#confirm-signature")
        phone.wait_for_selector(".fq-signature-empty:visible")
        canvas = phone.locator("canvas.fq-signature-pad")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        assert box["width"] <= 390
        phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
        phone.mouse.down()
        for step in range(1, 30):
            phone.mouse.move(
                box["x"] + 20 + step * (box["width"] - 40) / 30,
                box["y"] + box["height"] * (0.3 if step % 6 < 3 else 0.7),
            )
        phone.mouse.up()
        phone.click("#confirm-signature")
        phone.wait_for_selector("#confirm-done")
        assert "手写签名" in phone.inner_text("#confirm-done")
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "party_confirms_on_a_phone.png"), full_page=True)
    finally:
        phone.context.close()

    record = AgreementConfirmation.objects.get(party=party)
    assert bytes(record.signature).startswith(b"\x89PNG")
    page.goto(f"{base}/cases/{case.pk}/")
    row = page.locator(f'#agreement-confirmations tr[data-party="{party.pk}"]')
    assert row.get_attribute("data-confirmed") == "yes"
    assert "与当前文本一致" in row.inner_text()
