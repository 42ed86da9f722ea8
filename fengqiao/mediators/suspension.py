"""暂停调解工作 in force: the one rule of which mediators may not be given cases now. A complaint
concluded with 暂停调解工作 suspends its mediator (the person, in every org they serve) from the
day it was concluded to its ``suspended_until``, inclusive — or, when the 司法所 ended it early
(恢复调解, ``services.complaint_resume``), to the day before ``resumed_on``. ``disputes`` asks
it through its hooks (``disputes.policy.assignable_mediators`` / ``mediator_refusal``): the
交办 page does not offer a suspended mediator and the dispatch services refuse one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Max, Q, QuerySet

from fengqiao.mediators.choices import ComplaintOutcome, ComplaintStatus
from fengqiao.mediators.models import Complaint


def suspensions_on(day: date) -> QuerySet[Complaint]:
    """The complaints whose 暂停调解工作 is in force on ``day`` (not ended early by then)."""
    return Complaint.objects.filter(
        Q(resumed_on__isnull=True) | Q(resumed_on__gt=day),
        status=ComplaintStatus.CONCLUDED,
        outcome=ComplaintOutcome.SUSPENSION,
        concluded_on__lte=day,
        suspended_until__gte=day,
    )


def suspended_people(day: date) -> QuerySet[Any]:
    """The ids of the people suspended on ``day``, as a subquery (``exclude(pk__in=…)``)."""
    return suspensions_on(day).values("mediator_id")


def suspended_until(person_ids: Iterable[int] | QuerySet[Any], day: date) -> dict[int, date]:
    """The last day of the suspension in force on ``day`` of each suspended one of
    ``person_ids`` (ids, or a subquery of them; the latest end if two overlap)."""
    ends = (
        suspensions_on(day)
        .filter(mediator_id__in=person_ids)
        .values("mediator_id")
        .annotate(until=Max("suspended_until"))
    )
    return {row["mediator_id"]: row["until"] for row in ends}
