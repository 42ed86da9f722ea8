"""A resolved case of the small demo county whose agreement its mediator may ask the parties to
confirm, with mobile numbers on its applicant and respondent: the start of the confirmation
tests (services, pages and the browser)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image, ImageDraw

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import CaseStatus, PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.mediation.confirmation_policy import REQUEST, agreement_may
from fengqiao.notify import backends
from fengqiao.notify.outbox import drain

PHONES = {PartyRole.APPLICANT: "13811112222", PartyRole.RESPONDENT: "13933334444"}
PUBLIC = "https://tiaojie.example.cn"
LINK = re.compile(r"https://tiaojie\.example\.cn/mediation/confirm/([A-Za-z0-9_-]+)/")
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def resolved_case(username: str = "mediator", skip: int = 0) -> tuple[Case, User, list[Party]]:
    """A resolved case with an agreement that ``username`` may ask to confirm (the ``skip``-th
    such case), its applicant and respondent given mobile numbers, its others none."""
    mediator = User.objects.get(username=username)
    found = [
        case
        for case in Case.objects.filter(status=CaseStatus.RESOLVED).order_by("pk")
        if agreement_may(mediator, REQUEST, case)
    ]
    if len(found) <= skip:
        pytest.fail(f"the demo county has not {skip + 1} resolved cases for {username}")
    case = found[skip]
    parties = []
    for party in Party.objects.filter(case=case).order_by("role", "pk"):
        party.phone = PHONES.get(party.role, "")
        party.save()
        if party.phone:
            parties.append(party)
    return case, mediator, parties


def link_tokens() -> dict[str, str]:
    """Drain the outbox; the confirmation link each phone received (phone → token)."""
    drain(seconds=10)
    found = {}
    for sms in backends.sms_outbox:
        match = LINK.search(sms.text)
        if match and "确认调解协议" in sms.text:
            found[sms.phone] = match.group(1)
    return found


def last_code(phone: str) -> str:
    """Drain the outbox; the last code sent to ``phone``."""
    drain(seconds=10)
    for sms in reversed(backends.sms_outbox):
        if sms.phone == phone and "验证码" in sms.text:
            match = CODE.search(sms.text)
            if match:
                return match.group(1)
    pytest.fail(f"no code was sent to {phone}")


def signature_data_url(*, blank: bool = False, size: tuple[int, int] = (600, 240)) -> str:
    """A PNG as a phone's canvas sends it: white, with a stroke unless ``blank``."""
    image = Image.new("RGB", size, "white")
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(60, 160), (160, 60), (260, 170), (380, 70), (520, 150)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
