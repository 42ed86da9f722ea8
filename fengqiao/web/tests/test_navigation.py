"""The menu: each role's own tools are one click away."""

from __future__ import annotations

from typing import Any

from fengqiao.web.tests.html import page_text


def _menu(client: Any) -> set[str]:
    response = client.get("/")
    return {str(item.label) for item in response.context["nav_items"]}


def test_grid_worker_finds_quick_report_in_the_menu(
    cast: Any, grid_worker: Any, client_for: Any
) -> None:
    # given a 网格员 of 东村
    client = client_for(grid_worker)

    # when they open any page
    menu = _menu(client)

    # then 快速上报 is in the menu and leads to the quick report form
    assert "快速上报" in menu
    assert 'href="/cases/report/"' in client.get("/cases/my/").content.decode()
    assert "快速上报" in page_text(client.get("/cases/report/"))


def test_quick_report_is_the_grid_workers_tool_only(cast: Any, client_for: Any) -> None:
    # the court clerk and the dispatcher register cases through 登记纠纷, not the grid form
    for user in (cast.dispatcher, cast.court_clerk, cast.mediator_east, cast.leader):
        assert "快速上报" not in _menu(client_for(user))
