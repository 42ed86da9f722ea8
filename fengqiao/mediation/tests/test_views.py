"""The mediation panel on the case page, evidence upload and download."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseStatus, PartyRole
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.factories import consent_and_notify
from fengqiao.mediation import services
from fengqiao.mediation.choices import ConsentDecision
from fengqiao.mediation.models import Evidence
from fengqiao.mediation.tests.factories import accepted_case, png_bytes

ClientFor = Callable[[Any], Client]


def _upload(client: Client, case: Case, name: str, data: bytes, content_type: str) -> Any:
    return client.post(
        f"/mediation/cases/{case.pk}/evidence/",
        {
            "evidence-version": _version(case),
            "evidence-file": SimpleUploadedFile(name, data, content_type=content_type),
            "evidence-title": "现场照片",
        },
        follow=True,
    )


def _version(case: Case) -> int:
    """The case's version as the page shows it now (each record moves it)."""
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def _earlier_today() -> str:
    return (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_consent_then_session_through_the_panel(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "mediation-consent-needed" in page.content.decode()

    for party in case.parties.all():
        response = client.post(
            f"/mediation/cases/{case.pk}/consent/",
            {
                "consent-version": _version(case),
                "consent-party": party.pk,
                "consent-decision": ConsentDecision.CONSENTED,
                "consent-method": "in_person",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"/cases/{case.pk}/"
    # Consent alone is not enough: the 开始调解 action waits for the rights notice too.
    page = client.get(f"/cases/{case.pk}/")
    assert "mediation-consent-needed" in page.content.decode()
    assert 'id="act-start"' not in page.content.decode()
    assert 'id="mediation-session-form"' not in page.content.decode()
    response = client.post(
        f"/mediation/cases/{case.pk}/notice/",
        {
            "notice-version": _version(case),
            "notice-method": "in_person",
            "notice-acknowledged": [p.pk for p in case.parties.all()],
        },
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/")
    assert "mediation-consent-needed" not in page.content.decode()
    assert 'id="act-start"' in page.content.decode()
    assert 'id="mediation-session-form"' in page.content.decode()
    response = client.post(
        f"/mediation/cases/{case.pk}/sessions/",
        {
            "session-version": _version(case),
            "session-held_at": _earlier_today(),
            "session-mode": "in_person",
            "session-record": "双方同意按原走向疏通排水沟。",
        },
        follow=True,
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    body = response.content.decode()
    assert "双方同意按原走向疏通排水沟。" in body
    timeline = body[body.index('id="timeline"') :]
    assert "调解意愿" in timeline
    assert "送达告知书" in timeline
    assert "调解笔录" in timeline


def test_a_refusal_shows_the_referral_hint(cast: Any, world: Any, client_for: ClientFor) -> None:
    case = accepted_case(cast=cast, world=world)
    client = client_for(cast.mediator_east)
    respondent = case.parties.get(role=PartyRole.RESPONDENT)
    client.post(
        f"/mediation/cases/{case.pk}/consent/",
        {
            "consent-version": _version(case),
            "consent-party": respondent.pk,
            "consent-decision": ConsentDecision.REFUSED,
            "consent-method": "phone",
        },
    )

    response = client.post(
        f"/mediation/cases/{case.pk}/sessions/",
        {
            "session-version": _version(case),
            "session-held_at": _earlier_today(),
            "session-mode": "phone",
            "session-record": "试图调解。",
        },
        follow=True,
    )

    body = response.content.decode()
    assert "mediation-refused" in body
    assert 'href="#act-refer"' in body
    assert 'id="act-refer"' in body
    assert any("第十七条" in m for m in _messages(response))
    assert not case.sessions.exists()


def test_a_real_png_is_stored_and_only_its_case_readers_download_it(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)
    data = png_bytes()

    response = _upload(client_for(cast.mediator_east), case, "照片.png", data, "image/png")

    assert any("已上传" in m for m in _messages(response))
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.content_type == "image/png"
    assert "照片" not in evidence.storage_name
    assert evidence.storage_name.startswith("evidence/")
    assert default_storage.exists(evidence.storage_name)
    assert f"/mediation/evidence/{evidence.pk}/" in response.content.decode()

    owner = client_for(cast.mediator_east).get(f"/mediation/evidence/{evidence.pk}/")
    assert owner.status_code == 200
    assert b"".join(owner.streaming_content) == data
    assert owner["Content-Disposition"].startswith("attachment")
    assert owner["X-Content-Type-Options"] == "nosniff"
    assert owner["Content-Type"] == "image/png"
    downloads = AuditEvent.objects.filter(event_type="mediation.evidence_downloaded")
    assert list(downloads.values_list("actor", flat=True)) == [cast.mediator_east.pk]

    assert (
        client_for(cast.mediator_west).get(f"/mediation/evidence/{evidence.pk}/").status_code == 404
    )
    assert client_for(cast.outsider).get(f"/mediation/evidence/{evidence.pk}/").status_code in (
        403,
        404,
    )
    assert client_for(None).get(f"/mediation/evidence/{evidence.pk}/").status_code == 302


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("notes.png", "这是一个文本文件".encode(), "image/png", "只接受"),
        ("scan.png", b"%PDF-1.7\n%...", "image/png", "不符"),
    ],
)
def test_a_file_whose_bytes_do_not_match_is_refused(
    cast: Any,
    world: Any,
    client_for: ClientFor,
    name: str,
    data: bytes,
    content_type: str,
    message: str,
) -> None:
    case = accepted_case(cast=cast, world=world)

    response = _upload(client_for(cast.mediator_east), case, name, data, content_type)

    assert any(message in m for m in _messages(response))
    assert not Evidence.objects.exists()


def test_a_file_over_10_mb_is_refused(cast: Any, world: Any, client_for: ClientFor) -> None:
    case = accepted_case(cast=cast, world=world)
    data = png_bytes() + b"\x00" * (10 * 1024 * 1024)

    response = _upload(client_for(cast.mediator_east), case, "big.png", data, "image/png")

    assert any("10MB" in m for m in _messages(response))
    assert not Evidence.objects.exists()


def test_another_villages_mediator_cannot_upload(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)

    response = client_for(cast.mediator_west).post(
        f"/mediation/cases/{case.pk}/evidence/",
        {
            "evidence-version": _version(case),
            "evidence-file": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
        },
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_the_panel_reads_in_a_fixed_number_of_queries(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)

    def add_record() -> None:
        services.session_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            held_at=timezone.now(),
            mode="phone",
            record="电话调解。",
        )
        _upload(client, case, "a.png", png_bytes(), "image/png")
        services.expert_opinion_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            expert=world.mediator_south_person,
            field="水利",
            opinion="意见。",
        )

    client = client_for(cast.mediator_east)
    add_record()
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    for _ in range(4):
        add_record()
    with CaptureQueriesContext(connection) as five:
        page = client.get(f"/cases/{case.pk}/")

    assert page.content.decode().count("/mediation/evidence/") == 5
    assert len(five) == len(one)


def test_no_session_form_while_suspended(cast: Any, world: Any, client_for: ClientFor) -> None:
    from fengqiao.disputes.services.handling import case_suspend
    from fengqiao.disputes.tests.factories import start_mediation

    case = start_mediation(accepted_case(cast=cast, world=world), cast.mediator_east)
    client = client_for(cast.mediator_east)
    assert 'id="mediation-session-form"' in client.get(f"/cases/{case.pk}/").content.decode()
    case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="等待鉴定")
    assert 'id="mediation-session-form"' not in client.get(f"/cases/{case.pk}/").content.decode()


def _ready(cast: Any, world: Any) -> Case:
    case = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)
    return case


def test_a_session_dated_in_the_future_is_refused(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    # given a case ready for its first session
    case = _ready(cast, world)
    client = client_for(cast.mediator_east)

    # when the mediator dates the record tomorrow, or years before the case
    for when in (timezone.localtime() + timedelta(days=1), timezone.localtime().replace(year=2019)):
        response = client.post(
            f"/mediation/cases/{case.pk}/sessions/",
            {
                "session-version": _version(case),
                "session-held_at": when.strftime("%Y-%m-%dT%H:%M"),
                "session-mode": "in_person",
                "session-record": "双方到场。",
            },
            follow=True,
        )

        # then nothing is recorded, and the message says why in Chinese
        text = " ".join(_messages(response)) + response.content.decode()
        assert "调解时间不能" in text
        assert not case.sessions.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_the_evidence_list_names_sessions_by_date_not_by_id(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    # given a case with one session held this morning
    case = _ready(cast, world)
    held = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    if held > timezone.localtime():
        held -= timedelta(days=1)
    services.session_record(
        actor=cast.mediator_east, case_id=case.pk, held_at=held, mode="phone", record="电话调解"
    )

    # when the mediator opens the evidence upload form
    html = client_for(cast.mediator_east).get(f"/cases/{case.pk}/").content.decode()
    select = html[html.index('name="evidence-session"') :]
    select = select[: select.index("</select>")]

    # then the session is offered by its date and mode, not by the case's internal id
    assert f"{held:%Y-%m-%d} 09:30 电话调解" in select
    assert f">{case.pk} " not in select
