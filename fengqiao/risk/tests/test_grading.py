"""Grading on intake with the default rules: each rule fires on a case built for it and not on
a neutral one; the reasons list exactly the rules that fired; negations do not fire; an admin
edit takes effect at once; a person's override is recorded with its reason and lapses on new
facts."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import IntakeChannel, PartyRole, RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import case_assess
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_intake, case_register
from fengqiao.risk.models import LexiconTerm, RiskAssessment, RiskRule, SensitivePeriod

_applicants = itertools.count(1)
WAGE_TEXT = "工地老板拖欠我们三十多个工人工资两个多月了，大家说再不给就去堵区政府大门"


def report(cast: Any, world: Any, parties: tuple[PartyInput, ...] = (), **extra: Any) -> Case:
    """A grid worker's report at 东村 (neutral unless ``extra`` says otherwise), by a new
    applicant each time unless ``parties`` are given (the same party twice is a rule)."""
    extra.setdefault("title", "邻里排水沟纠纷")
    if not parties:
        n = next(_applicants)
        parties = (person(PartyRole.APPLICANT, f"申请人{n}", "", f"1360000{n:04d}"),)
    fields = {k: extra.pop(k) for k in list(extra) if k != "channel" and k != "category"}
    return case_register(
        actor=cast.grid_worker,
        platform=world.town_a_platform,
        report=IntakeReport(
            channel=extra.get("channel", IntakeChannel.GRID),
            category=extra.get("category", DisputeCategory.NEIGHBOUR),
            region=world.village_east,
            parties=parties,
            **fields,
        ),
    )


def reasons(case: Case) -> list[str]:
    return RiskAssessment.objects.get(case=case).reasons


def codes(case: Case) -> list[str]:
    return [f["code"] for f in RiskAssessment.objects.get(case=case).fired]


def person(role: str, name: str, id_number: str = "", phone: str = "") -> PartyInput:
    return PartyInput(role=role, name=name, id_number=id_number, phone=phone)


def test_a_neutral_report_is_low_with_no_reasons(cast: Any, world: Any) -> None:
    case = report(cast, world)
    assert case.grade == RiskGrade.LOW
    assert reasons(case) == []


def test_the_wage_arrears_report_grades_high_with_its_reasons(cast: Any, world: Any) -> None:
    case = report(
        cast,
        world,
        category=DisputeCategory.LABOUR,
        title="工地拖欠工人工资",
        facts=WAGE_TEXT,
        people_count=32,
    )
    case.refresh_from_db()
    assert case.grade == RiskGrade.HIGH
    assert reasons(case) == [
        "涉及人数30人以上",
        "劳动争议（劳资重点领域）",
        "拖欠工资",
        "扬言聚集堵路",
    ]


def test_the_grid_workers_quick_report_reads_the_number_of_people_from_its_text(
    cast: Any, world: Any
) -> None:
    """The quick report asks for no 涉及人数: “三十多个工人” in the text is 30 people."""
    case = report(
        cast, world, category=DisputeCategory.LABOUR, title="工地拖欠工人工资", facts=WAGE_TEXT
    )
    case.refresh_from_db()
    assert case.people_count < 30  # the field itself is left as reported
    assert case.grade == RiskGrade.HIGH
    assert reasons(case)[0] == "涉及人数30人以上"


@pytest.mark.parametrize(
    ("words", "people"),
    [
        (WAGE_TEXT, 30),
        ("20余名村民到村委会反映", 20),
        ("一百二十名业主联名投诉", 120),
        ("十五户居民的院墙被挖断", 15),
        ("我们两个人去找过老板", 2),
        ("邻居三五个人在楼下吵", 0),  # a range is no count
        ("这块地我家种了三十多年", 0),  # years are not people
        ("赔偿五千元", 0),
    ],
)
def test_the_number_of_people_said_in_a_text(words: str, people: int) -> None:
    from fengqiao.risk.text import people_mentioned

    assert people_mentioned(words) == people


@pytest.mark.parametrize(
    ("extra", "code", "grade"),
    [
        ({"people_count": 5}, "people_5", RiskGrade.MEDIUM),
        ({"people_count": 30}, "people_30", RiskGrade.HIGH),
        ({"people_count": 150}, "people_100", RiskGrade.MAJOR),
        ({"amount": Decimal("100000")}, "amount_100k", RiskGrade.MEDIUM),
        ({"amount": Decimal("1200000")}, "amount_1m", RiskGrade.HIGH),
        ({"category": DisputeCategory.EXPROPRIATION}, "cat_expropriation", RiskGrade.MEDIUM),
        ({"category": DisputeCategory.LABOUR}, "cat_labour", RiskGrade.MEDIUM),
        ({"category": DisputeCategory.CONSTRUCTION}, "cat_construction", RiskGrade.MEDIUM),
        ({"category": DisputeCategory.MEDICAL}, "cat_medical", RiskGrade.MEDIUM),
        ({"category": DisputeCategory.ENVIRONMENT}, "cat_environment", RiskGrade.MEDIUM),
        ({"facts": "包工头欠薪三个月"}, "text_wage", RiskGrade.MEDIUM),
        ({"facts": "村民说要去堵路"}, "text_gathering", RiskGrade.HIGH),
        ({"facts": "他说再不解决就去跳楼"}, "text_self_harm", RiskGrade.HIGH),
        ({"facts": "对方扬言要报复"}, "text_threat", RiskGrade.HIGH),
        ({"facts": "他说要和对方同归于尽"}, "text_extreme", RiskGrade.MAJOR),
        ({"facts": "双方在地里打架"}, "text_violence", RiskGrade.MEDIUM),
        ({"facts": "申请人说要去北京上访"}, "text_petition", RiskGrade.MEDIUM),
        ({"facts": "申请人是残疾人"}, "text_vulnerable", RiskGrade.MEDIUM),
    ],
)
def test_each_fact_and_text_rule_fires_on_its_own_report(
    cast: Any, world: Any, extra: dict[str, Any], code: str, grade: str
) -> None:
    case = report(cast, world, **extra)
    case.refresh_from_db()
    assert codes(case) == [code]
    assert case.grade == grade


@pytest.mark.parametrize(
    "facts",
    [
        "他没有扬言堵路",
        "大家都说不会去堵区政府",
        "申请人表示从未想过自杀",
        "他并没有打人",
        "下水道堵了，污水流到邻居院子",
    ],
)
def test_negated_or_harmless_phrases_do_not_fire(cast: Any, world: Any, facts: str) -> None:
    case = report(cast, world, facts=facts)
    assert codes(case) == []
    assert case.grade == RiskGrade.LOW


def test_ages_from_id_numbers_fire_elderly_and_minor(cast: Any, world: Any) -> None:
    year = timezone.localdate().year
    old = report(
        cast,
        world,
        parties=(person(PartyRole.APPLICANT, "王大爷", f"11010519{year - 1900 - 75:02d}0101001X"),),
    )
    assert codes(old) == ["elderly"]
    young = report(
        cast,
        world,
        parties=(
            person(PartyRole.APPLICANT, "李某", "110105198001010011"),
            person(PartyRole.RESPONDENT, "小明", f"110105{year - 10}01010011"),
        ),
    )
    assert codes(young) == ["minor"]


def test_the_same_party_reporting_again_and_earlier_petitions(cast: Any, world: Any) -> None:
    parties = (person(PartyRole.APPLICANT, "赵某", "110105198001010029", "13700001234"),)
    first = report(cast, world, parties=parties, channel=IntakeChannel.PETITION)
    assert codes(first) == []
    second = report(cast, world, parties=parties)
    assert codes(second) == ["petition"]
    # By phone alone too (the keyed hash): the third case sees two others.
    third = report(cast, world, parties=(person(PartyRole.APPLICANT, "赵某", "", "13700001234"),))
    assert codes(third) == ["repeat_party", "petition"]


def test_flags_set_at_assessment_regrade_the_case(cast: Any, world: Any) -> None:
    case = report(cast, world)
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        category=case.category,
        grade=RiskGrade.HIGH,
        flags=["criminal_risk"],
    )
    assert case.grade == RiskGrade.HIGH
    assert reasons(case) == ["研判标识：民转刑风险"]


def test_a_sensitive_period_raises_a_risky_case_one_level(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    SensitivePeriod.objects.create(name="测试会议", starts_on=today, ends_on=today)
    neutral = report(cast, world)
    assert codes(neutral) == []
    risky = report(cast, world, people_count=6)
    risky.refresh_from_db()
    assert risky.grade == RiskGrade.HIGH
    assert reasons(risky) == ["涉及人数5人以上", "敏感时期（测试会议）"]


def test_an_admin_edit_takes_effect_at_once(cast: Any, world: Any) -> None:
    assert report(cast, world, facts="他们要去摆摊抗议").grade == RiskGrade.LOW
    rule = RiskRule.objects.get(code="text_gathering")
    LexiconTerm.objects.create(rule=rule, phrase="摆摊抗议")
    assert report(cast, world, facts="他们要去摆摊抗议").grade == RiskGrade.HIGH
    RiskRule.objects.filter(code="people_5").update(threshold=3, updated_at=timezone.now())
    assert codes(report(cast, world, people_count=3)) == ["people_5"]
    RiskRule.objects.filter(code="people_5").update(is_active=False, updated_at=timezone.now())
    assert codes(report(cast, world, people_count=3)) == []


def test_an_override_is_recorded_with_its_reason_and_lapses_when_facts_change(
    cast: Any, world: Any
) -> None:
    case = report(cast, world, people_count=6)
    case.refresh_from_db()
    assert case.grade == RiskGrade.MEDIUM
    common = {"actor": cast.dispatcher, "case_id": case.pk, "version": None}
    case = case_assess(
        **common, category=case.category, grade=RiskGrade.LOW, people_count=6, note="已当场化解"
    )
    assert case.grade == RiskGrade.LOW
    a = RiskAssessment.objects.get(case=case)
    assert (a.computed_grade, a.override_grade) == ("medium", "low")
    assert a.override_reason == "已当场化解"
    override = case.timeline.get(action="risk_override")
    assert override.note == "风险等级由系统评定的“中”调整为“低”，理由：已当场化解"
    # Saved again with nothing new: the override stands without a new reason.
    case = case_assess(**common, category=case.category, grade=RiskGrade.LOW, people_count=6)
    assert case.grade == RiskGrade.LOW
    # 重复反映 with a threat: the rules that fire change, the override lapses.
    case_intake(
        actor=cast.grid_worker,
        report=IntakeReport(
            channel=IntakeChannel.GRID,
            category=case.category,
            region=world.village_east,
            title="又来反映",
            facts="他说要去堵路",
            parties=(person(PartyRole.APPLICANT, "张三", "990102198001011234"),),
        ),
        link_to=case.pk,
    )
    case.refresh_from_db()
    assert case.grade == RiskGrade.HIGH
    assert case.timeline.filter(action="risk_override_lapsed").count() == 1
    assert RiskAssessment.objects.get(case=case).override_grade == ""


def test_the_grading_is_on_the_timeline(cast: Any, world: Any) -> None:
    case = report(cast, world, people_count=40, occurred_at=timezone.now() - timedelta(days=1))
    event = case.timeline.get(action="risk_grade")
    assert event.note == "系统评定风险等级：高（涉及人数30人以上）"


def test_a_phrase_added_in_the_admin_grades_the_next_report(
    cast: Any, world: Any, client_for: Any
) -> None:
    """The administrator adds “讨说法” to 扬言聚集堵路 on the rule's admin page (no restart): the
    next report that says it is graded 高, and the edit is in the audit log."""
    assert report(cast, world, facts="村民们要一起去乡政府讨说法").grade == RiskGrade.LOW
    rule = RiskRule.objects.get(code="text_gathering")
    terms = list(rule.terms.order_by("pk"))
    data: dict[str, Any] = {
        "code": rule.code,
        "reason": rule.reason,
        "kind": rule.kind,
        "grade": rule.grade,
        "threshold": "",
        "category": "",
        "flag": "",
        "is_active": "on",
        "position": rule.position,
        "source": rule.source,
        "terms-TOTAL_FORMS": len(terms) + 1,
        "terms-INITIAL_FORMS": len(terms),
        "terms-MIN_NUM_FORMS": 0,
        "terms-MAX_NUM_FORMS": 1000,
        f"terms-{len(terms)}-phrase": "讨说法",
        f"terms-{len(terms)}-rule": rule.pk,
    }
    for i, term in enumerate(terms):
        data |= {f"terms-{i}-id": term.pk, f"terms-{i}-phrase": term.phrase}
        data[f"terms-{i}-rule"] = rule.pk
    response = client_for(cast.system_admin).post(f"/admin/risk/riskrule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert rule.terms.filter(phrase="讨说法").exists()
    case = report(cast, world, facts="村民们要一起去乡政府讨说法")
    assert case.grade == RiskGrade.HIGH
    assert reasons(case) == ["扬言聚集堵路"]
    assert AuditEvent.objects.filter(object_type__icontains="lexiconterm").exists()
