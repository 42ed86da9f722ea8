"""Each role lands on its own work at ``/`` (issue 18 item 8): the grid worker on 快速上报 and
their recent reports, the mediator on 我的工作, the dispatcher on the queue counts (each a link
to exactly the cases it counts), the leader on the month's figures for their area."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case, DueItem, SupervisionOrder
from fengqiao.disputes.queues import month_start
from fengqiao.disputes.services.dispatch import dispatch_return
from fengqiao.disputes.tests.factories import register_case
from fengqiao.disputes.tests.test_views_common import (
    assess,
    dispatch,
    east_case,
    fresh,
    to_mediating,
)
from fengqiao.mediation.outcomes import (
    case_agree,
)
from fengqiao.web.tests.html import page_text, table_text


def _queue_cards(html: str) -> dict[str, tuple[int, str]]:
    """queue name → (the count shown, the link)."""
    cards = re.findall(
        r'<a class="card[^"]*" href="([^"]+)" data-queue="(\w+)">\s*'
        r'<div class="card-body"><div class="display-6[^"]*">(\d+)</div>',
        html,
    )
    return {name: (int(count), href.replace("&amp;", "&")) for href, name, count in cards}


def _listed(client: Any, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    text = table_text(response, "case-list")
    return {n for n in Case.objects.values_list("number", flat=True) if n in text}


def _county(cast: Any, world: Any) -> dict[str, Case]:
    """One case in each queue of 甲镇平安办, and one in 乙镇 the township cannot see."""
    now = timezone.now()
    cases = {
        "to_assess": east_case(cast, world, title="待研判的纠纷"),
        "to_dispatch": assess(east_case(cast, world, title="待交办的纠纷"), cast),
    }
    returned = dispatch(assess(east_case(cast, world, title="被退回的纠纷"), cast), cast, world)
    order = returned.dispatches.get()
    dispatch_return(actor=cast.mediator_east, dispatch_id=order.pk, reason="不属本村")
    cases["returned"] = fresh(returned)
    soon = dispatch(assess(east_case(cast, world, title="将到期的纠纷"), cast), cast, world)
    DueItem.objects.filter(case=soon).update(due_at=now + timedelta(days=1))
    cases["due_soon"] = soon
    late = dispatch(assess(east_case(cast, world, title="已超期的纠纷"), cast), cast, world)
    DueItem.objects.filter(case=late).update(due_at=now - timedelta(days=1))
    cases["overdue"] = late
    cases["south"] = register_case(
        actor=cast.dispatcher, platform=world.county_platform, region=world.village_south
    )
    return cases


def test_dispatcher_lands_on_queue_counts_each_linking_to_its_cases(
    cast: Any, world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given one case waiting in each queue of 甲镇平安办
    cases = _county(cast, world)
    assert fresh(cases["returned"]).status == CaseStatus.ASSESSED
    client = client_for(cast.dispatcher)

    # when the dispatcher opens the platform
    with django_assert_max_num_queries(20):
        response = client.get("/")

    # then five counts are shown, and each links to exactly the cases it counts
    cards = _queue_cards(response.content.decode())
    assert list(cards) == ["to_assess", "to_dispatch", "returned", "due_soon", "overdue"]
    assert "待研判" in page_text(response)
    assert "被退回" in page_text(response)
    for name, (count, url) in cards.items():
        listed = _listed(client, url)
        assert len(listed) == count, name
        assert cases[name].number in listed, name
    assert cards["to_assess"][0] == cards["to_dispatch"][0] == cards["returned"][0] == 1
    assert cases["south"].number not in _listed(client, cards["to_assess"][1])


def test_queue_counts_do_not_grow_in_queries_with_the_cases(
    cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(cast.dispatcher)
    _county(cast, world)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _county(cast, world)
    with CaptureQueriesContext(connection) as more:
        client.get("/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_leader_lands_on_the_months_figures_for_their_area(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given this month: six cases registered, one settled, one overdue and under 督办
    cases = _county(cast, world)
    settled = to_mediating(east_case(cast, world, title="调解成功的纠纷"), cast, world)
    case_agree(
        actor=cast.mediator_east,
        case_id=settled.pk,
        version=None,
        kind="oral",
        terms="口头约定十日内疏通",
    )
    late = cases["overdue"]
    item = DueItem.objects.filter(case=late).first()
    assert item is not None
    SupervisionOrder.objects.create(case=late, due_item=item, org=item.org, reason="超期未受理")
    # and one case registered last month, which this month does not count
    old = east_case(cast, world, title="上月的纠纷")
    Case.objects.filter(pk=old.pk).update(
        registered_at=month_start(timezone.now()) - timedelta(days=2)
    )

    # when the county leader opens the platform
    response = client_for(cast.leader).get("/")

    # then the figures are the month's, for the whole county
    figures = {str(f.label): f.count for f in response.context["figures"]}
    assert figures == {"本月受理": 7, "本月调解成功": 1, "已超期": 1, "本月督办": 1}
    # and each links to exactly the cases it counts
    client = client_for(cast.leader)
    for figure in response.context["figures"]:
        assert f'href="{figure.url}"' in response.content.decode()
        assert len(_listed(client, figure.url)) == figure.count, figure.label
    assert settled.number in _listed(client, "/cases/?queue=month_resolved")
    assert late.number in _listed(client, "/cases/?queue=month_supervised")
    assert old.number not in _listed(client, "/cases/?queue=month_intake")
    text = page_text(response)
    assert "本月辖区情况" in text
    assert "待研判" not in text  # the leader assesses nothing


def test_mediator_lands_on_my_work(cast: Any, world: Any, client_for: Any) -> None:
    # given a case dispatched to 东村
    case = dispatch(assess(east_case(cast, world), cast), cast, world)

    # when the village mediator opens the platform
    response = client_for(cast.mediator_east).get("/")

    # then they are on 我的工作, with the order to accept
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "disputes/my_work.html"
    assert case.number in table_text(response, "to-accept")


def test_grid_worker_lands_on_quick_report_and_their_recent_reports(
    cast: Any, world: Any, grid_worker: Any, client_for: Any
) -> None:
    # given a grid worker who has reported one dispute through the quick report
    client = client_for(grid_worker)
    landing = client.get("/")
    assert landing.status_code == 200
    assert 'action="/cases/report/"' in landing.content.decode()
    assert "还没有上报过纠纷" in page_text(landing)
    response = client.post(
        "/cases/report/",
        {
            "category": "neighbour",
            "title": "两户因排水沟起争执",
            "region": world.village_east.pk,
            "applicant_name": "孙七",
            "applicant_phone": "13700001111",
            "respondent_name": "周八",
            "confirm_new": "1",
        },
    )
    assert response.status_code == 302, page_text(response)[-400:]
    case = Case.objects.get(title="两户因排水沟起争执")
    # and a report by someone else in the same village
    east_case(cast, world, title="别人登记的纠纷")

    # when they come back to the platform
    text = page_text(client.get("/"))

    # then the form is there and their own report is listed, not the other one
    assert "快速上报纠纷" in text
    assert case.number in text
    assert "别人登记的纠纷" not in text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize("who", ["dispatcher", "leader"])
def test_the_landing_never_scans_a_case_table(
    who: str, cast: Any, world: Any, client_for: Any
) -> None:
    # given the county's cases, when the dispatcher or the leader lands
    _county(cast, world)
    client = client_for(getattr(cast, who))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")

    # then every read of cases, deadlines and 督办 goes through an index (10 M cases)
    scans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "disputes_" not in sql or not sql.startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            for row in cursor.fetchall():
                detail = row[-1]
                if re.match(
                    r"SCAN (disputes_case|disputes_dueitem|disputes_supervisionorder)\b", detail
                ):
                    scans.append(f"{detail}: {sql[:160]}")
                if re.match(r"SCAN U\d", detail):
                    scans.append(f"{detail}: {sql[:160]}")
    assert not scans, "\n".join(scans)
