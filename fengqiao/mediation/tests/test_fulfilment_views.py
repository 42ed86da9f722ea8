"""履行情况 on the case page: what each side is offered, the forms' round trip, the queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.disputes.models import Case
from fengqiao.mediation.choices import PerformanceStatus
from fengqiao.mediation.models import PerformanceItem
from fengqiao.mediation.tests.factories import png_bytes
from fengqiao.mediation.tests.test_fulfilment import add_item, pay, resolved_case, respondent

ClientFor = Callable[[Any], Client]


# Rulings and 自动履行证明书 are issued signed: the world's orgs hold signing certificates.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def _version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def test_the_mediator_records_an_obligation_and_a_payment_from_the_page(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = resolved_case(cast, world)
    client = client_for(cast.mediator_east)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="fulfilment"' in page
    assert 'id="fulfilment-item-form"' in page
    due = (timezone.localdate() + timedelta(days=15)).isoformat()
    done = client.post(
        f"/mediation/cases/{case.pk}/performance/items/",
        {
            "performance_item-version": _version(case),
            "performance_item-obligor": respondent(case).pk,
            "performance_item-description": "赔偿修墙费用",
            "performance_item-amount": "3000",
            "performance_item-due_date": due,
        },
        follow=True,
    )
    assert "履行事项已登记。" in done.content.decode()
    item = PerformanceItem.objects.get(case=case)
    # The same submit again (a double click) saves nothing more.
    again = client.post(
        f"/mediation/cases/{case.pk}/performance/items/",
        {
            "performance_item-version": _version(case) - 1,
            "performance_item-obligor": respondent(case).pk,
            "performance_item-description": "赔偿修墙费用",
            "performance_item-amount": "3000",
            "performance_item-due_date": due,
        },
        follow=True,
    )
    assert "本次重复提交未再保存" in again.content.decode()
    assert PerformanceItem.objects.filter(case=case).count() == 1

    receipt = SimpleUploadedFile("转账记录.png", png_bytes(), content_type="image/png")
    paid = client.post(
        f"/mediation/cases/{case.pk}/performance/",
        {
            "performance-version": _version(case),
            "performance-item": item.pk,
            "performance-happened_on": timezone.localdate().isoformat(),
            "performance-amount": "3000",
            "performance-proof": receipt,
        },
        follow=True,
    )
    html = paid.content.decode()
    assert "履行情况已登记。" in html
    assert "已履行" in html
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED
    # Everything performed: the page offers the certificate.
    assert 'id="fulfilment-certificate-form"' in html


def test_a_bad_amount_is_answered_in_chinese_and_nothing_saved(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = resolved_case(cast, world)
    response = client_for(cast.mediator_east).post(
        f"/mediation/cases/{case.pk}/performance/items/",
        {
            "performance_item-version": _version(case),
            "performance_item-obligor": respondent(case).pk,
            "performance_item-description": "赔偿",
            "performance_item-amount": "-5",
            "performance_item-due_date": "9999-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 or "确保该值大于或等于" in html
    assert not PerformanceItem.objects.filter(case=case).exists()


def test_other_sides_see_the_record_but_are_offered_nothing(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = resolved_case(cast, world)
    add_item(case, cast.mediator_east)
    for viewer in (cast.dispatcher, cast.leader):
        html = client_for(viewer).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="performance-items"' in html
        assert "赔偿修墙费用" in html
        assert 'id="fulfilment-item-form"' not in html
        assert 'id="fulfilment-record-form"' not in html


def test_the_panel_reads_a_fixed_number_of_queries(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = resolved_case(cast, world)
    client = client_for(cast.mediator_east)
    add_item(case, cast.mediator_east)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/cases/{case.pk}/")
    for _n in range(4):
        item = add_item(case, cast.mediator_east)
        pay(item, cast.mediator_east, "100")
    with CaptureQueriesContext(connection) as five:
        client.get(f"/cases/{case.pk}/")
    assert len(five) <= len(one) + 1, [q["sql"] for q in five.captured_queries][-20:]


def test_my_work_lists_what_comes_due_for_the_mediators_own_org(
    cast: Any, world: Any, client_for: ClientFor
) -> None:
    case = resolved_case(cast, world, agreed_days_ago=20)
    today = timezone.localdate()
    soon = add_item(case, cast.mediator_east, due=today + timedelta(days=3))
    add_item(case, cast.mediator_east, due=today + timedelta(days=30))
    late = add_item(case, cast.mediator_east, due=today - timedelta(days=2))
    done = add_item(case, cast.mediator_east, due=today + timedelta(days=1))
    pay(done, cast.mediator_east, "3000")

    html = client_for(cast.mediator_east).get("/").content.decode()
    assert 'id="fulfilment-due"' in html
    section = html[html.index('id="fulfilment-due"') :]
    # The overdue one first, then the one due in three days; not the far one nor the paid one.
    assert section.count(f"/cases/{case.pk}/#fulfilment") == 2
    assert section.index(late.due_date.isoformat()) < section.index(soon.due_date.isoformat())
    assert 'id="fulfilment-due-count">2 ' in html
    # Another village's mediator sees none of it.
    other = client_for(cast.mediator_west).get("/").content.decode()
    assert case.number not in other
