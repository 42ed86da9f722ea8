"""Control characters typed into a page (issue 13, item 2): every form of the platform runs the
one shared check (``core.formfields.CheckedForm`` over ``core.validators``), so a NUL or an
escape sequence is refused in Chinese beside its field instead of a 500 on PostgreSQL."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django import forms

import fengqiao
from fengqiao.core.formfields import CheckedForm
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.test_views_intake import _intake
from fengqiao.web.tests.html import page_text

CONTROL = "内容含有不可见的控制字符，请删除后重新填写。"


def _all_forms() -> list[type[forms.Form]]:
    for module in pkgutil.walk_packages(fengqiao.__path__, "fengqiao."):
        if ".tests" in module.name or ".migrations" in module.name or "settings" in module.name:
            continue
        if module.name.rsplit(".", 1)[-1] in ("forms", "admin") or ".forms" in module.name:
            importlib.import_module(module.name)
    found, todo = [], list(forms.Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("fengqiao."):
            found.append(cls)
    return found


def test_every_form_of_the_platform_checks_its_text() -> None:
    found = _all_forms()
    assert len(found) > 30  # the walk found the platform's forms
    unchecked = [
        f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, CheckedForm)
    ]
    assert unchecked == []


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[2J", "\x85", "\u202e"], ids=repr)
@pytest.mark.parametrize(
    "field",
    ["title", "facts", "claims", "address", "applicant_name", "respondent_name"],
)
def test_intake_page_refuses_control_characters_in_chinese(
    cast: Any, world: Any, client_for: Any, field: str, bad: str
) -> None:
    data = {**_intake(world), field: f"张{bad}三", "confirm_new": "1"}
    response = client_for(cast.dispatcher).post("/cases/new/", data)
    assert response.status_code == 400
    assert CONTROL in page_text(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["title", "facts", "applicant_name", "respondent_name"])
def test_quick_report_refuses_a_nul_in_chinese(
    cast: Any, world: Any, client_for: Any, field: str
) -> None:
    data = {
        "category": "neighbour",
        "title": "排水沟纠纷",
        "region": world.village_east.pk,
        "applicant_name": "赵一",
        "applicant_phone": "13912345678",
        "respondent_name": "钱二",
        "facts": "堵了",
        "confirm_new": "1",
        field: "赵\x00一",
    }
    response = client_for(cast.grid_worker).post("/cases/report/", data)
    assert response.status_code == 400
    assert CONTROL in page_text(response)
    assert not Case.objects.exists()


def test_line_breaks_stay_in_the_facts(cast: Any, world: Any, client_for: Any) -> None:
    data = {**_intake(world, facts="第一行\r\n第二行\t完"), "confirm_new": "1"}
    response = client_for(cast.dispatcher).post("/cases/new/", data)
    assert response.status_code == 302, page_text(response)
    assert Case.objects.get().facts == "第一行\r\n第二行\t完"


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?q=%00",
        "/cases/?region=%00",
        "/orgs/?q=%00",
        "/orgs/?kind=a%00",
        "/orgs/roster/?q=%00&specialty=%00&grade=%00",
        "/regions/?code=%00",
    ],
)
def test_a_nul_in_a_page_address_is_a_chinese_400_not_a_500(
    cast: Any, client_for: Any, url: str
) -> None:
    response = client_for(cast.leader).get(url)
    assert response.status_code == 400
    assert "请求有误" in page_text(response)
