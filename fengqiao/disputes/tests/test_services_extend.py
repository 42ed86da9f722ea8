"""延期: after an extension the feedback limit is not earlier than the new end of mediation, the
timeline says the new date and the platform is told."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fengqiao.disputes.choices import DueKind
from fengqiao.disputes.models import DueItem
from fengqiao.disputes.services.handling import case_extend
from fengqiao.disputes.tests.test_views_common import east_case, to_mediating
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.web.tests.html import page_text


def test_an_extension_moves_the_feedback_limit_says_the_date_and_tells_the_platform(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case 东村 is mediating, its feedback limit before the end of mediation
    case = to_mediating(east_case(cast, world), cast, world)
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    feedback.reminded_at = timezone.now()
    feedback.save(update_fields=["reminded_at"])

    # when the mediator extends mediation by 30 days with both parties' consent
    mediation = case_extend(
        actor=cast.mediator_east,
        case_id=case.pk,
        days=30,
        applicant_consents=True,
        respondent_consents=True,
        note="双方同意再谈一次",
    )

    # then the feedback limit is not earlier than the new end of mediation, and re-armed
    feedback.refresh_from_db()
    assert feedback.due_at >= mediation.due_at
    assert feedback.reminded_at is None
    assert feedback.next_check_at is not None
    # the timeline entry says the new date
    new_date = f"{timezone.localtime(mediation.due_at):%Y-%m-%d}"
    event = case.timeline.get(action="extend")
    assert f"至{new_date}" in event.note
    assert "双方同意再谈一次" in event.note
    text = page_text(client_for(cast.mediator_east).get(f"/cases/{case.pk}/"))
    assert f"调解期限延长30日，至{new_date}" in text
    # and 甲镇平安办 is told, once, as 延期
    told = Notification.objects.get(recipient=cast.dispatcher, kind=NotificationKind.EXTENSION)
    assert new_date in told.title
    assert told.get_kind_display() == "延期"
    assert not Notification.objects.filter(
        recipient=cast.mediator_east, kind=NotificationKind.EXTENSION
    ).exists()


def test_a_feedback_limit_already_later_stays(cast: Any, world: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    later = feedback.due_at + timezone.timedelta(days=90)
    DueItem.objects.filter(pk=feedback.pk).update(due_at=later)
    case_extend(
        actor=cast.mediator_east,
        case_id=case.pk,
        days=5,
        applicant_consents=True,
        respondent_consents=True,
    )
    feedback.refresh_from_db()
    assert feedback.due_at == later
    assert "反馈时限" not in case.timeline.get(action="extend").note
