"""投诉: 受理 → 调查 → 处理 in that order, bounded limits, 解聘 ends the post, the scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengqiao.mediators import services
from fengqiao.mediators.choices import ComplaintOutcome, ComplaintSource, ComplaintStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.tests.helpers import org_of, user
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _post(username: str = "mediator") -> Membership:
    return Membership.objects.select_related("person", "org__region").get(
        person__user__username=username, org=org_of(username), role__in=CASE_MEDIATOR_ROLES
    )


def _record(actor: Any, post: Membership, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "source": ComplaintSource.PARTY,
        "complainant_name": "当事人甲",
        "summary": "调解态度生硬。",
        "received_on": timezone.localdate(),
    }
    values.update(kwargs)
    return services.complaint_record(actor=actor, membership=post, **values)


def test_a_complaint_is_handled_received_investigated_concluded() -> None:
    justice, post = user("justice"), _post()
    complaint = _record(justice, post, complainant_phone="13912345678", days=15)
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.due_on == complaint.received_on + timedelta(days=15)
    assert not complaint.upheld

    # 处理 before 调查 is refused
    with pytest.raises(MediatorRuleError, match="当前状态"):
        services.complaint_conclude(
            actor=justice,
            complaint_id=complaint.pk,
            outcome=ComplaintOutcome.CRITICISM,
            investigation="x",
            outcome_note="y",
        )
    services.complaint_investigate(actor=justice, complaint_id=complaint.pk, note="调阅笔录")
    done = services.complaint_conclude(
        actor=justice,
        complaint_id=complaint.pk,
        outcome=ComplaintOutcome.CRITICISM,
        investigation="情况属实",
        outcome_note="批评教育",
    )

    assert done.status == ComplaintStatus.CONCLUDED
    assert done.upheld
    assert done.concluded_on == timezone.localdate()
    # concluded: nothing more
    with pytest.raises(MediatorRuleError, match="处理完毕"):
        services.complaint_investigate(actor=justice, complaint_id=complaint.pk)


def test_unfounded_is_not_upheld_and_dismissal_ends_the_post() -> None:
    justice, post = user("justice"), _post()
    first = _record(justice, post)
    services.complaint_investigate(actor=justice, complaint_id=first.pk)
    unfounded = services.complaint_conclude(
        actor=justice,
        complaint_id=first.pk,
        outcome=ComplaintOutcome.UNFOUNDED,
        investigation="查无实据",
        outcome_note="不成立",
    )
    assert not unfounded.upheld
    assert Membership.objects.get(pk=post.pk).ended_on is None

    second = _record(justice, post)
    services.complaint_investigate(actor=justice, complaint_id=second.pk)
    services.complaint_conclude(
        actor=justice,
        complaint_id=second.pk,
        outcome=ComplaintOutcome.DISMISSAL,
        investigation="多次违反纪律",
        outcome_note="解聘",
    )
    assert Membership.objects.get(pk=post.pk).ended_on == timezone.localdate()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days": 0}, "处理期限"),
        ({"days": 91}, "处理期限"),
        ({"complainant_name": " "}, "投诉人"),
        ({"received_on": timezone.localdate() + timedelta(days=1)}, "晚于今天"),
        ({"source": "anonymous"}, "投诉来源"),
    ],
)
def test_a_complaint_out_of_bounds_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MediatorRuleError, match=message):
        _record(user("justice"), _post(), **change)


def test_a_complaint_about_a_mediator_outside_the_region_is_refused() -> None:
    justice = user("justice")
    outside = (
        Membership.objects.filter(role__in=CASE_MEDIATOR_ROLES, ended_on__isnull=True)
        .exclude(org__region__path__startswith=org_of("justice").region.path)
        .select_related("person", "org__region")
        .first()
    )
    assert outside is not None
    with pytest.raises(PermissionDenied):
        _record(justice, outside)
    with pytest.raises(PermissionDenied):
        _record(user("orgadmin"), _post())  # an org admin does not handle complaints
