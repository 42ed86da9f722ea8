"""交办推荐: 属地 by grade, 属事 by category, seed 003's 网格先行化解, mediator scoring, the
case page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes import routing
from fengqiao.disputes.choices import CaseStatus, HandlingLevel, IntakeChannel, RiskGrade
from fengqiao.disputes.models import (
    Case,
    DeadlineLimit,
    SubjectRule,
    TerritoryRule,
)
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_return
from fengqiao.disputes.tests.factories import assessed_case, register_case
from fengqiao.mediation.models import Agreement
from fengqiao.orgs.models import MediatorProfile, Organization, OrgCategory
from fengqiao.orgs.tests.factories import OrganizationFactory, kind, mediator

pytestmark = pytest.mark.django_db


def make_case(
    cast: Any, world: Any, *, category: str = DisputeCategory.NEIGHBOUR, grade: str = "low"
) -> Case:
    """A case at 东村 registered by the 甲镇 dispatcher, graded ``grade``."""
    case = register_case(
        actor=cast.dispatcher,
        platform=world.town_a_platform,
        region=world.village_east,
        category=category,
    )
    Case.objects.filter(pk=case.pk).update(grade=grade)
    case.refresh_from_db()
    return case


def industry(world: Any, name: str, category: str, region: Any = None) -> Organization:
    """An industry committee for ``category`` (the cast's own, when it is the one named)."""
    org, _created = Organization.objects.get_or_create(
        name=name,
        region=region or world.county,
        defaults={"kind": kind("committee_industry")},
    )
    OrgCategory.objects.get_or_create(org=org, category=category)
    return org


def township_committee(world: Any) -> Organization:
    """甲镇's committee (in the cast, as in the demo county)."""
    return world.committee_town_a


def names(recs: list[routing.OrgRecommendation]) -> list[str]:
    return [r.org.name for r in recs]


# --- 属地: the grade sets the lowest level ---------------------------------------------------


def test_low_risk_goes_to_the_village_of_the_dispute(cast: Any, world: Any) -> None:
    township_committee(world)
    recs = routing.recommend_orgs(make_case(cast, world, grade=RiskGrade.LOW))
    assert names(recs)[:2] == ["东村人民调解委员会", "甲镇人民调解委员会"]
    assert "属地：案发地东村人民调解委员会" in recs[0].reasons
    # Other villages' committees are not on the case's region chain.
    assert "西村人民调解委员会" not in names(recs)
    assert "南村人民调解委员会" not in names(recs)


def test_medium_risk_needs_the_township(cast: Any, world: Any) -> None:
    township_committee(world)
    recs = routing.recommend_orgs(make_case(cast, world, grade=RiskGrade.MEDIUM))
    assert names(recs)[0] == "甲镇人民调解委员会"
    assert "东村人民调解委员会" not in names(recs)
    assert "风险等级中，需乡镇级以上" in recs[0].reasons
    assert "属地：案发地所在乡镇（甲镇）" in recs[0].reasons


@pytest.mark.parametrize("grade", [RiskGrade.HIGH, RiskGrade.MAJOR])
def test_high_and_major_risk_need_the_county(cast: Any, world: Any, grade: str) -> None:
    township_committee(world)
    OrganizationFactory(
        name="测试区矛盾纠纷调解中心", kind=kind("committee_regional"), region=world.county
    )
    recs = routing.recommend_orgs(make_case(cast, world, grade=grade))
    assert names(recs) == ["测试区矛盾纠纷调解中心"]
    assert any("需区县级以上" in reason for reason in recs[0].reasons)


def test_the_admin_edits_the_territory_rule(cast: Any, world: Any) -> None:
    township_committee(world)
    TerritoryRule.objects.filter(grade=RiskGrade.LOW).update(min_level=HandlingLevel.TOWNSHIP)
    recs = routing.recommend_orgs(make_case(cast, world, grade=RiskGrade.LOW))
    assert names(recs) == ["甲镇人民调解委员会"]
    assert "风险等级低，需乡镇级以上" in recs[0].reasons


def test_a_deleted_rule_stays_deleted_and_the_default_applies(cast: Any, world: Any) -> None:
    TerritoryRule.objects.all().delete()
    SubjectRule.objects.all().delete()
    case = make_case(cast, world)
    recs = routing.recommend_orgs(case)
    # 低 defaults to the village level: the village committee is recommended...
    assert names(recs) == ["东村人民调解委员会", "甲镇人民调解委员会"]
    # ...but reading did not put the rules back.
    assert not TerritoryRule.objects.exists()
    assert not SubjectRule.objects.exists()
    warnings = routing.rule_warnings(case)
    assert warnings[0].startswith("未设置风险等级“低”的属地规则，推荐暂按默认的村级以上承办")
    assert warnings[1].startswith("没有启用的属事规则")
    assert len(warnings) == 2  # the deadline limits are all there


def test_a_missing_deadline_limit_is_named(cast: Any, world: Any) -> None:
    case = make_case(cast, world, grade=RiskGrade.LOW)
    assert routing.rule_warnings(case) == []
    DeadlineLimit.objects.filter(grade=RiskGrade.LOW, level=HandlingLevel.VILLAGE).delete()
    [warning] = routing.rule_warnings(case)
    assert warning.startswith(
        "未设置风险等级“低”的村级受理时限、村级反馈时限，交办后按默认时限计算"
    )
    assert not DeadlineLimit.objects.filter(grade=RiskGrade.LOW, level=5).exists()


# --- 属事: the category names the org kinds -------------------------------------------------


def test_a_medical_case_goes_to_the_medical_committee_first(cast: Any, world: Any) -> None:
    industry(world, "测试区医疗纠纷人民调解委员会", DisputeCategory.MEDICAL)
    industry(world, "测试区劳动争议人民调解委员会", DisputeCategory.LABOUR)
    township_committee(world)
    recs = routing.recommend_orgs(make_case(cast, world, category=DisputeCategory.MEDICAL))
    assert names(recs)[0] == "测试区医疗纠纷人民调解委员会"
    assert recs[0].reasons == ["属事：受理医疗纠纷"]
    assert "测试区劳动争议人民调解委员会" not in names(recs)
    # The territorial committees follow it.
    assert names(recs)[1:] == ["东村人民调解委员会", "甲镇人民调解委员会"]


def test_a_labour_case_also_reaches_the_labour_admin_mediation(cast: Any, world: Any) -> None:
    industry(world, "测试区劳动争议人民调解委员会", DisputeCategory.LABOUR)
    bureau = OrganizationFactory(
        name="测试区劳动人事争议调解中心", kind=kind("admin_mediation"), region=world.county
    )
    OrgCategory.objects.create(org=bureau, category=DisputeCategory.LABOUR)
    OrganizationFactory(name="测试区交警调解室", kind=kind("admin_mediation"), region=world.county)
    recs = routing.recommend_orgs(
        make_case(cast, world, category=DisputeCategory.LABOUR, grade=RiskGrade.MEDIUM)
    )
    assert names(recs) == [
        "测试区劳动争议人民调解委员会",
        "测试区劳动人事争议调解中心",
        "甲镇人民调解委员会",
    ]
    # The territorial committee follows the two that declare the category.
    assert all("属事：受理劳动争议纠纷" in r.reasons for r in recs[:2])


def test_a_court_listing_the_category_is_not_recommended(cast: Any, world: Any) -> None:
    OrgCategory.objects.create(org=world.court, category=DisputeCategory.CONTRACT)
    recs = routing.recommend_orgs(make_case(cast, world, category=DisputeCategory.CONTRACT))
    assert names(recs) == ["东村人民调解委员会", "甲镇人民调解委员会"]


def test_a_subject_rule_without_declaration_matches_the_village(cast: Any, world: Any) -> None:
    recs = routing.recommend_orgs(make_case(cast, world, category=DisputeCategory.MARRIAGE_FAMILY))
    assert names(recs) == ["东村人民调解委员会", "甲镇人民调解委员会"]
    assert "属事：婚姻家庭纠纷可由村（社区）人民调解委员会调处" in recs[0].reasons


def test_an_inactive_subject_rule_no_longer_ranks(cast: Any, world: Any) -> None:
    industry(world, "测试区医疗纠纷人民调解委员会", DisputeCategory.MEDICAL)
    case = make_case(cast, world, category=DisputeCategory.MEDICAL)
    before = routing.recommend_orgs(case)[0]
    SubjectRule.objects.filter(category=DisputeCategory.MEDICAL).update(is_active=False)
    after = routing.recommend_orgs(case)
    # Still listed (it declares the category) but with the plain declared weight.
    assert after[0].org == before.org
    assert after[0].score < before.score


def test_a_court_referral_reaches_the_room_at_the_tribunal(cast: Any, world: Any) -> None:
    # The cast has 甲镇人民法庭's room (and 派出所's room, which a court case does not reach).
    room = world.court_room_a
    case = register_case(
        actor=cast.dispatcher,
        platform=world.town_a_platform,
        region=world.village_east,
        category=DisputeCategory.CONTRACT,
        channel=IntakeChannel.COURT_PRE,
    )
    recs = routing.recommend_orgs(case)
    assert names(recs) == [room.name, "东村人民调解委员会", "甲镇人民调解委员会"]
    assert "渠道：法院委派（诉前）案件由驻法庭人民调解工作室调处" in recs[0].reasons


# --- Seed 003: 网格先行化解 -------------------------------------------------------------------


def test_low_risk_neighbour_case_goes_to_the_village_first(cast: Any, world: Any) -> None:
    industry(world, "测试区物业纠纷人民调解委员会", DisputeCategory.NEIGHBOUR)
    recs = routing.recommend_orgs(make_case(cast, world, category=DisputeCategory.NEIGHBOUR))
    assert names(recs)[0] == "东村人民调解委员会"
    assert "网格先行化解：低风险邻里纠纷先由村（网格）调处" in recs[0].reasons


@pytest.mark.parametrize(
    "category",
    [
        DisputeCategory.MARRIAGE_FAMILY,
        DisputeCategory.NEIGHBOUR,
        DisputeCategory.PROPERTY_MGMT,
        DisputeCategory.DAMAGES,
        DisputeCategory.HOUSING_LAND,
    ],
)
def test_the_five_simple_kinds_beat_the_industry_committee_at_low_risk(
    cast: Any, world: Any, category: str
) -> None:
    industry(world, "测试区行业调委会", category)
    low = routing.recommend_orgs(make_case(cast, world, category=category))
    assert names(low)[0] == "东村人民调解委员会"


def test_grid_first_does_not_apply_above_low_risk(cast: Any, world: Any) -> None:
    industry(world, "测试区物业纠纷人民调解委员会", DisputeCategory.PROPERTY_MGMT)
    township_committee(world)
    recs = routing.recommend_orgs(
        make_case(cast, world, category=DisputeCategory.PROPERTY_MGMT, grade=RiskGrade.MEDIUM)
    )
    assert names(recs)[0] == "测试区物业纠纷人民调解委员会"
    assert not any("网格先行" in reason for r in recs for reason in r.reasons)


def test_grid_first_does_not_apply_to_other_kinds(cast: Any, world: Any) -> None:
    recs = routing.recommend_orgs(make_case(cast, world, category=DisputeCategory.CONTRACT))
    assert names(recs) == ["东村人民调解委员会", "甲镇人民调解委员会"]
    assert not any("网格先行" in reason for reason in recs[0].reasons)


# --- Mediators ------------------------------------------------------------------------------


def people(recs: list[routing.MediatorRecommendation]) -> list[str]:
    return [r.person.name for r in recs]


def test_specialty_moves_a_mediator_up(cast: Any, world: Any) -> None:
    case = make_case(cast, world, category=DisputeCategory.NEIGHBOUR)
    mediator(world.committee_east, name="甲调解员")
    second = mediator(world.committee_east, name="乙调解员")
    before = routing.recommend_mediators(case, org=world.committee_east)
    assert people(before)[0] != "乙调解员"
    MediatorProfile.objects.get(person=second).specialties.create(
        category=DisputeCategory.NEIGHBOUR
    )
    after = routing.recommend_mediators(case, org=world.committee_east)
    assert people(after)[0] == "乙调解员"
    assert "擅长邻里纠纷" in after[0].reasons


def test_load_moves_a_mediator_down(cast: Any, world: Any) -> None:
    case = make_case(cast, world)
    west = world.mediator_west_person  # has an account: mediator_west
    # Put 东村调解员 and 西村调解员 side by side in one org.
    from fengqiao.orgs.tests.factories import MembershipFactory

    MembershipFactory(person=west, org=world.committee_east)
    before = routing.recommend_mediators(case, org=world.committee_east)
    assert people(before)[:2] == ["东村调解员", "西村调解员"]  # tie, broken by name
    for i in range(3):
        busy = make_case(cast, world)
        Case.objects.filter(pk=busy.pk).update(handler=cast.mediator_east, title=f"在办{i}")
    after = routing.recommend_mediators(case, org=world.committee_east)
    assert people(after)[:2] == ["西村调解员", "东村调解员"]
    assert "在办案件3件" in after[1].reasons
    assert "在办案件0件" in after[0].reasons


def test_success_rate_counts_the_last_twelve_months(cast: Any, world: Any) -> None:
    case = make_case(cast, world)
    now = timezone.now()
    for status, closed_at, agreed in (
        (CaseStatus.RESOLVED, now - timedelta(days=10), True),
        (CaseStatus.ARCHIVED, now - timedelta(days=100), True),
        (CaseStatus.FAILED, now - timedelta(days=20), False),
        (CaseStatus.WITHDRAWN, now - timedelta(days=20), False),  # not counted
        (CaseStatus.FAILED, now - timedelta(days=400), False),  # too old
    ):
        done = make_case(cast, world)
        Case.objects.filter(pk=done.pk).update(
            handler=cast.mediator_east, status=status, closed_at=closed_at
        )
        if agreed:
            Agreement.objects.create(case=done, kind="written", terms="赔偿500元")
    [rec] = routing.recommend_mediators(case, org=world.committee_east)
    assert rec.success_rate == pytest.approx(2 / 3)
    assert "近12个月调解成功率67%（2/3）" in rec.reasons


def test_distance_prefers_the_village_of_the_dispute(cast: Any, world: Any) -> None:
    township = township_committee(world)
    mediator(township, name="镇调解员")
    case = make_case(cast, world)
    recs = routing.recommend_mediators(case)
    assert people(recs) == ["东村调解员", "镇调解员"]
    assert "同村（东村）" in recs[0].reasons
    assert "同乡镇（甲镇）" in recs[1].reasons


def test_grade_and_stars_break_ties(cast: Any, world: Any) -> None:
    case = make_case(cast, world)
    a = mediator(world.committee_east, name="A调解员")
    b = mediator(world.committee_east, name="B调解员")
    MediatorProfile.objects.filter(person=a).update(grade="junior")
    MediatorProfile.objects.filter(person=b).update(grade="chief", stars=5)
    recs = routing.recommend_mediators(case, org=world.committee_east, limit=5)
    ranked = [r for r in recs if r.person in (a, b)]
    assert [r.person for r in ranked] == [b, a]
    assert ranked[0].score == ranked[1].score
    assert "首席人民调解员·5星" in ranked[0].reasons


def test_at_most_three_and_each_person_once(cast: Any, world: Any) -> None:
    township = township_committee(world)
    for i in range(5):
        mediator(world.committee_east, name=f"调解员{i}")
    from fengqiao.orgs.tests.factories import MembershipFactory

    MembershipFactory(person=world.mediator_east_person, org=township)
    recs = routing.recommend_mediators(make_case(cast, world))
    assert len(recs) == 3
    assert len({r.person.pk for r in recs}) == 3
    assert all(r.reasons for r in recs)


def test_ended_and_non_mediator_memberships_are_left_out(cast: Any, world: Any) -> None:
    mediator(world.committee_east, name="网格员甲", role="grid_worker")
    gone = mediator(world.committee_east, name="离任调解员")
    gone.memberships.update(ended_on=timezone.localdate())
    recs = routing.recommend_mediators(make_case(cast, world), limit=10)
    assert people(recs) == ["东村调解员"]


def test_a_mediator_who_declared_a_conflict_with_a_party_is_left_out(cast: Any, world: Any) -> None:
    case = make_case(cast, world)  # parties 张三 and 李四
    other = mediator(world.committee_east, name="乙调解员")
    world.mediator_east_person.recusals.create(subject_name="李四", relation="表兄弟")
    other.recusals.create(subject_name="王五", relation="同事")
    recs = routing.recommend_mediators(case, org=world.committee_east)
    assert people(recs) == ["乙调解员"]


# --- Query ceilings -------------------------------------------------------------------------


def test_recommendations_do_not_grow_with_the_people(
    cast: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    from fengqiao.accounts.tests.factories import UserFactory

    township = township_committee(world)
    industry(world, "测试区物业纠纷人民调解委员会", DisputeCategory.NEIGHBOUR)
    for i in range(20):
        person = mediator(
            world.committee_east if i % 2 else township,
            name=f"调解员{i}",
            specialties=(DisputeCategory.NEIGHBOUR,) if i % 3 else (),
        )
        person.user = UserFactory(username=f"m{i}")
        person.save(update_fields=["user"])
        busy = make_case(cast, world)
        Case.objects.filter(pk=busy.pk).update(handler=person.user)
    case = make_case(cast, world)
    with django_assert_max_num_queries(5):
        orgs = routing.recommend_orgs(case)
    with django_assert_max_num_queries(5):
        recs = routing.recommend_mediators(case, orgs=orgs)
    assert len(recs) == 3
    assert all("擅长邻里纠纷" in r.reasons for r in recs)


# --- The case page --------------------------------------------------------------------------


def test_the_dispatcher_sees_the_recommendations_with_the_top_org_preselected(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    response = client_for(cast.dispatcher).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dispatch-advice"' in html
    assert "属地：案发地东村人民调解委员会" in html
    assert "网格先行化解" in html
    assert "同村（东村）" in html
    form = next(a["form"] for a in response.context["action_forms"] if a["name"] == "dispatch")
    assert form.initial["orgs"] == [world.committee_east.pk]
    assert form.initial["suggested_mediator"] == world.mediator_east_person.pk
    assert re.search(rf'name="orgs" value="{world.committee_east.pk}"[^>]*checked', html)
    assert not re.search(rf'name="orgs" value="{world.committee_west.pk}"[^>]*checked', html)
    assert re.search(rf'<option value="{world.mediator_east_person.pk}" selected>', html)


def test_a_returned_case_does_not_preselect_the_org_that_returned_it(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case 东村 was recommended for, dispatched there and returned
    case = assessed_case(cast=cast, world=world)
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )
    order = case.dispatches.get()
    dispatch_return(actor=cast.mediator_east, dispatch_id=order.pk, reason="当事人不在本村")

    # when the dispatcher opens the case to dispatch it again
    response = client_for(cast.dispatcher).get(f"/cases/{case.pk}/")
    html = response.content.decode()

    # then 东村 is not ticked (nor its mediator chosen) and is marked as having returned it
    form = next(a["form"] for a in response.context["action_forms"] if a["name"] == "dispatch")
    assert world.committee_east.pk not in form.initial.get("orgs", [])
    assert form.initial.get("suggested_mediator") != world.mediator_east_person.pk
    assert not re.search(rf'name="orgs" value="{world.committee_east.pk}"[^>]*checked', html)
    assert "已退回本案" in html


def test_the_dispatcher_is_warned_of_a_deleted_rule_and_limit(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    client = client_for(cast.dispatcher)
    assert 'id="dispatch-warnings"' not in client.get(f"/cases/{case.pk}/").content.decode()
    TerritoryRule.objects.filter(grade=case.grade).delete()
    DeadlineLimit.objects.filter(
        grade=case.grade, kind="accept", level=HandlingLevel.COUNTY
    ).delete()
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="dispatch-warnings"' in html
    assert "请系统管理员在“属地规则”中补设" in html
    assert "区县级受理时限，交办后按默认时限计算" in html
    # The page did not quietly put them back.
    assert not TerritoryRule.objects.filter(grade=case.grade).exists()
    # (the 2 dispatch kinds × 3 levels, one deleted; and the 3 业务指导 rows)
    assert DeadlineLimit.objects.filter(grade=case.grade).count() == 5 + 3


def test_a_county_recommendation_asks_the_township_to_escalate(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    Case.objects.filter(pk=case.pk).update(grade=RiskGrade.HIGH)
    OrganizationFactory(
        name="测试区矛盾纠纷调解中心", kind=kind("committee_regional"), region=world.county
    )
    html = client_for(cast.dispatcher).get(f"/cases/{case.pk}/").content.decode()
    assert "测试区矛盾纠纷调解中心" in html
    assert "需上级平台交办" in html
    assert "建议上报上级平台" in html


def test_the_case_page_query_count_does_not_grow_with_the_mediators(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    client = client_for(cast.dispatcher)
    client.get(f"/cases/{case.pk}/")  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(12):
        mediator(world.committee_east, name=f"调解员{i}", specialties=(DisputeCategory.NEIGHBOUR,))
    assert count() == few


def test_a_mediator_does_not_see_the_recommendations(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    html = client_for(cast.mediator_east).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="dispatch-advice"' not in html
    assert "推荐承办单位" not in html


def test_dispatching_the_preselection_suggests_the_mediator(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = assessed_case(cast=cast, world=world)
    client = client_for(cast.dispatcher)
    client.post(
        f"/cases/{case.pk}/act/dispatch/",
        {
            "version": case.version,
            "orgs": [world.committee_east.pk],
            "suggested_mediator": world.mediator_east_person.pk,
        },
    )
    order = case.dispatches.get()
    assert order.to_org == world.committee_east
    assert order.suggested_mediator == world.mediator_east_person


# --- The admin ------------------------------------------------------------------------------


def test_the_rules_are_edited_in_the_admin(cast: Any, world: Any) -> None:
    from django.contrib.auth.models import Permission

    from fengqiao.accounts.models import Role
    from fengqiao.accounts.tests.factories import grant

    role = Role.objects.create(code="routing_rules", name="交办规则维护", scope="all")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="disputes",
            codename__in=[
                "view_territoryrule",
                "change_territoryrule",
                "view_subjectrule",
                "change_subjectrule",
            ],
        )
    )
    grant(cast.system_admin, "routing_rules")
    client = Client()
    client.force_login(cast.system_admin)
    territory = client.get("/admin/disputes/territoryrule/").content.decode()
    assert "属地规则" in territory
    assert "乡镇（街道）" in territory
    subject = client.get("/admin/disputes/subjectrule/", {"category": "medical"})
    assert subject.status_code == 200
    assert "行业性专业性人民调解委员会" in subject.content.decode()
    rule = TerritoryRule.objects.get(grade=RiskGrade.MEDIUM)
    response = client.post(
        f"/admin/disputes/territoryrule/{rule.pk}/change/",
        {"grade": "medium", "min_level": HandlingLevel.COUNTY, "note": "试点"},
    )
    assert response.status_code == 302
    assert routing.territory_min_level(RiskGrade.MEDIUM) == HandlingLevel.COUNTY
