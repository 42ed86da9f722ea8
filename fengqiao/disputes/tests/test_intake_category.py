"""The intake forms do not choose a category for the registrant: 纠纷类别 starts blank, and a
report sent without one is refused (it used to start at 婚姻家庭, the first of the list, so a
grid worker who skipped it filed a neighbours' quarrel as a family dispute)."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.disputes.models import Case
from fengqiao.web.tests.html import page_form, page_text


@pytest.mark.parametrize("url", ["/cases/report/", "/cases/new/"])
def test_the_category_starts_blank_and_is_required(
    url: str, cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(cast.dispatcher if url == "/cases/new/" else cast.grid_worker)
    page = client.get(url)
    form = page_form(page, "")
    assert form.values["category"] == [""]
    assert form.options["category"][0] == ("", "请选择纠纷类别")

    response = client.post(
        url,
        form.data(
            title="两户因排水沟起争执",
            facts="排水沟堵塞",
            region=str(world.village_east.pk),
            channel="walk_in",
            applicant_name="孙七",
            applicant_phone="13700001111",
            respondent_name="周八",
            confirm_new="1",
        ),
    )
    assert response.status_code == 400
    assert "这个字段是必填项" in page_text(response)
    assert not Case.objects.exists()
