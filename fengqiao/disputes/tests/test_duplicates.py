"""Duplicate detection against the fixed cast: same party by keyed hash, same address within 30
days, and only what the user may see (with a hint that more exists)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyKind, PartyRole
from fengqiao.disputes.duplicates import (
    REASON_ADDRESS,
    REASON_ID_NUMBER,
    REASON_ORG_CODE,
    REASON_PHONE,
    find_duplicates,
    normalize_address,
)
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_register
from fengqiao.disputes.services.outcomes import case_withdraw

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A resident ID number with a valid check character (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


ZHANG_ID = id_number("33019919800101123")
ZHANG_PHONE = "13800001111"


def register(
    cast: Any,
    world: Any,
    *,
    region: Any = None,
    category: str = DisputeCategory.NEIGHBOUR,
    applicant: PartyInput | None = None,
    address: str = "",
) -> Case:
    report = IntakeReport(
        channel=IntakeChannel.GRID,
        category=category,
        region=region or world.village_east,
        title="排水沟纠纷",
        address=address,
        parties=(
            applicant
            or PartyInput(
                role=PartyRole.APPLICANT, name="张三", id_number=ZHANG_ID, phone=ZHANG_PHONE
            ),
            PartyInput(role=PartyRole.RESPONDENT, name="李四", phone="13900002222"),
        ),
    )
    return case_register(actor=cast.dispatcher, platform=world.town_a_platform, report=report)


def applicant(**kwargs: Any) -> list[PartyInput]:
    return [PartyInput(role=PartyRole.APPLICANT, name="张三", **kwargs)]


def test_same_id_number_on_open_case_of_same_category(cast: Any, world: Any) -> None:
    # given an open 邻里 case with 张三
    case = register(cast, world)
    # when the dispatcher checks a new 邻里 report by 张三 (ID typed with a space, lower x)
    found = find_duplicates(
        user=cast.dispatcher,
        category=DisputeCategory.NEIGHBOUR,
        region=world.village_west,
        parties=applicant(id_number=f"{ZHANG_ID[:6]} {ZHANG_ID[6:]}".lower()),
    )
    # then that case is returned with the reason
    assert [m.case.pk for m in found] == [case.pk]
    assert found[0].reasons == (REASON_ID_NUMBER,)
    assert found[0].reason_texts == ["同一当事人（身份证号）有未办结的同类纠纷"]
    assert found.has_hidden is False


def test_same_phone_matches_and_reasons_are_merged(cast: Any, world: Any) -> None:
    case = register(cast, world, address="东村3组12号")
    found = find_duplicates(
        user=cast.dispatcher,
        category=DisputeCategory.NEIGHBOUR,
        region=world.village_east,
        parties=applicant(id_number=ZHANG_ID, phone=ZHANG_PHONE),
        address="东村 3组，12号",
    )
    assert len(found) == 1
    assert found[0].case.pk == case.pk
    assert found[0].reasons == (REASON_ID_NUMBER, REASON_PHONE, REASON_ADDRESS)
    assert "30日内同一地址同类纠纷" in found[0].reason_texts


def test_organization_party_is_named_by_its_credit_code(cast: Any, world: Any) -> None:
    code = "91330100MA27XXXX0X"
    register(
        cast,
        world,
        applicant=PartyInput(
            role=PartyRole.APPLICANT, name="某物业公司", kind=PartyKind.ORGANIZATION, id_number=code
        ),
    )
    found = find_duplicates(
        user=cast.dispatcher,
        category=DisputeCategory.NEIGHBOUR,
        region=world.village_east,
        parties=[
            PartyInput(
                role=PartyRole.APPLICANT,
                name="某物业公司",
                kind=PartyKind.ORGANIZATION,
                id_number=code,
            )
        ],
    )
    assert found[0].reasons == (REASON_ORG_CODE,)


def test_other_category_and_closed_cases_do_not_match_by_party(cast: Any, world: Any) -> None:
    register(cast, world, category=DisputeCategory.LABOUR)
    closed = register(cast, world)
    case_withdraw(actor=cast.dispatcher, case_id=closed.pk, version=None, reason="撤回")
    found = find_duplicates(
        user=cast.dispatcher,
        category=DisputeCategory.NEIGHBOUR,
        region=world.village_east,
        parties=applicant(id_number=ZHANG_ID, phone=ZHANG_PHONE),
    )
    assert list(found) == []
    assert found.has_hidden is False


def test_address_within_30_days_at_same_place_only(cast: Any, world: Any) -> None:
    other = PartyInput(role=PartyRole.APPLICANT, name="王五", phone="13700003333")
    case = register(cast, world, applicant=other, address="东村３组12号")
    # A closed case still counts for the address rule: the same matter reported again.
    case_withdraw(actor=cast.dispatcher, case_id=case.pk, version=None, reason="撤回")
    nobody = applicant()

    def check(**kwargs: Any) -> list[int]:
        params: dict[str, Any] = {
            "user": cast.dispatcher,
            "category": DisputeCategory.NEIGHBOUR,
            "region": world.village_east,
            "parties": nobody,
            "address": "东村3组12号",
            **kwargs,
        }
        return [m.case.pk for m in find_duplicates(**params)]

    assert check() == [case.pk]
    assert check(now=case.registered_at + timedelta(days=29)) == [case.pk]
    assert check(now=case.registered_at + timedelta(days=31)) == []
    assert check(region=world.village_west) == []
    assert check(category=DisputeCategory.LABOUR) == []
    assert check(address="东村3组14号") == []
    assert check(address="  ") == []


def test_village_mediator_sees_own_village_only_and_is_told_of_others(
    cast: Any, world: Any
) -> None:
    # given 张三 has open 邻里 cases in 东村 and 西村
    east = register(cast, world, region=world.village_east)
    register(cast, world, region=world.village_west)
    parties = applicant(id_number=ZHANG_ID)

    def check(user: Any) -> tuple[list[int], bool]:
        found = find_duplicates(
            user=user,
            category=DisputeCategory.NEIGHBOUR,
            region=world.village_east,
            parties=parties,
        )
        return [m.case.pk for m in found], found.has_hidden

    # then the 东村 mediator gets the 东村 case and a hint; the 西村 mediator the reverse
    assert check(cast.mediator_east) == ([east.pk], True)
    west_ids, west_hidden = check(cast.mediator_west)
    assert east.pk not in west_ids
    assert len(west_ids) == 1
    assert west_hidden is True
    # the township dispatcher and the county leader see both
    assert len(check(cast.dispatcher)[0]) == 2
    assert check(cast.dispatcher)[1] is False
    assert len(check(cast.leader)[0]) == 2
    # roles without case data, the citizen and the outsider see nothing but the hint
    for user in (
        cast.court_clerk,
        cast.system_admin,
        cast.security_admin,
        cast.auditor,
        cast.citizen,
        cast.outsider,
    ):
        assert check(user) == ([], True), user.username


def test_no_plaintext_in_sql_and_bounded_queries(
    cast: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    register(cast, world, address="东村3组12号")
    check = {
        "user": cast.dispatcher,
        "category": DisputeCategory.NEIGHBOUR,
        "region": world.village_east,
        "parties": applicant(id_number=ZHANG_ID, phone=ZHANG_PHONE),
        "address": "东村3组12号",
    }
    find_duplicates(**check)  # warm the user's grant cache
    with CaptureQueriesContext(connection) as ctx:
        found = find_duplicates(**check)
    assert len(found) == 1
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert ZHANG_ID not in sql
    assert ZHANG_PHONE not in sql
    # id hash, phone hash, address candidates, visible cases (the orgs' orders read inside
    # that query: Case.scope_member_q)
    with django_assert_max_num_queries(4):
        find_duplicates(**check)


def test_nothing_to_compare_runs_no_case_query(
    cast: Any, world: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        found = find_duplicates(
            user=cast.dispatcher,
            category=DisputeCategory.NEIGHBOUR,
            region=world.village_east,
            parties=applicant(),
        )
    assert list(found) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("东村 3组，12号", "东村3组12号"),
        ("东村３组１２号", "东村3组12号"),
        ("Block A-3", "blocka3"),
        ("", ""),
    ],
)
def test_normalize_address(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected
