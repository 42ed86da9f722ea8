"""投诉调解员 on the portal, on the small demo county: a party who has opened their case (phone
and SMS code) complains about its mediator of record; the complaint is the mediators app's —
source 当事人, the case related, the handling mediator's post in the handling org, recorded by
no staff member — and the 司法所 sees it in its complaints list with its limit. A case without
a mediator of record offers no form and says why; bad input and scripted use are refused in
Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Party
from fengqiao.mediators.choices import ComplaintSource, ComplaintStatus
from fengqiao.mediators.models import Complaint
from fengqiao.portal import throttle
from fengqiao.portal.tests.conftest import verify

pytestmark = pytest.mark.usefixtures("demo_county", "db")

WHAT = "调解员在调解时多次打断我说话，还说我不懂道理，偏向对方。"


def _party(**case_filter: object) -> Party:
    """A party with a phone of a demo case matching ``case_filter``, its phone unique on it."""
    for party in Party.objects.filter(**case_filter).select_related("case").order_by("pk"):
        if party.phone and (
            sum(1 for p in Party.objects.filter(case=party.case) if p.phone == party.phone) == 1
        ):
            return party
    raise AssertionError(f"no demo party for {case_filter}")


def _opened(party: Party) -> Client:
    """A browser in which ``party`` has opened their case on the portal."""
    client = Client()
    answer = verify(client, "/portal/track/", party.phone, case_number=party.case.number)
    assert answer["Location"] == "/portal/case/", answer.content.decode()[:2000]
    return client


def _handled_by_mediator() -> Party:
    return _party(case__handler__username="mediator", case__status=CaseStatus.MEDIATING)


def test_a_party_complains_about_their_mediator_and_the_justice_office_sees_it() -> None:
    party = _handled_by_mediator()
    client = _opened(party)
    page = client.get("/portal/case/").content.decode()
    assert 'id="complaint-form"' in page

    answer = client.post(
        "/portal/case/complain/", {"summary": WHAT, "phone": "0571-88886666"}, follow=True
    )

    today = timezone.localdate()
    due = today + timedelta(days=30)
    text = answer.content.decode()
    assert f"投诉已提交，将在{due:%Y年%-m月%-d日}前处理完毕。" in text
    (complaint,) = Complaint.objects.filter(related_case=party.case)
    assert complaint.source == ComplaintSource.PARTY
    assert complaint.party == party
    assert complaint.complainant_name == party.name
    assert complaint.complainant_phone == "0571-88886666"
    assert complaint.summary == WHAT
    assert complaint.mediator.user.username == "mediator"
    assert complaint.org == party.case.handling_org
    assert complaint.recorded_by is None
    assert (complaint.received_on, complaint.due_on) == (today, due)
    # Audited with no staff actor, as the portal party
    event = AuditEvent.objects.get(event_type="mediators.complaint", object_id=str(complaint.pk))
    assert event.actor is None
    assert event.after["recorded_by"] == "portal_party"
    assert (event.after["party"], event.after["case"]) == (party.pk, party.case_id)
    # The party's page shows it, and offers no second one while it is handled
    assert f"{today:%Y年%-m月%-d日}提交的投诉：已受理（处理期限{due:%Y年%-m月%-d日}）" in text
    assert 'id="complaint-form"' not in text
    assert "您的投诉正在处理中" in text

    # The 司法所 of the township sees it in its list with its limit, marked as from the portal
    staff = Client()
    staff.force_login(User.objects.get(username="justice"))
    listed = staff.get("/mediators/complaints/").content.decode()
    assert f'href="/mediators/complaints/{complaint.pk}/"' in listed
    assert f"{due:%Y-%m-%d}" in listed
    assert "（网上）" in listed
    detail = staff.get(f"/mediators/complaints/{complaint.pk}/").content.decode()
    assert "当事人通过公众服务平台提交" in detail
    assert party.case.number in detail
    assert 'id="investigate-form"' in detail


def test_a_second_complaint_waits_for_the_first_to_be_handled() -> None:
    party = _handled_by_mediator()
    client = _opened(party)
    client.post("/portal/case/complain/", {"summary": WHAT})
    answer = client.post("/portal/case/complain/", {"summary": "再投诉一次，还是同一件事情。"})
    assert answer.status_code == 302
    page = client.get("/portal/case/").content.decode()
    assert "您的投诉正在处理中" in page
    assert Complaint.objects.filter(party=party).count() == 1
    # Once concluded, the party may complain again
    Complaint.objects.filter(party=party).update(
        status=ComplaintStatus.CONCLUDED, outcome="unfounded", concluded_on=timezone.localdate()
    )
    assert 'id="complaint-form"' in client.get("/portal/case/").content.decode()


def test_a_case_without_a_mediator_of_record_offers_no_complaint_and_says_why() -> None:
    party = _party(case__handler__isnull=True, case__status=CaseStatus.REGISTERED)
    client = _opened(party)
    page = client.get("/portal/case/").content.decode()
    assert 'id="complaint-form"' not in page
    assert "本案目前没有承办调解员，暂不能投诉调解员" in page
    # Posted anyway (a page loaded elsewhere): refused with the same words, nothing recorded
    answer = client.post("/portal/case/complain/", {"summary": WHAT}, follow=True)
    assert "本案目前没有承办调解员" in answer.content.decode()
    assert not Complaint.objects.filter(related_case=party.case).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": ""}, "请写明投诉的事情经过。"),
        ({"summary": "太差"}, "至少5个字"),
        ({"summary": "经" * 1001}, "投诉内容不能超过1000字"),
        ({"summary": "调解员态度\x00很差很差"}, "控制字符"),
        ({"summary": WHAT, "phone": "12345"}, "电话"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_kept_on_the_page(
    fields: dict[str, str], message: str
) -> None:
    party = _handled_by_mediator()
    client = _opened(party)
    answer = client.post("/portal/case/complain/", fields)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert message in text
    assert 'id="complaint-form"' in text
    assert not Complaint.objects.filter(party=party).exists()


def test_complaints_are_rate_limited_per_address() -> None:
    party = _handled_by_mediator()
    client = _opened(party)
    for _ in range(throttle.COMPLAINTS_PER_ADDRESS.count):
        throttle.hit(throttle.COMPLAINTS_PER_ADDRESS, "127.0.0.1")
    answer = client.post("/portal/case/complain/", {"summary": WHAT})
    assert "操作过于频繁" in answer.content.decode()
    assert WHAT in answer.content.decode()  # what was typed is kept
    assert not Complaint.objects.filter(party=party).exists()


def test_without_an_opened_case_nothing_is_taken() -> None:
    answer = Client().post("/portal/case/complain/", {"summary": WHAT})
    assert answer["Location"] == "/portal/track/"
    assert not Complaint.objects.filter(summary=WHAT).exists()
