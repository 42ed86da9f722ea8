"""交办 with a task per org: in joint mediation the lead and each coordinating org get their own
task, saved on their 交办单, shown on the case page and in each org's inbox."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes.choices import DispatchRole
from fengqiao.disputes.tests.test_views_common import assess, east_case, fresh
from fengqiao.web.tests.html import page_text, table_text


def _dispatch(client: Any, case: Any, orgs: list[Any], tasks: dict[Any, str], **extra: Any) -> Any:
    data = {
        "version": fresh(case).version,
        "orgs": [o.pk for o in orgs],
        **{f"task_{org.pk}": text for org, text in tasks.items()},
        **extra,
    }
    return client.post(f"/cases/{case.pk}/act/dispatch/", data)


def test_the_form_has_a_task_input_under_each_org(cast: Any, world: Any, client_for: Any) -> None:
    case = assess(east_case(cast, world), cast)
    response = client_for(cast.dispatcher).get(f"/cases/{case.pk}/")
    html = response.content.decode()
    form = next(a["form"] for a in response.context["action_forms"] if a["name"] == "dispatch")
    for org in form.fields["orgs"].queryset:
        assert f'name="task_{org.pk}"' in html
        assert f"任务要求：{org.name}" in html
    # The one shared task box is gone.
    assert 'name="task"' not in html


def test_joint_dispatch_gives_each_org_its_own_task(cast: Any, world: Any, client_for: Any) -> None:
    # Given an assessed 东村 case, when the dispatcher sends it to 西村 (lead) and 东村
    case = assess(east_case(cast, world), cast)
    client = client_for(cast.dispatcher)
    response = _dispatch(
        client,
        case,
        [world.committee_east, world.committee_west],
        {world.committee_east: "提供东村一方的宅基地资料", world.committee_west: "主持联合调处"},
        lead=world.committee_west.pk,
    )
    assert response.status_code == 302, page_text(response)[-400:]
    # then each order carries its own task
    orders = {o.to_org_id: o for o in fresh(case).dispatches.all()}
    east, west = orders[world.committee_east.pk], orders[world.committee_west.pk]
    assert (east.role, east.task) == (DispatchRole.COORDINATING, "提供东村一方的宅基地资料")
    assert (west.role, west.task) == (DispatchRole.LEAD, "主持联合调处")
    # the case page shows both, and the timeline says who was asked to do what
    detail = client.get(f"/cases/{case.pk}/")
    rows = table_text(detail, "orders")
    assert "提供东村一方的宅基地资料" in rows
    assert "主持联合调处" in rows
    timeline = page_text(detail)
    assert "东村人民调解委员会：提供东村一方的宅基地资料" in timeline
    # and each org's inbox shows its own task only
    east_inbox = table_text(client_for(cast.mediator_east).get("/cases/my/"), "to-accept")
    assert "提供东村一方的宅基地资料" in east_inbox
    assert "主持联合调处" not in east_inbox
    west_inbox = table_text(client_for(cast.mediator_west).get("/cases/my/"), "to-accept")
    assert "主持联合调处" in west_inbox
    assert "提供东村一方的宅基地资料" not in west_inbox


def test_joint_dispatch_without_a_task_for_an_org_is_refused(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assess(east_case(cast, world), cast)
    response = _dispatch(
        client_for(cast.dispatcher),
        case,
        [world.committee_east, world.committee_west],
        {world.committee_east: "提供东村一方的资料", world.committee_west: "  "},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "联合调处须写明每个承办单位的任务要求：西村人民调解委员会尚未填写" in text
    # What was typed is still there, and nothing was dispatched.
    assert "提供东村一方的资料" in text
    assert not fresh(case).dispatches.exists()


def test_one_org_dispatch_keeps_its_task_and_ignores_unticked_ones(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assess(east_case(cast, world), cast)
    response = _dispatch(
        client_for(cast.dispatcher),
        case,
        [world.committee_east],
        {world.committee_east: "三日内上门", world.committee_west: "（未勾选的单位）"},
    )
    assert response.status_code == 302
    order = fresh(case).dispatches.get()
    assert order.to_org == world.committee_east
    assert order.task == "三日内上门"


def test_one_org_dispatch_needs_no_task(cast: Any, world: Any, client_for: Any) -> None:
    case = assess(east_case(cast, world), cast)
    response = _dispatch(client_for(cast.dispatcher), case, [world.committee_east], {})
    assert response.status_code == 302
    assert fresh(case).dispatches.get().task == ""
