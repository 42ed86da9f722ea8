"""当事人确认调解协议 on the small demo county: the mediator asks (one rule for the page and the
service), each party gets their own link by SMS, reads the agreement and confirms it by an SMS
code or a drawn signature; wrong codes, blank or fake images, another agreement's code and a
text changed meanwhile are refused; a change afterwards voids earlier confirmations, and the
mediator's case page says who confirmed what, when and how."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.disputes.models import TimelineEvent
from fengqiao.mediation import confirmations
from fengqiao.mediation.choices import ConfirmMethod, MediationAction
from fengqiao.mediation.confirmation_policy import REQUEST, agreement_may
from fengqiao.mediation.models import Agreement, AgreementConfirmation
from fengqiao.mediation.tests.confirm_helpers import (
    PUBLIC,
    last_code,
    link_tokens,
    resolved_case,
    signature_data_url,
)
from fengqiao.notify import backends

pytestmark = pytest.mark.usefixtures("demo_county", "db")


@pytest.fixture(autouse=True)
def _sms(settings: Any) -> Iterator[None]:
    settings.FENGQIAO_PUBLIC_URL = PUBLIC
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()


def _url(token: str) -> str:
    return reverse("mediation:agreement_confirm", args=[token])


def _asked() -> tuple[Any, User, list[Any], dict[str, str]]:
    case, mediator, parties = resolved_case()
    client = Client()
    client.force_login(mediator)
    answer = client.post(reverse("mediation:confirmation_request", args=[case.pk]))
    assert answer.status_code in (200, 302)
    tokens = link_tokens()
    assert sorted(tokens) == sorted(p.phone for p in parties)
    return case, mediator, parties, tokens


def test_a_party_confirms_by_sms_code_and_the_mediator_sees_it() -> None:
    case, mediator, parties, tokens = _asked()
    party = parties[0]
    token = tokens[party.phone]
    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    text = page.content.decode()
    agreement = Agreement.objects.get(case=case)
    digest = confirmations.agreement_digest(agreement)
    assert agreement.terms.splitlines()[0].strip() in text
    assert digest in text

    sent = client.post(_url(token), {"step": "send_code"})
    assert "验证码已发送至 138****2222" in sent.content.decode()
    code = last_code(party.phone)

    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(_url(token), {"step": "code", "digest": digest, "code": wrong})
    assert refused.status_code == 400
    assert not AgreementConfirmation.objects.filter(party=party).exists()

    done = client.post(_url(token), {"step": "code", "digest": digest, "code": code})
    assert done.status_code == 302
    record = AgreementConfirmation.objects.get(party=party)
    assert (record.method, record.digest) == (ConfirmMethod.SMS_CODE, digest)
    assert record.agreement == agreement
    assert record.signature is None
    assert "您已于" in client.get(_url(token)).content.decode()
    # The link served its one confirmation.
    again = client.post(_url(token), {"step": "code", "digest": digest, "code": code})
    assert "已通过此链接确认过" in again.content.decode()
    assert AgreementConfirmation.objects.filter(party=party).count() == 1
    assert TimelineEvent.objects.filter(
        case=case, action=MediationAction.AGREEMENT_CONFIRM
    ).exists()

    # The mediator's case page: who confirmed, how, and that it matches the current text.
    staff = Client()
    staff.force_login(mediator)
    shown = staff.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert 'id="agreement-confirmations"' in shown
    assert f'data-party="{party.pk}" data-confirmed="yes"' in shown
    assert "短信验证码" in shown
    assert "与当前文本一致" in shown


def test_a_party_confirms_with_a_drawn_signature() -> None:
    case, _mediator, parties, tokens = _asked()
    party = parties[1]
    digest = confirmations.agreement_digest(Agreement.objects.get(case=case))
    client = Client()
    answer = client.post(
        _url(tokens[party.phone]),
        {"step": "signature", "digest": digest, "signature": signature_data_url()},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) " + "x" * 500,
    )
    assert answer.status_code == 302
    record = AgreementConfirmation.objects.get(party=party)
    assert record.method == ConfirmMethod.SIGNATURE
    assert bytes(record.signature).startswith(b"\x89PNG\r\n\x1a\n")
    assert record.client_ip == "127.0.0.1"
    assert len(record.user_agent) == 200


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        (signature_data_url(blank=True), "未检测到签名笔迹"),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\0" * 64).decode(), "不是有效"),
        ("data:image/png;base64,iVBORw0KGgo" + "A" * 40, "不是有效"),
        ("data:image/png;base64,@@@@", "不是有效"),
        ("data:image/png;base64," + "A" * 300_000, "过大"),
        ("", "请先在签名框内签名"),
        (signature_data_url(size=(2400, 200)), "尺寸过大"),
    ],
)
def test_a_blank_or_fake_signature_is_refused(posted: str, message: str) -> None:
    case, _mediator, parties, tokens = _asked()
    digest = confirmations.agreement_digest(Agreement.objects.get(case=case))
    answer = Client().post(
        _url(tokens[parties[0].phone]),
        {"step": "signature", "digest": digest, "signature": posted},
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not AgreementConfirmation.objects.filter(agreement__case=case).exists()


def test_a_changed_text_voids_earlier_confirmations_and_refuses_the_old_one() -> None:
    case, mediator, parties, tokens = _asked()
    agreement = Agreement.objects.get(case=case)
    old = confirmations.agreement_digest(agreement)
    confirmations.confirm_by_signature(
        token=tokens[parties[0].phone], digest_seen=old, data_url=signature_data_url()
    )
    # The text changes afterwards (a correction).
    Agreement.objects.filter(pk=agreement.pk).update(terms=agreement.terms + "\n另：费用各半。")
    agreement.refresh_from_db()
    new = confirmations.agreement_digest(agreement)
    assert new != old

    staff = Client()
    staff.force_login(mediator)
    shown = staff.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert "原确认已失效" in shown
    assert "协议文本已变更，须重新确认" in shown
    party_page = Client().get(_url(tokens[parties[0].phone])).content.decode()
    assert "原确认不再有效" in party_page

    # The other party read the old text: their confirmation of it is refused.
    with pytest.raises(confirmations.ConfirmRefused, match="内容已有变更"):
        confirmations.confirm_by_signature(
            token=tokens[parties[1].phone], digest_seen=old, data_url=signature_data_url()
        )
    # Asked again, both get a new link; the first party confirms the new text.
    backends.sms_outbox.clear()
    result = confirmations.confirmation_request(actor=mediator, case_id=case.pk)
    recent = {p.pk for p in result.recent}  # asked moments ago: not sent again
    assert parties[1].pk in recent
    assert parties[0].pk not in recent
    fresh = link_tokens()
    assert list(fresh) == [parties[0].phone]
    confirmations.confirm_by_signature(
        token=fresh[parties[0].phone], digest_seen=new, data_url=signature_data_url()
    )
    digests = set(
        AgreementConfirmation.objects.filter(party=parties[0]).values_list("digest", flat=True)
    )
    assert digests == {old, new}


def test_another_agreements_code_or_link_is_refused() -> None:
    case, _mediator, parties, tokens = _asked()
    other_case, other_mediator, _p = resolved_case("mediator2")
    assert other_case.pk != case.pk
    other_agreement = Agreement.objects.get(case=other_case)
    party = parties[0]
    # A code sent for this agreement does not confirm another one.
    confirmations.code_send(token=tokens[party.phone])
    code = last_code(party.phone)
    other = confirmations.confirmation_request(actor=other_mediator, case_id=other_case.pk)
    other_tokens = link_tokens()
    assert other.asked
    with pytest.raises(confirmations.ConfirmRefused):
        confirmations.confirm_by_code(
            token=other_tokens[party.phone],
            digest_seen=confirmations.agreement_digest(other_agreement),
            code=code,
        )
    # This link with the other agreement's text is refused; a made-up link too.
    with pytest.raises(confirmations.ConfirmRefused, match="内容已有变更"):
        confirmations.confirm_by_code(
            token=tokens[party.phone],
            digest_seen=confirmations.agreement_digest(other_agreement),
            code=code,
        )
    answer = Client().get(_url("x" * 43))
    assert answer.status_code == 403
    assert "链接无效" in answer.content.decode()
    assert not AgreementConfirmation.objects.exists()


def test_asking_twice_sends_each_party_one_link() -> None:
    case, mediator, parties, _tokens = _asked()
    client = Client()
    client.force_login(mediator)
    again = client.post(reverse("mediation:confirmation_request", args=[case.pk]), follow=True)
    assert "10分钟内不重复发送" in again.content.decode()
    link_tokens()
    requests = [s for s in backends.sms_outbox if "确认调解协议" in s.text]
    assert sorted(s.phone for s in requests) == sorted(p.phone for p in parties)


def test_only_the_handling_mediator_may_ask() -> None:
    case, mediator, _parties = resolved_case()
    others = [User.objects.get(username=u) for u in ("mediator2", "dispatcher", "judge")]
    staff = Client()
    staff.force_login(mediator)
    assert agreement_may(mediator, REQUEST, case)
    assert (
        'id="confirm-request"'
        in staff.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    )
    for user in others:
        assert not agreement_may(user, REQUEST, case)
        with pytest.raises(PermissionDenied):
            confirmations.confirmation_request(actor=user, case_id=case.pk)
        client = Client()
        client.force_login(user)
        answer = client.post(reverse("mediation:confirmation_request", args=[case.pk]))
        assert answer.status_code in (403, 404)


def test_the_agreement_document_records_the_confirmations_of_its_text() -> None:
    from fengqiao.documents.choices import DocumentType
    from fengqiao.mediation.tests.test_documents_render import _source

    case, _mediator, parties, tokens = _asked()
    agreement = Agreement.objects.get(case=case)
    digest = confirmations.agreement_digest(agreement)
    confirmations.confirm_by_signature(
        token=tokens[parties[0].phone], digest_seen=digest, data_url=signature_data_url()
    )
    page = _source(case, DocumentType.MEDIATION_AGREEMENT)
    assert "当事人在线确认记录" in page
    assert digest in page
    assert "手写签名" in page
    # A changed text: the record no longer lists a confirmation of the old one.
    Agreement.objects.filter(pk=agreement.pk).update(terms=agreement.terms + "\n补充。")
    assert "当事人在线确认记录" not in _source(case, DocumentType.MEDIATION_AGREEMENT)
