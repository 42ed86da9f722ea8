"""The pages of judicial confirmation: the mediator files from the case page, the judge's queue
(deadlines, overdue, query count), the application page (flags acknowledged, ruling), the
mediator downloads the ruling and records the service; who sees what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus
from fengqiao.court.selectors.confirmation import confirmation_queue
from fengqiao.court.services.confirmation import confirmation_accept
from fengqiao.court.tests.confirmation_helpers import file, png, resolved_case
from fengqiao.disputes.choices import PartyRole
from fengqiao.web.tests.html import page_text

# Rulings and 自动履行证明书 are issued signed: the world's orgs hold signing certificates.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def _file_by_page(client: Any, case: Any, world: Any) -> Any:
    parties = list(case.parties.values_list("pk", flat=True))
    return client.post(
        f"/court/cases/{case.pk}/confirmation/",
        {"court": world.tribunal_a.pk, "applicants": parties, "scan": png(), "note": ""},
    )


def test_the_mediator_files_from_the_case_page(cast: Any, world: Any, client_for: Any) -> None:
    case = resolved_case(cast, world)
    mediator = client_for(cast.mediator_east)
    page = page_text(mediator.get(f"/cases/{case.pk}/"))
    assert "申请司法确认（就地申请）" in page
    assert "管辖法院：甲镇人民法庭" in page
    form = page_text(mediator.get(f"/court/cases/{case.pk}/confirmation/"))
    assert "涉及确认身份关系" in form
    assert "签字盖章的调解协议书扫描件" in form
    response = _file_by_page(mediator, case, world)
    assert response.status_code == 302
    confirmation = Confirmation.objects.get(case=case)
    page = page_text(mediator.get(f"/cases/{case.pk}/"))
    assert "待受理" in page
    assert "下载司法确认申请书" in page
    assert "申请司法确认（就地申请）" not in page  # one application at a time
    # another village's mediator sees neither the button nor can post
    other = client_for(cast.mediator_west)
    assert other.post(f"/court/cases/{case.pk}/confirmation/", {}).status_code in (403, 404)
    assert confirmation.applicants.count() == 2


def test_a_refusal_is_shown_on_the_form(cast: Any, world: Any, client_for: Any) -> None:
    case = resolved_case(cast, world)
    mediator = client_for(cast.mediator_east)
    parties = list(case.parties.values_list("pk", flat=True))
    response = mediator.post(
        f"/court/cases/{case.pk}/confirmation/",
        {
            "court": world.tribunal_a.pk,
            "applicants": parties,
            "involves_marriage": "on",
            "scan": png(),
        },
    )
    assert response.status_code == 400
    assert "婚姻关系" in page_text(response)
    assert not Confirmation.objects.exists()


def test_the_judges_queue_with_deadlines_and_overdue(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    late = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    Confirmation.objects.filter(pk=late.pk).update(accept_due_at=timezone.now() - timedelta(days=1))
    on_time = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    judge = client_for(cast.judge)
    page = judge.get("/court/confirmations/")
    assert page.status_code == 200
    text = page_text(page)
    assert "司法确认" in page_text(judge.get("/"))  # in the judge's navigation
    assert late.case.number in text
    assert on_time.case.number in text
    assert "已超期" in text
    assert "张*" in text
    assert "张三" not in text
    # Acceptance moves it to 待裁定
    confirmation_accept(actor=cast.court_clerk, confirmation_id=on_time.pk)
    text = page_text(judge.get("/court/confirmations/?tab=to_rule"))
    assert "民特1号" in text
    # A fixed number of queries whatever the number of rows (no N+1)
    for _ in range(4):
        file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    with CaptureQueriesContext(connection) as few:
        assert len(confirmation_queue(cast.judge).rows) == 5
    for _ in range(3):
        file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(confirmation_queue(cast.judge).rows) == 8


def test_only_the_courts_judge_and_clerk_see_the_queue_and_the_application(
    cast: Any, world: Any, client_for: Any
) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    for user in (cast.judge, cast.court_clerk):
        assert client_for(user).get(f"/court/confirmations/{c.pk}/").status_code == 200
    for user in (cast.mediator_east, cast.dispatcher, cast.leader, cast.police):
        client = client_for(user)
        assert client.get("/court/confirmations/").status_code == 403
        assert client.get(f"/court/confirmations/{c.pk}/").status_code == 403
    # The clerk is offered acceptance, not the ruling.
    clerk_page = page_text(client_for(cast.court_clerk).get(f"/court/confirmations/{c.pk}/"))
    assert "受理" in clerk_page
    assert "作出裁定" not in clerk_page


def test_the_judge_acknowledges_flags_rules_and_the_mediator_downloads_and_serves(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = resolved_case(cast, world, registered_days_ago=0)
    c = file(case, cast.mediator_east, world.tribunal_a)
    judge = client_for(cast.judge)
    page = judge.get(f"/court/confirmations/{c.pk}/")
    text = page_text(page)
    assert "登记当日即达成协议" in text
    assert "当日即达成调解协议，请审查" in text
    response = judge.post(f"/court/confirmations/{c.pk}/accept/", {"version": c.version})
    assert response.status_code == 302
    text = page_text(judge.get(f"/court/confirmations/{c.pk}/"))
    assert "已审查，确认" in text
    assert "尚有 1 项虚假调解筛查提示未审查确认" in text
    assert "作出裁定并出具民事裁定书" not in text
    flag = c.flags.get()
    judge.post(f"/court/confirmations/flags/{flag.pk}/acknowledge/", {"note": "属实"})
    c.refresh_from_db()
    text = page_text(judge.get(f"/court/confirmations/{c.pk}/"))
    assert "审查确认：属实" in text
    response = judge.post(
        f"/court/confirmations/{c.pk}/rule/",
        {"version": c.version, "rule-outcome": "confirmed", "rule-reasons": "协议合法有效。"},
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == ConfirmationStatus.CONFIRMED
    # The mediator sees the ruling on the case page and downloads it
    mediator = client_for(cast.mediator_east)
    page = page_text(mediator.get(f"/cases/{case.pk}/"))
    assert "确认有效" in page
    assert "下载民事裁定书" in page
    pdf = mediator.get(f"/court/confirmations/{c.pk}/pdf/decision/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    # and records the service with the party's signature drawn on the pad
    respondent = case.parties.get(role=PartyRole.RESPONDENT)
    response = mediator.post(
        f"/court/confirmations/{c.pk}/serve/",
        {"party": respondent.pk, "method": "signature_pad", "signature": png((480, 160))},
    )
    assert response.status_code == 302
    page = page_text(mediator.get(f"/cases/{case.pk}/"))
    assert "手写板签名" in page
    assert "李*" in page
    # someone who does not see the case gets nothing
    assert (
        client_for(cast.mediator_west).get(f"/court/confirmations/{c.pk}/pdf/decision/").status_code
        == 404
    )
