"""The mediation record's forms sent twice or from a page that is out of date: the same record
again is said not to be saved twice, a different one from an older page is refused naming who
changed the case and when, and nothing is saved either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.factories import consent_and_notify
from fengqiao.mediation.tests.factories import accepted_case, png_bytes
from fengqiao.web.tests.html import page_text

Form = Callable[[Case, Any, bool], dict[str, Any]]


def _consent(case: Case, world: Any, other: bool) -> dict[str, Any]:
    party = case.parties.get(role=PartyRole.APPLICANT)
    return {"party": party.pk, "decision": "refused" if other else "consented", "method": "phone"}


def _notice(case: Case, world: Any, other: bool) -> dict[str, Any]:
    parties = list(case.parties.values_list("pk", flat=True))
    return {"method": "in_person", "acknowledged": parties[:1] if other else parties}


def _session(case: Case, world: Any, other: bool) -> dict[str, Any]:
    # Anchored on the case, not the clock: the form sent twice must be the same even when a
    # minute turns between the two posts.
    held = timezone.localtime(case.registered_at) - timedelta(hours=2 if other else 1)
    return {"held_at": held.strftime("%Y-%m-%dT%H:%M"), "mode": "in_person", "record": "双方到场。"}


def _evidence(case: Case, world: Any, other: bool) -> dict[str, Any]:
    data = png_bytes() + (b"\x00" if other else b"")
    return {"file": SimpleUploadedFile("现场.png", data, content_type="image/png")}


def _opinion(case: Case, world: Any, other: bool) -> dict[str, Any]:
    return {
        "expert": world.mediator_east_person.pk,
        "field": "土木" if other else "水利",
        "opinion": "排水沟应按原走向疏通。",
        "given_at": (timezone.localtime(case.registered_at) - timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }


# (address, form prefix, what the form says, its timeline action, the success message)
ACTIONS: dict[str, tuple[str, Form, str, str]] = {
    "consent": ("consent", _consent, "consent", "已记录调解意愿"),
    "notice": ("notice", _notice, "rights_notice", "已记录告知书送达"),
    "sessions": ("session", _session, "session", "已记录调解笔录"),
    "evidence": ("evidence", _evidence, "evidence", "证据材料已上传"),
    "opinions": ("opinion", _opinion, "expert_opinion", "已记录专家意见"),
}


def _post(client: Any, case: Case, address: str, version: int, data: dict[str, Any]) -> Any:
    prefix = ACTIONS[address][0]
    fields = {f"{prefix}-{k}": v for k, v in {"version": version, **data}.items()}
    return client.post(f"/mediation/cases/{case.pk}/{address}/", fields, follow=True)


def _ready(cast: Any, world: Any, address: str) -> Case:
    case = accepted_case(cast=cast, world=world)
    if address in ("sessions", "evidence", "opinions"):
        consent_and_notify(case, cast.mediator_east)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("address", list(ACTIONS))
def test_the_same_record_sent_twice_is_saved_once_and_says_so(
    cast: Any, world: Any, client_for: Any, address: str
) -> None:
    # Given the mediator's form, rendered at the case's version
    _prefix, form, action, done = ACTIONS[address]
    case = _ready(cast, world, address)
    client = client_for(cast.mediator_east)
    first = _post(client, case, address, case.version, form(case, world, False))
    assert done in page_text(first)

    # When the same form arrives again (a double click, a second tab)
    again = _post(client, case, address, case.version, form(case, world, False))

    # Then it is answered as a repeat, never as saved, and recorded once
    text = page_text(again)
    assert "本次重复提交未再保存" in text
    assert done not in text
    assert case.timeline.filter(action=action).count() == 1


@pytest.mark.parametrize("address", list(ACTIONS))
def test_a_different_record_from_an_older_page_is_refused_naming_the_change(
    cast: Any, world: Any, client_for: Any, address: str
) -> None:
    # Given the case changed (a record by the mediator) after a second page was rendered
    _prefix, form, action, done = ACTIONS[address]
    case = _ready(cast, world, address)
    _post(client_for(cast.mediator_east), case, address, case.version, form(case, world, False))

    # When a different record is sent from that older page
    response = _post(
        client_for(cast.mediator_east), case, address, case.version, form(case, world, True)
    )

    # Then nothing is saved, and the page says so with who changed the case and when
    text = page_text(response)
    assert response.status_code == 409
    assert done not in text
    assert "未保存" in text
    assert cast.mediator_east.display_name in text
    assert case.timeline.filter(action=action).count() == 1


def test_a_consent_differing_only_in_its_remark_is_not_taken_for_a_repeat(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = _ready(cast, world, "consent")
    client = client_for(cast.mediator_east)
    form = _consent(case, world, False)
    _post(client, case, "consent", case.version, {**form, "note": "电话确认"})

    response = _post(client, case, "consent", case.version, {**form, "note": "本人到场确认"})

    text = page_text(response)
    assert "本次重复提交未再保存" not in text
    assert "未保存" in text
    assert case.timeline.filter(action="consent").count() == 1
