from __future__ import annotations

from typing import Any

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_record


def test_one_seal_per_transaction_however_many_events(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(5):
            audit_record(
                actor=None,
                event_type=EventType.REGIONS_IMPORTED,
                object_type="test",
                object_id=str(n),
            )

    assert len(callbacks) == 1
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
