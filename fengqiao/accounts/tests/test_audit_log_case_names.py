"""The auditor's log names cases by their number: a case's title names its parties, and the
auditor has no right to them (三员分立, PIPL)."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_record
from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.disputes.models import Case, Party
from fengqiao.web.tests.html import table_text

pytestmark = pytest.mark.usefixtures("demo_county")


@pytest.fixture
def case(db: None) -> Case:
    # A demo case whose title holds a party's name ("张三与…纠纷")
    for case in Case.objects.prefetch_related("parties").order_by("pk"):
        names = [p.name for p in case.parties.all() if p.name and p.name in case.title]
        if names:
            return case
    pytest.fail("the demo county has no case titled with a party's name")


def _auditor() -> Client:
    client = Client()
    assert client.login(username="auditor", password=DEMO_PASSWORD)
    return client


def _names(case: Case) -> list[str]:
    return [p.name for p in case.parties.all() if p.name]


def test_new_events_record_the_case_number_not_the_title(case: Case) -> None:
    party = case.parties.first()
    assert party is not None
    on_case = audit_record(actor=None, event_type=EventType.CASE_UPDATED, obj=case)
    on_party = audit_record(actor=None, event_type=EventType.CASE_UPDATED, obj=party)
    assert on_case.object_repr == case.number
    assert on_party.object_repr == f"{case.number} {Party._meta.verbose_name}"
    for name in _names(case):
        assert name not in on_case.object_repr
        assert name not in on_party.object_repr


def test_the_log_page_shows_the_number_of_events_recorded_with_the_title(case: Case) -> None:
    # Given events recorded as before the fix, with the title and a party's name
    party = case.parties.first()
    assert party is not None
    AuditEvent.objects.create(
        event_type=EventType.CASE_TRANSITION,
        object_type="disputes.case",
        object_id=str(case.pk),
        object_repr=f"{case.number} {case.title}",
    )
    AuditEvent.objects.create(
        event_type=EventType.CASE_UPDATED,
        object_type="disputes.party",
        object_id=str(party.pk),
        object_repr=party.name,
    )
    # when the auditor opens the log
    text = table_text(_auditor().get("/audit/"), "audit-events")
    # then the case number is there and no party's name, nor the title
    assert case.number in text
    assert case.title not in text
    for name in _names(case):
        assert name not in text


def test_searching_a_party_name_finds_no_case_event(case: Case) -> None:
    audit_record(actor=None, event_type=EventType.CASE_UPDATED, obj=case)
    AuditEvent.objects.create(
        event_type=EventType.CASE_TRANSITION,
        object_type="disputes.case",
        object_id=str(case.pk),
        object_repr=f"{case.number} {case.title}",
    )
    auditor = _auditor()
    name = _names(case)[0]
    by_name = auditor.get("/audit/", {"object": name})
    assert case.number not in table_text(by_name, "audit-events")
    by_number = auditor.get("/audit/", {"object": case.number})
    assert len(by_number.context["page_obj"].object_list) == 2


def test_other_objects_keep_their_recorded_name(case: Case) -> None:
    audit_record(actor=None, event_type=EventType.DATA_EXPORTED, object_repr="年度实训")
    text = table_text(_auditor().get("/audit/", {"object": "实训"}), "audit-events")
    assert "年度实训" in text
