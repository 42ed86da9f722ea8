"""The access matrix: every page of the platform against every member of the fixed cast.

Read a row as "this page, for each role, answers with this status". 302 for the anonymous column
means a redirect to the login page. Pages that list things are also checked for exactly which
names each role sees (``VISIBLE``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import Role, User
from fengqiao.web.tests.html import names_in, page_text, table_text, xlsx_text

COLUMNS = ["ME", "MW", "DI", "CC", "LE", "SA", "SE", "AU", "CI", "OU", "AN"]
WHO = {
    "ME": "mediator_east",
    "MW": "mediator_west",
    "DI": "dispatcher",
    "CC": "court_clerk",
    "LE": "leader",
    "SA": "system_admin",
    "SE": "security_admin",
    "AU": "auditor",
    "CI": "citizen",
    "OU": "outsider",
    "AN": None,
}

# fmt: off
GET_MATRIX = """
url                                               ME  MW  DI  CC  LE  SA  SE  AU  CI  OU  AN
/                                                 200 200 200 200 200 200 200 200 200 200 302
/accounts/me/                                     200 200 200 200 200 200 200 200 200 200 302
/accounts/me/totp/                                200 200 200 200 200 200 200 200 200 200 302
/accounts/password/                               200 200 200 200 200 200 200 200 200 200 302
/regions/                                         200 200 200 403 200 200 403 403 403 403 302
/regions/?code={east}                             200 404 200 403 200 200 403 403 403 403 302
/regions/?code={west}                             404 200 200 403 200 200 403 403 403 403 302
/regions/?code={town_a}                           404 404 200 403 200 200 403 403 403 403 302
/regions/?code={south}                            404 404 404 403 200 200 403 403 403 403 302
/regions/?code={county}                           404 404 404 403 200 200 403 403 403 403 302
/orgs/                                            200 200 200 200 200 200 403 403 403 403 302
/orgs/{committee_east}/                           200 404 200 404 200 200 403 403 403 403 302
/orgs/{committee_west}/                           404 200 200 404 200 200 403 403 403 403 302
/orgs/{committee_south}/                          404 404 404 404 200 200 403 403 403 403 302
/orgs/{tribunal_a}/                               404 404 200 200 200 200 403 403 403 403 302
/orgs/{town_a_platform}/                          404 404 200 404 200 200 403 403 403 403 302
/orgs/{county_platform}/                          404 404 404 404 200 200 403 403 403 403 302
/orgs/roster/                                     200 200 200 200 200 200 403 403 403 403 302
/orgs/people/{person_east}/                       200 404 200 404 200 200 403 403 403 403 302
/orgs/people/{person_west}/                       404 200 200 404 200 200 403 403 403 403 302
/orgs/people/{person_south}/                      404 404 404 404 200 200 403 403 403 403 302
/orgs/reports/                                    403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=composition                 403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=staffing                    403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=training                    403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=composition&format=xlsx     403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=staffing&format=xlsx        403 403 200 403 200 403 403 403 403 403 302
/orgs/reports/?report=training&format=xlsx        403 403 200 403 200 403 403 403 403 403 302
/accounts/users/                                  403 403 403 403 403 200 200 403 403 403 302
/accounts/users/new/                              403 403 403 403 403 200 403 403 403 403 302
/accounts/users/{user_east}/                      403 403 403 403 403 200 200 403 403 403 302
/accounts/roles/                                  403 403 403 403 403 403 200 403 403 403 302
/accounts/roles/{role_mediator}/                  403 403 403 403 403 403 200 403 403 403 302
/audit/                                           403 403 403 403 403 403 403 200 403 403 302
/cases/                                           200 200 200 200 200 403 403 403 403 403 302
"""

POST_MATRIX = """
url                                               ME  MW  DI  CC  LE  SA  SE  AU  CI  OU  AN
/orgs/people/{person_east}/reveal/                403 403 403 403 403 403 403 403 403 403 302
/audit/verify/                                    403 403 403 403 403 403 403 200 403 403 302
"""
# fmt: on


def _parse(matrix: str) -> list[tuple[str, str, int]]:
    lines = [line.split() for line in matrix.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[1:] == COLUMNS
    return [
        (row[0], column, int(status))
        for row in rows
        for column, status in zip(COLUMNS, row[1:], strict=True)
    ]


def _ids(case: tuple[str, str, int]) -> str:
    return f"{WHO[case[1]] or 'anonymous'}:{case[0]}"


@pytest.fixture
def places(world: Any, cast: Any) -> dict[str, Any]:
    return {
        "east": world.village_east.code,
        "west": world.village_west.code,
        "south": world.village_south.code,
        "town_a": world.town_a.code,
        "county": world.county.code,
        "committee_east": world.committee_east.pk,
        "committee_west": world.committee_west.pk,
        "committee_south": world.committee_south.pk,
        "tribunal_a": world.tribunal_a.pk,
        "town_a_platform": world.town_a_platform.pk,
        "county_platform": world.county_platform.pk,
        "person_east": world.mediator_east_person.pk,
        "person_west": world.mediator_west_person.pk,
        "person_south": world.mediator_south_person.pk,
        "user_east": cast.mediator_east.pk,
        "role_mediator": Role.objects.get(code=BuiltinRole.MEDIATOR).pk,
    }


def _client(client_for: Callable[[User | None], Client], cast: Any, column: str) -> Client:
    name = WHO[column]
    return client_for(getattr(cast, name) if name else None)


def _check(response: Any, expected: int, url: str) -> None:
    assert response.status_code == expected, url
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/?next="), url


@pytest.mark.parametrize("case", _parse(GET_MATRIX), ids=_ids)
def test_get_matrix(
    case: tuple[str, str, int], cast: Any, places: dict[str, Any], client_for: Any
) -> None:
    template, column, expected = case
    url = template.format(**places)
    response = _client(client_for, cast, column).get(url)
    _check(response, expected, url)


@pytest.mark.parametrize("case", _parse(POST_MATRIX), ids=_ids)
def test_post_matrix(
    case: tuple[str, str, int], cast: Any, places: dict[str, Any], client_for: Any
) -> None:
    template, column, expected = case
    url = template.format(**places)
    response = _client(client_for, cast, column).post(url)
    _check(response, expected, url)


# --- What each role sees on the list pages ---------------------------------------------------

ORGS = ["测试区综治中心", "甲镇平安办", "甲镇人民法庭", "东村人民调解委员会", "西村人民调解委员会"]
ORGS += ["南村人民调解委员会"]
COMMITTEES = ["东村人民调解委员会", "西村人民调解委员会", "南村人民调解委员会"]
MEDIATORS = ["东村调解员", "西村调解员", "南村调解员"]
# The staffing report lists committees and dispatched rooms (a room's name holds its tribunal's).
ROOMS = ["甲镇人民法庭驻庭人民调解工作室", "甲镇派出所驻所人民调解工作室"]
STAFFED = [*COMMITTEES, *ROOMS]
REGIONS = ["测试区", "甲镇", "乙镇", "东村", "西村", "南村"]
EVERY_ORG = set(ORGS)
EVERY_MEDIATOR = set(MEDIATORS)

# (url, table id or "xlsx", the names it can show) → role → exactly the names it shows
VISIBLE: list[tuple[str, str, list[str], dict[str, set[str]]]] = [
    (
        "/orgs/",
        "org-list",
        ORGS,
        {
            "ME": {"东村人民调解委员会"},
            "MW": {"西村人民调解委员会"},
            "DI": {"甲镇平安办", "甲镇人民法庭", "东村人民调解委员会", "西村人民调解委员会"},
            "CC": {"甲镇人民法庭"},
            "LE": EVERY_ORG,
            "SA": EVERY_ORG,
        },
    ),
    (
        "/orgs/roster/",
        "roster",
        MEDIATORS,
        {
            "ME": {"东村调解员"},
            "MW": {"西村调解员"},
            "DI": {"东村调解员", "西村调解员"},
            "CC": set(),
            "LE": EVERY_MEDIATOR,
            "SA": EVERY_MEDIATOR,
        },
    ),
    (
        "/regions/",
        "region-children",
        REGIONS,
        {
            "ME": {"东村"},
            "MW": {"西村"},
            "DI": {"甲镇"},
            "LE": {"测试区"},
            "SA": {"测试区"},
        },
    ),
    ("/regions/?code={county}", "region-children", REGIONS, {"LE": {"甲镇", "乙镇"}}),
    ("/regions/?code={town_a}", "region-children", REGIONS, {"DI": {"东村", "西村"}}),
    (
        "/orgs/reports/?report=composition",
        "report",
        ORGS,
        {"DI": {"东村人民调解委员会", "西村人民调解委员会"}, "LE": set(COMMITTEES)},
    ),
    (
        "/orgs/reports/?report=staffing",
        "report",
        STAFFED,
        {"DI": {"东村人民调解委员会", "西村人民调解委员会", *ROOMS}, "LE": set(STAFFED)},
    ),
    (
        "/orgs/reports/?report=training",
        "report",
        MEDIATORS,
        {"DI": {"东村调解员", "西村调解员"}, "LE": EVERY_MEDIATOR},
    ),
    (
        "/orgs/reports/?report=composition&format=xlsx",
        "xlsx",
        ORGS,
        {"DI": {"东村人民调解委员会", "西村人民调解委员会"}, "LE": set(COMMITTEES)},
    ),
    (
        "/orgs/reports/?report=staffing&format=xlsx",
        "xlsx",
        STAFFED,
        {"DI": {"东村人民调解委员会", "西村人民调解委员会", *ROOMS}, "LE": set(STAFFED)},
    ),
    (
        "/orgs/reports/?report=training&format=xlsx",
        "xlsx",
        MEDIATORS,
        {"DI": {"东村调解员", "西村调解员"}, "LE": EVERY_MEDIATOR},
    ),
]

VISIBLE_CASES = [
    (url, where, universe, column, expected)
    for url, where, universe, by_role in VISIBLE
    for column, expected in by_role.items()
]


@pytest.mark.parametrize(
    ("url", "where", "universe", "column", "expected"),
    VISIBLE_CASES,
    ids=[f"{WHO[c[3]]}:{c[0]}" for c in VISIBLE_CASES],
)
def test_each_role_sees_exactly_its_scope(
    url: str,
    where: str,
    universe: list[str],
    column: str,
    expected: set[str],
    cast: Any,
    places: dict[str, Any],
    client_for: Any,
) -> None:
    response = _client(client_for, cast, column).get(url.format(**places))
    assert response.status_code == 200
    text = xlsx_text(response) if where == "xlsx" else table_text(response, where)
    assert names_in(text, universe) == expected


# --- Home and profile --------------------------------------------------------------------------


# The village mediators land on 我的工作 instead (web/tests/test_landing.py).
@pytest.mark.parametrize(
    ("column", "orgs", "mediators"),
    [
        ("DI", 9, 3),
        ("CC", 1, 0),
        ("LE", 18, 5),
        ("SA", 18, 5),
        ("SE", None, None),
        ("AU", None, None),
        ("CI", None, None),
        ("OU", None, None),
    ],
)
def test_home_counts_only_what_the_role_covers(
    column: str, orgs: int | None, mediators: int | None, cast: Any, client_for: Any
) -> None:
    response = _client(client_for, cast, column).get("/")
    summary = response.context["summary"]
    assert summary.get("org_count") == orgs
    assert summary.get("mediator_count") == mediators


NAV = {
    "行政区划",
    "单位",
    "调解员名册",
    "队伍建设报表",
    "用户管理",
    "角色与授权",
    "密码重置",
    "审计日志",
}


@pytest.mark.parametrize(
    ("column", "entries"),
    [
        ("ME", {"行政区划", "单位", "调解员名册"}),
        ("DI", {"行政区划", "单位", "调解员名册", "队伍建设报表"}),
        ("CC", {"单位", "调解员名册"}),
        ("LE", {"行政区划", "单位", "调解员名册", "队伍建设报表"}),
        ("SA", {"行政区划", "单位", "调解员名册", "用户管理"}),
        ("SE", {"角色与授权", "密码重置"}),
        ("AU", {"审计日志"}),
        ("CI", set()),
        ("OU", set()),
    ],
)
def test_navigation_offers_only_reachable_pages(
    column: str, entries: set[str], cast: Any, client_for: Any
) -> None:
    response = _client(client_for, cast, column).get("/")
    labels = {str(item.label) for item in response.context["nav_items"]}
    assert labels & NAV == entries


def test_citizen_and_outsider_see_no_grants_on_home(cast: Any, client_for: Any) -> None:
    for user in (cast.citizen, cast.outsider):
        text = page_text(client_for(user).get("/"))
        assert "尚未授予任何角色" in text


def test_profile_shows_own_grants_and_memberships(cast: Any, client_for: Any) -> None:
    text = page_text(client_for(cast.mediator_east).get("/accounts/me/"))
    assert "人民调解员 · 东村人民调解委员会" in text
    assert "西村" not in text
