"""False-mediation screening (虚假调解筛查), issue 14 item 6: each flag fires on a case built for
it, with its reason, and none fires on a clean case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import override_settings
from django.utils import timezone

from fengqiao.core.crypto import lookup_hash
from fengqiao.court.models.confirmation import FlagCode
from fengqiao.court.screening import screen
from fengqiao.court.tests.confirmation_helpers import png, resolved_case
from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.mediation.models import Agreement
from fengqiao.mediation.services import evidence_upload


def _flags(case: Case) -> dict[str, str]:
    case.refresh_from_db()
    return {str(f.code): f.reason for f in screen(case, Agreement.objects.get(case=case))}


def test_a_clean_case_raises_no_flag(cast: Any, world: Any) -> None:
    assert _flags(resolved_case(cast, world)) == {}


def test_same_applicant_in_three_agreements_within_12_months(cast: Any, world: Any) -> None:
    # 张三 (the same ID number in every case) settles a third dispute within a year
    first = resolved_case(cast, world)
    Agreement.objects.filter(case=first).update(concluded_at=timezone.now() - timedelta(days=200))
    assert FlagCode.REPEAT_APPLICANT not in _flags(first)
    resolved_case(cast, world)
    third = resolved_case(cast, world)
    flags = _flags(third)
    assert set(flags) == {FlagCode.REPEAT_APPLICANT}
    assert "张三（3份）" in flags[FlagCode.REPEAT_APPLICANT]
    # one agreement older than 12 months does not count
    Agreement.objects.filter(case=first).update(concluded_at=timezone.now() - timedelta(days=400))
    assert _flags(third) == {}


def test_parties_sharing_a_phone_or_an_address(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    respondent = case.parties.get(role=PartyRole.RESPONDENT)
    respondent.phone = "13800001111"  # 张三's phone
    respondent.save()
    assert lookup_hash("13800001111") == respondent.phone_hash
    flags = _flags(case)
    assert set(flags) == {FlagCode.SHARED_CONTACT}
    assert "联系电话相同" in flags[FlagCode.SHARED_CONTACT]
    respondent.phone = "13900002222"
    respondent.save()
    Party.objects.filter(case=case).update(address="东村 3 组 12 号")
    assert "住址相同" in _flags(case)[FlagCode.SHARED_CONTACT]


@override_settings(FENGQIAO_SCREEN_LARGE_AMOUNT=50000)
def test_a_large_amount_without_evidence(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    Case.objects.filter(pk=case.pk).update(amount=Decimal("49999"))
    assert _flags(case) == {}
    Case.objects.filter(pk=case.pk).update(amount=Decimal("80000"))
    flags = _flags(case)
    assert set(flags) == {FlagCode.LARGE_NO_EVIDENCE}
    assert "80,000.00元" in flags[FlagCode.LARGE_NO_EVIDENCE]


def test_a_large_amount_with_evidence_is_not_flagged(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    Case.objects.filter(pk=case.pk).update(amount=Decimal("300000"))
    assert FlagCode.LARGE_NO_EVIDENCE in _flags(case)
    # evidence is uploaded while mediating: put one on the case as the upload stores it
    from fengqiao.disputes.choices import CaseStatus

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.MEDIATING)
    data = png()
    evidence_upload(
        actor=cast.mediator_east,
        case_id=case.pk,
        file=data,
        name="借条.png",
        size=len(data.getvalue()),
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RESOLVED)
    assert _flags(case) == {}


def test_agreement_on_the_day_of_registration(cast: Any, world: Any) -> None:
    flags = _flags(resolved_case(cast, world, registered_days_ago=0))
    assert set(flags) == {FlagCode.SAME_DAY}
    assert "当日即达成调解协议" in flags[FlagCode.SAME_DAY]


def test_a_mediator_settling_abnormally_fast(cast: Any, world: Any) -> None:
    # 东村's mediator settles five cases, four of them within a day of registration
    cases = [resolved_case(cast, world) for _ in range(5)]
    for case in cases:
        Case.objects.filter(pk=case.pk).update(handler=cast.mediator_east)
    for case in cases[:4]:
        Case.objects.filter(pk=case.pk).update(registered_at=timezone.now() - timedelta(hours=20))
    # (different applicants, so only this rule is at stake)
    for n, case in enumerate(cases):
        Party.objects.filter(case=case, role=PartyRole.APPLICANT).update(
            id_number_hash=lookup_hash(f"99010219800101{n:04d}")
        )
    flags = _flags(cases[4])
    assert set(flags) == {FlagCode.FAST_MEDIATOR}
    assert "近90天达成调解协议5份，其中4份" in flags[FlagCode.FAST_MEDIATOR]
    # three of five within a day is below the 80 % line
    Case.objects.filter(pk=cases[3].pk).update(registered_at=timezone.now() - timedelta(days=9))
    assert _flags(cases[4]) == {}
