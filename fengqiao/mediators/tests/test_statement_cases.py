"""The month's statement from real case lifecycles: a resolved case whose agreement is fully
performed earns the rule and the bonus, one resolved orally the rule alone, one failed the
failure rule; a case closed in another month, or withdrawn before mediation, earns nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.tests.factories import staff
from fengqiao.mediation.fulfilment import performance_item_add, performance_record
from fengqiao.mediation.tests.documents_helpers import failed_case, oral_case, resolved_case
from fengqiao.mediators import services_subsidy
from fengqiao.mediators.choices import CaseOutcome

pytestmark = pytest.mark.django_db


def _last_month() -> Any:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def _close_in(case: Case, day: Any) -> None:
    at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    Case.objects.filter(pk=case.pk).update(closed_at=at + timedelta(hours=10))


def test_each_concluded_case_earns_by_its_outcome_and_performance(cast: Any, world: Any) -> None:
    # Given the rules: resolved 100 (+50 when performed), failed 30
    justice = cast.justice_officer
    start = timezone.localdate() - timedelta(days=400)
    for name, outcome, amount, bonus in [
        ("成功", CaseOutcome.RESOLVED, "100", "50"),
        ("不成", CaseOutcome.FAILED, "30", "0"),
    ]:
        services_subsidy.subsidy_rule_add(
            actor=justice,
            name=name,
            outcome=outcome,
            amount=Decimal(amount),
            performance_bonus=Decimal(bonus),
            effective_from=start,
        )
    # And, concluded last month by 东村's mediator: a written agreement fully performed, an
    # oral one, a failure; and a resolved case concluded two months ago
    month = _last_month()
    performed = resolved_case(cast, world, sessions=1, follow_ups=0)
    party = Party.objects.filter(case=performed).first()
    assert party is not None
    item = performance_item_add(
        actor=cast.mediator_east,
        case_id=performed.pk,
        obligor_id=party.pk,
        description="改建排水沟",
        due_date=timezone.localdate() + timedelta(days=5),
    )
    performance_record(
        actor=cast.mediator_east,
        item_id=item.pk,
        happened_on=timezone.localdate(),
        note="双方当面确认已改建",
    )
    oral = oral_case(cast, world)
    failed = failed_case(cast, world)
    older = oral_case(cast, world)
    for case in (performed, oral, failed):
        _close_in(case, month + timedelta(days=3))
    _close_in(older, (month - timedelta(days=1)).replace(day=1))
    org = performed.handling_org
    assert org is not None

    # When the month is computed
    statement = services_subsidy.statement_compute(actor=justice, org=org, month=month)

    # Then each case has its line
    lines = {line.case_id: line for line in statement.lines.all()}
    assert set(lines) == {performed.pk, oral.pk, failed.pk}
    assert (lines[performed.pk].outcome, lines[performed.pk].performed) == ("resolved", True)
    assert (lines[performed.pk].base, lines[performed.pk].bonus) == (Decimal(100), Decimal(50))
    assert (lines[oral.pk].amount, lines[oral.pk].performed) == (Decimal(100), False)
    assert (lines[failed.pk].outcome, lines[failed.pk].amount) == ("failed", Decimal(30))
    assert all(line.mediator_id == cast.mediator_east.pk for line in lines.values())
    assert statement.total == Decimal(280)

    # And approving (by another officer of the 司法所: the compiler may not) freezes it: a rule
    # added later does not change it
    approver = staff("justice_a_2", BuiltinRole.JUSTICE_OFFICER, world.justice_office_a)
    services_subsidy.statement_approve(actor=approver, statement_id=statement.pk)
    services_subsidy.subsidy_rule_add(
        actor=justice,
        name="更高",
        outcome=CaseOutcome.RESOLVED,
        amount=Decimal(999),
        priority=99,
        effective_from=start,
    )
    statement.refresh_from_db()
    assert statement.total == Decimal(280)
