"""业务指导 on the small demo county: the village mediator asks the township's 人民法庭, 派出所 or
司法所 a question on a case; the asked org answers within the limit, or is chased once for it."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DueKind, DueStatus, RiskGrade, TimelineAction
from fengqiao.disputes.models import Case, DeadlineLimit, DueItem, TimelineEvent
from fengqiao.disputes.queues import answered_by
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.mediation import guidance
from fengqiao.mediation.choices import MediationAction
from fengqiao.mediation.guidance_policy import ANSWER, ASK, askable_orgs, guidance_may
from fengqiao.mediation.models import GuidanceRequest
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification

pytestmark = pytest.mark.usefixtures("demo_county", "db")

QUESTION = "被申请人称宅基地使用权证已过期，邻里通道纠纷能否依据《民法典》相邻关系条款调解？"
ANSWER_TEXT = (
    "可以。相邻关系不以权属证书是否在有效期内为前提，建议依民法典第二百八十八条引导双方协商通行。"
)


def user(name: str) -> User:
    return User.objects.get(username=name)


def org_of(name: str) -> Any:
    return RoleGrant.objects.select_related("org").filter(user__username=name).first().org


def client_of(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def mediating_case() -> Case:
    case = (
        Case.objects.filter(handler__username="mediator", status=CaseStatus.MEDIATING)
        .order_by("pk")
        .first()
    )
    assert case is not None
    return case


def ask(case: Case, to: str, **kwargs: Any) -> GuidanceRequest:
    return guidance.guidance_ask(
        actor=user("mediator"),
        case_id=case.pk,
        asked_org_id=org_of(to).pk,
        question=QUESTION,
        **kwargs,
    )


def test_the_mediator_is_offered_the_township_court_station_and_justice_office() -> None:
    case = mediating_case()
    offered = askable_orgs(case)
    names = [o.name for o in offered]
    for account in ("judge", "police", "justice"):
        assert org_of(account).name in names
    # The 人民法庭 first, then the 派出所 and the 司法所 (一庭两所), then the county's.
    assert [o.kind.code for o in offered][:3] == ["tribunal", "police_station", "justice_office"]
    assert guidance_may(user("mediator"), ASK, case)
    # Not another village's mediator, nor the judge: the case's handlers ask.
    assert not guidance_may(user("mediator2"), ASK, case)
    assert not guidance_may(user("judge"), ASK, case)
    page = client_of("mediator").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="guidance-form"' in page
    assert org_of("judge").name in page
    other = client_of("leader").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="guidance"' in other
    assert 'id="guidance-form"' not in other


def test_answered_in_time_the_deadline_is_done_and_nobody_is_chased() -> None:
    case = mediating_case()
    asked = ask(case, "judge")
    item = DueItem.objects.get(pk=asked.due_item_id)
    assert (item.kind, item.org_id, item.status) == (DueKind.GUIDANCE, asked.asked_org_id, "open")
    days = deadlines.limit_working_days(DueKind.GUIDANCE, asked.asked_org.region.level, case.grade)
    assert asked.due_at == deadlines.period_end(
        asked.asked_at, deadlines.Period("working_days", days)
    )
    # The judge is told at once, linking to the request.
    told = Notification.objects.filter(recipient__username="judge", kind=NotificationKind.GUIDANCE)
    assert told.filter(url=f"/mediation/guidance/{asked.pk}/").count() == 1

    guidance.guidance_answer(actor=user("judge"), request_id=asked.pk, answer=ANSWER_TEXT)
    asked.refresh_from_db()
    item.refresh_from_db()
    assert item.status == DueStatus.DONE
    assert asked.answered_by.username == "judge"
    assert not asked.answered_late
    sweep_due_items(now=asked.due_at + timedelta(days=2))
    assert not TimelineEvent.objects.filter(
        case=case,
        action__in=[TimelineAction.REMIND, TimelineAction.SUPERVISE],
        data__due_item=item.pk,
    ).exists()
    # The mediator is told of the answer, and the case keeps it: panel and timeline.
    assert Notification.objects.filter(
        recipient__username="mediator",
        kind=NotificationKind.GUIDANCE,
        title__contains="已答复",
        case=case,
    ).exists()
    actions = list(
        TimelineEvent.objects.filter(case=case, data__guidance=asked.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == [MediationAction.GUIDANCE_ASK, MediationAction.GUIDANCE_ANSWER]
    page = client_of("mediator").get(f"/cases/{case.pk}/").content.decode()
    assert ANSWER_TEXT in page
    assert "按期答复" in page
    assert org_of("judge").name in page


def test_answered_late_is_chased_once_to_the_asked_org_only() -> None:
    case = mediating_case()
    asked = ask(case, "police")
    item_pk = asked.due_item_id
    url = f"/mediation/guidance/{asked.pk}/"
    sweep_due_items(now=asked.due_at - timedelta(minutes=30))
    sweep_due_items(now=asked.due_at + timedelta(hours=1))
    sweep_due_items(now=asked.due_at + timedelta(hours=2))  # run again: nothing new
    chased = Notification.objects.filter(url=url).exclude(kind=NotificationKind.GUIDANCE)
    kinds = sorted(chased.values_list("kind", flat=True).distinct())
    assert kinds == [NotificationKind.REMINDER, NotificationKind.SUPERVISION]
    police_users = set(
        RoleGrant.objects.filter(org=asked.asked_org).values_list("user__username", flat=True)
    )
    assert set(chased.values_list("recipient__username", flat=True)) == police_users
    for kind in (NotificationKind.REMINDER, NotificationKind.SUPERVISION):
        assert chased.filter(kind=kind, recipient__username="police").count() == 1
    events = TimelineEvent.objects.filter(case=case, data__due_item=item_pk)
    assert sorted(events.values_list("action", flat=True)) == ["remind", "supervise"]
    # The mediator does not answer for it; the station does.
    overdue = DueItem.objects.filter(pk=item_pk)
    assert not answered_by(user("mediator"), overdue).exists()
    assert answered_by(user("police"), overdue).exists()

    # The station answers after the limit (as the sweep above saw it): late, on the case.
    passed = timezone.now() - timedelta(hours=1)
    GuidanceRequest.objects.filter(pk=asked.pk).update(due_at=passed)
    guidance.guidance_answer(actor=user("police"), request_id=asked.pk, answer=ANSWER_TEXT)
    asked.refresh_from_db()
    assert asked.answered_late
    assert DueItem.objects.get(pk=item_pk).status == DueStatus.DONE
    note = TimelineEvent.objects.get(case=case, action=MediationAction.GUIDANCE_ANSWER).note
    assert "逾期答复" in note
    page = client_of("mediator").get(f"/cases/{case.pk}/").content.decode()
    assert "逾期答复" in page
    assert ANSWER_TEXT in page


def test_another_org_can_neither_see_nor_answer() -> None:
    case = mediating_case()
    asked = ask(case, "justice")
    url = f"/mediation/guidance/{asked.pk}/"
    # Another village's mediator: not found, and the service refuses.
    assert client_of("mediator2").get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        guidance.guidance_answer(actor=user("mediator2"), request_id=asked.pk, answer="x")
    # The judge's court was not asked: it cannot answer (the page offers no form either).
    assert not guidance_may(user("judge"), ANSWER, asked)
    with pytest.raises(PermissionDenied):
        guidance.guidance_answer(actor=user("judge"), request_id=asked.pk, answer="x")
    response = client_of("judge").get(url)
    assert (
        response.status_code == 404 or 'id="guidance-answer-form"' not in response.content.decode()
    )
    assert client_of("judge").post(url, {"answer": "x"}).status_code in (403, 404)
    # The mediator sees it but cannot answer their own question.
    mine = client_of("mediator").get(url)
    assert mine.status_code == 200
    assert 'id="guidance-answer-form"' not in mine.content.decode()
    assert client_of("mediator").post(url, {"answer": "x"}).status_code == 403
    # The 司法所 sees it on its list and its landing page, and answers there.
    justice = client_of("justice")
    assert QUESTION[:20] in justice.get("/mediation/guidance/?status=open").content.decode()
    assert url in justice.get("/").content.decode()
    assert 'id="guidance-answer-form"' in justice.get(url).content.decode()
    GuidanceRequest.objects.get(pk=asked.pk)
    assert "业务指导" in justice.get("/").content.decode()


def test_a_double_click_asks_once_and_answers_once() -> None:
    case = mediating_case()
    client = client_of("mediator")
    form = {
        "guidance-asked_org": org_of("justice").pk,
        "guidance-question": QUESTION,
        "guidance-submit_key": "k" * 32,
    }
    client.post(f"/mediation/cases/{case.pk}/guidance/", form)
    again = client.post(f"/mediation/cases/{case.pk}/guidance/", form, follow=True)
    assert "本次重复提交未再保存" in again.content.decode()
    asked = GuidanceRequest.objects.get(case=case, question=QUESTION)
    assert DueItem.objects.filter(case=case, kind=DueKind.GUIDANCE).count() == 1

    justice = client_of("justice")
    url = f"/mediation/guidance/{asked.pk}/"
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(png, "PNG")
    first = justice.post(
        url,
        {"answer": ANSWER_TEXT, "attachment": SimpleUploadedFile("答复.png", png.getvalue())},
    )
    assert first.status_code == 302
    second = justice.post(url, {"answer": "第二次"}, follow=True)
    assert "本次重复提交未再保存" in second.content.decode()
    asked.refresh_from_db()
    assert asked.answer == ANSWER_TEXT
    # The file is kept with the case's evidence; the mediator downloads it from the panel.
    assert asked.attachment is not None
    assert asked.attachment.case_id == case.pk
    assert (
        f"/mediation/guidance/{asked.pk}/attachment/"
        in client.get(f"/cases/{case.pk}/").content.decode()
    )
    assert client.get(f"/mediation/guidance/{asked.pk}/attachment/").status_code == 200
    assert (
        TimelineEvent.objects.filter(case=case, action=MediationAction.GUIDANCE_ANSWER).count() == 1
    )


def test_the_limit_is_the_admin_row_for_the_asked_org_level_and_grade() -> None:
    case = mediating_case()
    Case.objects.filter(pk=case.pk).update(grade=RiskGrade.LOW)
    level = org_of("police").region.level
    DeadlineLimit.objects.filter(kind=DueKind.GUIDANCE, level=level, grade=RiskGrade.LOW).update(
        working_days=7
    )
    asked = ask(case, "police")
    expected = deadlines.period_end(asked.asked_at, deadlines.Period("working_days", 7))
    assert asked.due_at == expected


def test_a_question_needs_an_offered_org_and_text() -> None:
    case = mediating_case()
    far = (
        Case.objects.exclude(region_path__startswith=case.region_path[:60])
        .exclude(handling_org=None)
        .first()
    )
    assert far is not None
    stranger = next(o for o in askable_orgs(far) if o.kind.code == "police_station")
    with pytest.raises(CaseRuleError, match="请选择本案所在乡镇"):
        guidance.guidance_ask(
            actor=user("mediator"), case_id=case.pk, asked_org_id=stranger.pk, question=QUESTION
        )
    with pytest.raises(CaseRuleError, match="请填写咨询问题"):
        guidance.guidance_ask(
            actor=user("mediator"),
            case_id=case.pk,
            asked_org_id=org_of("police").pk,
            question="   ",
        )
