"""insert_rows: rows of plain values written without model instances read back exactly as the
ORM would have written them, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.core.bulk import insert_rows
from fengqiao.disputes.models import TimelineEvent
from fengqiao.disputes.tests.factories import register_case

COLUMNS = ("case_id", "actor_name", "action", "org_id", "note", "data")


def test_rows_read_back_as_written(cast: Any, world: Any) -> None:
    # Given a case and two timeline rows of plain values, one with nested Chinese JSON
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    before = timezone.now()
    rows = [
        (case.pk, "系统", "remind", world.committee_east.pk, "受理期限将于明日到期", {"due": 1}),
        (case.pk, "系统", "supervise", None, "", {"平台": [1, 2], "说明": {"届满": True}}),
    ]

    # When they are inserted
    assert insert_rows(TimelineEvent, COLUMNS, rows) == 2

    # Then the ORM reads them back as given, and the columns not given have their defaults
    found = list(
        TimelineEvent.objects.filter(case=case, action__in=["remind", "supervise"]).order_by("pk")
    )
    assert [(e.action, e.org_id, e.note, e.data) for e in found] == [
        ("remind", world.committee_east.pk, "受理期限将于明日到期", {"due": 1}),
        ("supervise", None, "", {"平台": [1, 2], "说明": {"届满": True}}),
    ]
    assert all(e.actor_id is None and e.from_status == "" for e in found)
    assert all(before <= e.at <= timezone.now() for e in found)


def test_datetimes_and_json_null_round_trip(db: None) -> None:
    # Given an audit row with an explicit time and no "before" (a JSON column that is NULL)
    at = timezone.now() - timedelta(days=3, microseconds=17)
    columns = ("created_at", "event_type", "object_type", "object_id", "before", "after")

    insert_rows(AuditEvent, columns, [(at, "case.reminded", "disputes.case", "7", None, {"k": 1})])

    # Then the time is kept to the microsecond and "before" is SQL NULL, not JSON null
    row = AuditEvent.objects.get(object_id="7")
    assert row.created_at == at
    assert AuditEvent.objects.filter(object_id="7", before__isnull=True).exists()
    assert (row.after, row.seq, row.hash) == ({"k": 1}, None, "")


def test_many_rows_are_one_statement_in_the_query_log(cast: Any, world: Any) -> None:
    # Given 300 rows for one case
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    rows = [
        (case.pk, "系统", "remind", None, f"第{i}条\t含制表符\\与换行\n", {}) for i in range(300)
    ]

    # When they are inserted, then it is one statement that query counters see
    with CaptureQueriesContext(connection) as ctx:
        assert insert_rows(TimelineEvent, COLUMNS, rows) == 300
    assert len(ctx.captured_queries) == 1
    # And text with tabs, backslashes and newlines comes back unchanged
    notes = TimelineEvent.objects.filter(case=case, action="remind").values_list("note", flat=True)
    assert sorted(notes) == sorted(row[4] for row in rows)


def test_a_bad_row_writes_nothing(cast: Any, world: Any) -> None:
    # Given a good row and one without its case (NOT NULL)
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    rows = [(case.pk, "系统", "remind", None, "", {}), (None, "系统", "remind", None, "", {})]

    # Then the database refuses the statement, and neither row is there
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(TimelineEvent, COLUMNS, rows)
    assert not TimelineEvent.objects.filter(case=case, action="remind").exists()


def test_no_rows_no_statement(db: None) -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert insert_rows(TimelineEvent, COLUMNS, []) == 0
    assert ctx.captured_queries == []
