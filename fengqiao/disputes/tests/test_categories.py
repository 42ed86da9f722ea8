"""Category sub-kinds: the five newer kinds roll up to one of the 15 statistics categories, the
list filter by a parent finds its sub-kinds, and the forms group sub-kinds under their parent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db.models import Count

from fengqiao.core.choices import (
    STATISTICS_PARENT,
    DisputeCategory,
    category_with_subkinds,
    statistics_category,
    statistics_category_expression,
)
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.test_views_common import east_case
from fengqiao.web.tests.html import table_text

# The 司法行政 people's-mediation statistics list (issue 3), plus 行政争议 (DESIGN §2).
STATISTICS_LIST = {
    "婚姻家庭",
    "邻里",
    "房屋宅基地",
    "合同",
    "生产经营",
    "损害赔偿",
    "山林土地",
    "征地拆迁",
    "环境污染",
    "劳动争议",
    "消费",
    "医疗",
    "道路交通事故",
    "物业",
    "其他",
}


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (DisputeCategory.FINANCE, DisputeCategory.CONTRACT),
        (DisputeCategory.CONSTRUCTION, DisputeCategory.CONTRACT),
        (DisputeCategory.TOURISM, DisputeCategory.CONSUMER),
        (DisputeCategory.IP, DisputeCategory.OTHER),
        (DisputeCategory.INTERNET, DisputeCategory.OTHER),
    ],
)
def test_each_sub_kind_is_counted_under_its_parent(kind: str, parent: str) -> None:
    assert statistics_category(kind) == parent
    assert kind in category_with_subkinds(parent)


def test_every_category_rolls_up_to_the_statistics_list() -> None:
    # Every stored value lands in one of the 15, except 行政争议, a category of its own.
    for value in DisputeCategory.values:
        label = str(statistics_category(value).label)
        assert label in STATISTICS_LIST or value == DisputeCategory.ADMINISTRATIVE
    # and no sub-kind has sub-kinds of its own.
    assert not set(STATISTICS_PARENT) & set(STATISTICS_PARENT.values())
    assert {str(DisputeCategory(v).label) for v in STATISTICS_PARENT} == {
        "互联网新业态",
        "金融借贷",
        "知识产权",
        "旅游",
        "建筑施工",
    }


def test_a_case_knows_its_statistics_category_and_sql_counts_the_same(
    cast: Any, world: Any
) -> None:
    east_case(cast, world, category=DisputeCategory.FINANCE)
    east_case(cast, world, category=DisputeCategory.CONSTRUCTION)
    east_case(cast, world, category=DisputeCategory.CONTRACT)
    east_case(cast, world, category=DisputeCategory.TOURISM)
    in_python: dict[str, int] = {}
    for case in Case.objects.all():
        key = str(case.statistics_category)
        in_python[key] = in_python.get(key, 0) + 1
    rows = (
        Case.objects.values(stat=statistics_category_expression())
        .annotate(n=Count("pk"))
        .order_by()
    )
    in_sql = {row["stat"]: row["n"] for row in rows}
    assert in_sql == in_python == {"contract": 3, "consumer": 1}


def test_list_filter_by_a_parent_includes_its_sub_kinds(
    cast: Any, world: Any, client_for: Any
) -> None:
    loan = east_case(cast, world, title="借款未还", category=DisputeCategory.FINANCE)
    contract = east_case(cast, world, title="买卖合同", category=DisputeCategory.CONTRACT)
    trip = east_case(cast, world, title="旅行团退费", category=DisputeCategory.TOURISM)
    client = client_for(cast.dispatcher)
    by_parent = table_text(client.get("/cases/", {"category": "contract"}), "case-list")
    assert loan.number in by_parent
    assert contract.number in by_parent
    assert trip.number not in by_parent
    by_kind = table_text(client.get("/cases/", {"category": "finance"}), "case-list")
    assert loan.number in by_kind
    assert contract.number not in by_kind


def _optgroup(html: str, select_name: str, label: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}".*?</select>', html, re.S)
    assert select is not None
    group = re.search(rf'<optgroup label="{label}">(.*?)</optgroup>', select.group(0), re.S)
    assert group is not None, f"no optgroup {label}"
    return re.findall(r'<option value="([^"]*)"', group.group(1))


@pytest.mark.parametrize("url", ["/cases/new/", "/cases/report/", "/cases/"])
def test_forms_show_sub_kinds_under_their_parent(
    url: str, cast: Any, world: Any, client_for: Any
) -> None:
    html = client_for(cast.dispatcher).get(url).content.decode()
    assert _optgroup(html, "category", "合同") == ["contract", "finance", "construction"]
    assert _optgroup(html, "category", "消费") == ["consumer", "tourism"]
    assert _optgroup(html, "category", "其他") == ["other", "internet", "ip"]
    # A category without sub-kinds stays a plain option.
    assert '<optgroup label="邻里">' not in html
    assert '<option value="neighbour"' in html


def test_assessment_form_groups_sub_kinds_and_accepts_one(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    client = client_for(cast.dispatcher)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert _optgroup(html, "category", "合同") == ["contract", "finance", "construction"]
    response = client.post(
        f"/cases/{case.pk}/act/assess/",
        {"version": case.version, "category": "finance", "grade": "low", "people_count": 2},
    )
    assert response.status_code == 302
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "金融借贷" in detail
    assert "统计归入合同" in detail
