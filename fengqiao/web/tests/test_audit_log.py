"""The audit log page and its selector: only the auditor reads it; filters; chain verification."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.selectors import audit_events_for_user
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_record, audit_seal
from fengqiao.web.tests.html import page_text, table_text

CAST = [
    "mediator_east",
    "mediator_west",
    "dispatcher",
    "court_clerk",
    "leader",
    "system_admin",
    "security_admin",
    "citizen",
    "outsider",
]


@pytest.fixture
def events(cast: Any) -> list[AuditEvent]:
    return [
        audit_record(actor=cast.leader, event_type=EventType.DATA_EXPORTED, object_repr="年度实训"),
        audit_record(
            actor=cast.system_admin, event_type=EventType.USER_CREATED, object_repr="新用户甲"
        ),
        audit_record(actor=None, event_type=EventType.LOGIN_FAILED, object_repr="nobody"),
    ]


@pytest.mark.parametrize("who", CAST)
def test_only_the_auditor_reads_the_log(who: str, cast: Any, events: list[AuditEvent]) -> None:
    assert list(audit_events_for_user(getattr(cast, who))) == []


def test_auditor_reads_every_event_newest_first(cast: Any, events: list[AuditEvent]) -> None:
    assert list(audit_events_for_user(cast.auditor)) == list(reversed(events))


def test_filters(cast: Any, events: list[AuditEvent]) -> None:
    auditor = cast.auditor
    assert list(audit_events_for_user(auditor, event_type=EventType.USER_CREATED)) == [events[1]]
    assert list(audit_events_for_user(auditor, actor=cast.leader.display_name)) == [events[0]]
    assert list(audit_events_for_user(auditor, object_query="实训")) == [events[0]]
    today = timezone.localdate()
    assert len(audit_events_for_user(auditor, since=today, until=today)) == 3
    assert list(audit_events_for_user(auditor, since=today + timedelta(days=1))) == []
    assert list(audit_events_for_user(auditor, until=date(2000, 1, 1))) == []


def test_log_page_shows_chinese_labels_and_filters(
    cast: Any, events: list[AuditEvent], client_for: Any
) -> None:
    client = client_for(cast.auditor)
    page = table_text(client.get("/audit/"), "audit-events")
    assert "导出数据" in page
    assert "新建用户" in page
    assert "登录失败" in page
    filtered = client.get(f"/audit/?type={EventType.DATA_EXPORTED}&since=not-a-date")
    assert filtered.status_code == 200
    assert [e.pk for e in filtered.context["page_obj"]] == [events[0].pk]


def test_verify_reports_a_sound_chain(cast: Any, events: list[AuditEvent], client_for: Any) -> None:
    audit_seal()
    response = client_for(cast.auditor).post("/audit/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "审计链完好" in page_text(response)
    # a fragment for htmx, not a whole page
    assert "<html" not in response.content.decode()


def test_verify_finds_a_tampered_row(cast: Any, events: list[AuditEvent], client_for: Any) -> None:
    audit_seal()
    AuditEvent.objects.filter(pk=events[1].pk).update(object_repr="被改过")
    text = page_text(client_for(cast.auditor).post("/audit/verify/"))
    assert "审计链校验失败" in text
    assert f"id={events[1].pk}" in text


def test_verify_is_a_post(cast: Any, client_for: Any) -> None:
    client: Client = client_for(cast.auditor)
    assert client.get("/audit/verify/").status_code == 405
