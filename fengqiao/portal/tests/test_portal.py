"""A citizen on the portal, on the small demo county: applies with a verified phone and gets a
case number and who handles it; tracks the case with an SMS code; rates it once closed; never
sees another case; scripted use is limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import CaseStatus, IntakeChannel, PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.selectors import case_visible_to
from fengqiao.mediation.models import Evidence, PartyConsent
from fengqiao.notify import backends
from fengqiao.portal.models import Application, Article, Evaluation
from fengqiao.portal.selectors import place_choices
from fengqiao.portal.services import PORTAL_USERNAME
from fengqiao.portal.tests.conftest import last_code, png, send_code, verify

pytestmark = pytest.mark.usefixtures("demo_county", "db")

APPLICANT = "13700001111"
RESPONDENT = "13700002222"
STRANGER = "13700003333"


def _village() -> int:
    groups = place_choices()
    assert groups, "the demo county has villages"
    return groups[0][1][0][0]


def _fields(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": "apply",
        "token": token,
        "applicant_name": "王小明",
        "applicant_id_number": "",
        "respondent_name": "李大山",
        "respondent_phone": RESPONDENT,
        "place": str(_village()),
        "address": "村东头3号",
        "category": "neighbour",
        "title": "邻居装修堵了排水沟",
        "facts": "上个月邻居装修，把两家之间的排水沟堵了，下雨后我家院子积水。",
        "claims": "恢复排水沟",
        "consent": "on",
        "online": "on",
        **extra,
    }


def _apply(client: Client, phone: str = APPLICANT, **extra: Any) -> tuple[Any, str]:
    answer = verify(client, "/portal/apply/", phone)
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/apply/"
    page = client.get("/portal/apply/")
    assert "<optgroup" in page.content.decode()  # the villages, by township
    token = page.context["form"].initial["token"]
    answer = client.post("/portal/apply/", _fields(token, **extra))
    return answer, token


def _track(client: Client, number: str, phone: str) -> Any:
    return verify(client, "/portal/track/", phone, case_number=number)


def test_a_citizen_applies_tracks_and_rates_the_mediation() -> None:
    citizen = Client()
    evidence = SimpleUploadedFile("照片.png", png(), content_type="image/png")
    answer, token = _apply(citizen, evidence=evidence)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert answer["Location"] == "/portal/apply/done/"
    case = Case.objects.get(portal_application__token=token)
    done = citizen.get("/portal/apply/done/").content.decode()
    assert case.number in done
    assert case.platform.name in done
    assert "个工作日内受理" in done

    # Registered through the one intake, as 网上申请, with the consent and the evidence.
    assert case.channel == IntakeChannel.PORTAL
    assert case.status == CaseStatus.REGISTERED
    assert case.registered_by.username == PORTAL_USERNAME
    applicant = Party.objects.get(case=case, role=PartyRole.APPLICANT)
    assert applicant.phone == APPLICANT
    assert applicant.name == "王小明"
    consent = PartyConsent.objects.get(party=applicant)
    assert consent.online
    assert Evidence.objects.filter(case=case).count() == 1
    # The parties are told of the registration once (the party notices, for every channel);
    # the portal sends nothing of its own beside the code.
    last_code(APPLICANT)
    told = [m for m in backends.sms_outbox if case.number in m.text]
    assert sorted(m.phone for m in told) == sorted([APPLICANT, RESPONDENT])
    mine = [m for m in backends.sms_outbox if m.phone in (APPLICANT, RESPONDENT)]
    assert all("验证码为" in m.text for m in mine if m not in told)

    # The same form sent again: the same case, not a second one.
    again = citizen.post("/portal/apply/", _fields(token))
    assert again["Location"] == "/portal/apply/done/"
    assert Application.objects.filter(token=token).count() == 1
    assert Case.objects.filter(portal_application__token=token).count() == 1

    # Another browser tracks it with the applicant's phone and a code.
    tracker = Client()
    answer = _track(tracker, case.number, APPLICANT)
    assert answer["Location"] == "/portal/case/"
    page = tracker.get("/portal/case/").content.decode()
    assert case.number in page
    assert "已收到申请，登记立案" in page
    assert "综治中心正在研判" in page
    assert "李**" in page  # the other party, masked
    assert RESPONDENT not in page
    assert "案件办结后可以对调解进行评价" in page

    # Once mediated, the party rates it — once.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RESOLVED)
    tracker.post("/portal/case/evaluate/", {"rating": "5", "comment": "调解员很耐心"})
    tracker.post("/portal/case/evaluate/", {"rating": "1", "comment": "再评一次"})
    (rating,) = Evaluation.objects.filter(case=case)
    assert rating.rating == 5
    assert rating.party == applicant
    rated = tracker.get("/portal/case/").content.decode()
    assert "您已评价：5分" in rated
    assert "已达成调解协议" in rated
    # The platform's staff see it on the case page.
    dispatcher = next(
        u
        for u in User.objects.filter(username__startswith="dispatcher")
        if case_visible_to(u, case.pk)
    )
    staff = Client()
    staff.force_login(dispatcher)
    staff_page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert "当事人评价（网上）" in staff_page
    assert "调解员很耐心" in staff_page

    # The respondent is a party too: their phone opens the same case.
    respondent = Client()
    assert _track(respondent, case.number, RESPONDENT)["Location"] == "/portal/case/"
    assert "被申请人" in respondent.get("/portal/case/").content.decode()


def test_a_party_never_sees_another_case() -> None:
    _answer, token = _apply(Client())
    case = Case.objects.get(portal_application__token=token)
    other = Case.objects.exclude(pk=case.pk).exclude(parties__phone_hash="").first()
    assert other is not None

    answers = []
    for number in (other.number, "330000-2099-999999"):
        client = Client()
        sent = send_code(client, "/portal/track/", phone=APPLICANT, case_number=number)
        assert sent.status_code == 302  # the same answer: "sent, if the details are right"
        answer = client.post("/portal/track/", {"action": "verify", "code": "123456"})
        answers.append(answer.content.decode())
        assert client.get("/portal/case/")["Location"] == "/portal/track/"
    for page in answers:
        assert "案件编号、手机号或验证码不正确。" in page
    # No code was sent for a case the phone is not a party of: only the application's own.
    codes = [m for m in backends.sms_outbox if m.phone == APPLICANT and "验证码为" in m.text]
    assert len(codes) == 1

    # With a grant for their own case, another case's document or page is out of reach.
    tracker = Client()
    _track(tracker, case.number, APPLICANT)
    page = tracker.get("/portal/case/").content.decode()
    assert other.number not in page
    from fengqiao.documents.models import IssuedDocument

    doc = IssuedDocument.objects.exclude(case_number=case.number).first()
    if doc is not None:
        assert tracker.get(f"/portal/case/documents/{doc.pk}/").status_code == 404


def test_a_wrong_human_check_sends_nothing() -> None:
    client = Client()
    client.get("/portal/captcha.png")
    answer = client.post("/portal/apply/", {"action": "send", "phone": APPLICANT, "captcha": "8"})
    assert "计算结果不正确" in answer.content.decode()
    assert last_code(APPLICANT) is None
    # The question is used up: the right answer to it afterwards is refused too.
    answer = client.post("/portal/apply/", {"action": "send", "phone": APPLICANT, "captcha": "7"})
    assert "计算结果不正确" in answer.content.decode()


def test_codes_are_rate_limited_per_phone_and_per_address() -> None:
    client = Client()
    assert send_code(client, "/portal/apply/", phone=APPLICANT).status_code == 302
    client.post("/portal/apply/", {"action": "restart"})
    again = send_code(client, "/portal/apply/", phone=APPLICANT)
    assert "操作过于频繁，请" in again.content.decode()
    last_code(APPLICANT)
    assert len([m for m in backends.sms_outbox if m.phone == APPLICANT]) == 1  # not two
    # Every request for a code counts against the address, the refused one too: 20 an hour.
    for i in range(18):
        client.post("/portal/apply/", {"action": "restart"})
        answer = send_code(client, "/portal/apply/", phone=f"1390000{i:04d}")
        assert answer.status_code == 302, i
    client.post("/portal/apply/", {"action": "restart"})
    blocked = send_code(client, "/portal/apply/", phone="13600000000")
    assert "操作过于频繁，请" in blocked.content.decode()
    assert last_code("13600000000") is None


def test_a_file_that_is_not_what_it_claims_is_refused_in_chinese() -> None:
    fake = SimpleUploadedFile("证据.png", b"\x89PNG\r\n\x1a\n<html>not an image</html>")
    answer, token = _apply(Client(), evidence=fake)
    assert answer.status_code == 200
    assert "文件“证据.png”" in answer.content.decode()
    assert not Application.objects.filter(token=token).exists()


def test_the_portal_is_found_from_the_login_page_and_the_knowledge_base_searches() -> None:
    client = Client()
    login = client.get("/", follow=True).content.decode()
    assert 'href="/portal/"' in login
    home = client.get("/portal/").content.decode()
    for words in ("申请调解", "查询进度", "常见问题咨询", "验证文书"):
        assert words in home
    assert client.get("/portal/verify/", {"public_id": "abc$%"}).status_code == 200
    found = client.get("/portal/verify/", {"public_id": "AbCdEfGh12345678"})
    assert found["Location"] == "/verify/AbCdEfGh12345678"

    faq = client.get("/portal/faq/", {"q": "拖欠 工资"}).content.decode()
    assert "老板拖欠工资怎么办？" in faq
    assert "离婚" not in faq
    assert "没有找到相关问题" in client.get("/portal/faq/", {"q": "火星移民"}).content.decode()
    long_query = client.get("/portal/faq/", {"q": "工" * 500})
    assert long_query.status_code == 200
    article = client.get("/portal/faq/unpaid-wages/").content.decode()
    assert "劳动争议调解仲裁法" in article
    assert "这条回答对您有帮助吗？" in article
    client.post("/portal/faq/unpaid-wages/vote/", {"helpful": "yes"})
    client.post("/portal/faq/unpaid-wages/vote/", {"helpful": "yes"})  # counted once
    assert Article.objects.get(slug="unpaid-wages").helpful == 1
    assert "感谢您的反馈" in client.get("/portal/faq/unpaid-wages/").content.decode()
    assert Article.objects.filter(is_published=True).count() >= 20
