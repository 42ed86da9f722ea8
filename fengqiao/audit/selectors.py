from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from fengqiao.accounts.access import restrict
from fengqiao.audit.models import AuditChainHead, AuditEvent

VIEW_AUDIT = "audit.view_auditevent"


def audit_events_for_user(
    user: Any,
    *,
    event_type: str = "",
    actor: str = "",
    object_query: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    qs = restrict(AuditEvent.objects.all(), user, VIEW_AUDIT)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if actor:
        qs = qs.filter(actor_name__icontains=actor.strip())
    if object_query:
        qs = qs.filter(object_repr__icontains=object_query.strip())
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-id")


def chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()
