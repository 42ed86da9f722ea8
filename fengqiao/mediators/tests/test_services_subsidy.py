"""以案定补: which rule a case earns by, the month's statement (draft, approved, frozen), the
corrections, and the export (masked, watermarked, audited, formulas kept as text)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEvent
from fengqiao.mediators import services_subsidy
from fengqiao.mediators.choices import CaseOutcome, LineKind, StatementStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import SubsidyLine, SubsidyRule, SubsidyStatement
from fengqiao.mediators.services_subsidy import rule_for
from fengqiao.mediators.tests.helpers import org_of, second_officer, user

pytestmark = pytest.mark.usefixtures("demo_county", "db")

DAY = date(2026, 6, 15)


def _rule(pk: int, **kwargs: object) -> SubsidyRule:
    values: dict[str, object] = {
        "pk": pk,
        "name": f"r{pk}",
        "outcome": CaseOutcome.RESOLVED,
        "amount": Decimal(100),
        "effective_from": date(2026, 1, 1),
    }
    values.update(kwargs)
    return SubsidyRule(**values)


def _pick(rules: list[SubsidyRule], **case: object) -> int | None:
    values: dict[str, object] = {
        "outcome": CaseOutcome.RESOLVED,
        "category": "neighbour",
        "grade": "low",
        "amount": None,
        "day": DAY,
    }
    values.update(case)
    found = rule_for(rules, **values)  # type: ignore[arg-type]
    return None if found is None else found.pk


def test_the_most_specific_then_the_highest_priority_rule_applies() -> None:
    general = _rule(1)
    high = _rule(2, grade="high")
    big = _rule(3, min_amount=Decimal(100000))
    urgent = _rule(4, priority=10, grade="major")
    failed = _rule(5, outcome=CaseOutcome.FAILED, amount=Decimal(30))
    rules = [general, high, big, urgent, failed]

    assert _pick(rules) == 1
    assert _pick(rules, grade="high") == 2
    assert _pick(rules, amount=Decimal(100000)) == 3
    assert _pick(rules, amount=Decimal("99999.99")) == 1
    assert _pick(rules, grade="major", amount=Decimal(500000)) == 4  # priority first
    assert _pick(rules, outcome=CaseOutcome.FAILED) == 5


def test_a_rule_applies_only_within_its_dates() -> None:
    old = _rule(1, effective_to=date(2026, 6, 14))
    new = _rule(2, effective_from=date(2026, 6, 15))
    assert _pick([old, new]) == 2
    assert _pick([old, new], day=date(2026, 6, 14)) == 1
    assert _pick([old], day=DAY) is None


def test_rule_amounts_are_bounded() -> None:
    with pytest.raises(MediatorRuleError, match="补贴金额"):
        services_subsidy.subsidy_rule_add(
            actor=user("justice"),
            name="过大",
            outcome=CaseOutcome.RESOLVED,
            amount=Decimal("100000.01"),
            effective_from=DAY,
        )
    with pytest.raises(PermissionDenied):
        services_subsidy.subsidy_rule_add(
            actor=user("orgadmin"),
            name="无权",
            outcome=CaseOutcome.RESOLVED,
            amount=Decimal(1),
            effective_from=DAY,
        )


def _demo_statement() -> SubsidyStatement:
    """Last month's statement of the demo mediator's committee (approved by the demo)."""
    return SubsidyStatement.objects.select_related("org__region").get(org=org_of("mediator"))


def test_the_demo_statement_pays_each_case_by_its_rule() -> None:
    statement = _demo_statement()
    lines = list(statement.lines.select_related("case", "rule"))
    assert statement.status == StatementStatus.APPROVED
    assert lines
    for line in lines:
        assert line.kind == LineKind.CASE
        assert line.case is not None
        assert line.case.handling_org_id == statement.org_id
        assert line.amount == line.base + line.bonus
        local = timezone.localdate(line.case.closed_at)
        assert (local.year, local.month) == (statement.month.year, statement.month.month)
    assert statement.total == sum(line.amount for line in lines)


def test_an_approved_statement_is_frozen_and_corrected_in_a_later_month() -> None:
    justice = user("justice")
    statement = _demo_statement()
    total = statement.total
    with pytest.raises(MediatorRuleError, match="已审批"):
        services_subsidy.statement_compute(actor=justice, org=statement.org, month=statement.month)
    with pytest.raises(MediatorRuleError, match="已审批"):
        services_subsidy.statement_adjust(
            actor=justice,
            statement_id=statement.pk,
            mediator=user("mediator"),
            amount=Decimal(10),
            note="补发",
        )
    statement.refresh_from_db()
    assert statement.total == total

    # The correction goes on an earlier, still open month of the same org (a later month
    # than the one corrected in real use; the demo has only last month to hand)
    earlier = (statement.month - timedelta(days=1)).replace(day=1)
    draft = services_subsidy.statement_compute(actor=justice, org=statement.org, month=earlier)
    before = draft.total
    services_subsidy.statement_adjust(
        actor=justice,
        statement_id=draft.pk,
        mediator=user("mediator"),
        amount=Decimal("-20.50"),
        note="=更正上月多发",
    )
    draft.refresh_from_db()
    assert draft.total == before - Decimal("20.50")

    # A recompute keeps the correction
    services_subsidy.statement_compute(actor=justice, org=statement.org, month=earlier)
    assert SubsidyLine.objects.filter(statement=draft, kind=LineKind.ADJUSTMENT).count() == 1


def test_corrections_are_bounded_and_reasoned() -> None:
    justice = user("justice")
    org = org_of("mediator")
    month = (_demo_statement().month - timedelta(days=1)).replace(day=1)
    draft = services_subsidy.statement_compute(actor=justice, org=org, month=month)
    for amount, note, message in [
        (Decimal(0), "x", "不能为0"),
        (Decimal(5), " ", "理由"),
        (Decimal("100000.01"), "x", "调整金额"),
    ]:
        with pytest.raises(MediatorRuleError, match=message):
            services_subsidy.statement_adjust(
                actor=justice,
                statement_id=draft.pk,
                mediator=user("mediator"),
                amount=amount,
                note=note,
            )
    with pytest.raises(MediatorRuleError, match="不是本单位"):
        services_subsidy.statement_adjust(
            actor=justice,
            statement_id=draft.pk,
            mediator=user("justice"),
            amount=Decimal(5),
            note="x",
        )


def test_only_finished_months_are_computed() -> None:
    with pytest.raises(MediatorRuleError, match="已经结束"):
        services_subsidy.statement_compute(
            actor=user("justice"), org=org_of("mediator"), month=timezone.localdate()
        )


def test_export_only_when_approved_masked_watermarked_audited() -> None:
    justice = user("justice")
    statement = _demo_statement()
    org = statement.org
    month = (statement.month - timedelta(days=1)).replace(day=1)
    draft = services_subsidy.statement_compute(actor=justice, org=org, month=month)
    services_subsidy.statement_adjust(
        actor=justice,
        statement_id=draft.pk,
        mediator=user("mediator"),
        amount=Decimal(5),
        note='=HYPERLINK("x")',
    )
    with pytest.raises(MediatorRuleError, match="审批后"):
        services_subsidy.statement_export(actor=justice, statement_id=draft.pk)
    services_subsidy.statement_approve(actor=second_officer(), statement_id=draft.pk)

    exported = services_subsidy.statement_export(actor=justice, statement_id=draft.pk)

    sheet = load_workbook(io.BytesIO(exported.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    text = " ".join(str(c) for c in cells)
    assert "导出人" in text
    assert "仅限工作使用" in text
    assert '=HYPERLINK("x")' in cells  # kept as text, not a formula
    formula = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert not formula
    person = user("mediator").person
    assert person.id_number not in text
    assert person.phone not in text
    assert AuditEvent.objects.filter(event_type="data.exported", object_id=str(draft.pk)).exists()


def test_who_compiled_a_statement_may_not_approve_it() -> None:
    justice, other = user("justice"), second_officer()
    org = org_of("mediator")
    month = (_demo_statement().month - timedelta(days=1)).replace(day=1)
    draft = services_subsidy.statement_compute(actor=justice, org=org, month=month)
    # The compiler's page does not offer 审批 and says why; the service refuses
    client = Client()
    client.force_login(justice)
    page = client.get(reverse("mediators:statement_detail", args=[draft.pk])).content.decode()
    assert 'id="statement-approve"' not in page
    assert "结算单须由编制人以外的人员审批。" in page
    with pytest.raises(MediatorRuleError, match="结算单须由编制人以外的人员审批"):
        services_subsidy.statement_approve(actor=justice, statement_id=draft.pk)
    posted = client.post(reverse("mediators:statement_approve", args=[draft.pk]), follow=True)
    assert "结算单须由编制人以外的人员审批" in posted.content.decode()
    draft.refresh_from_db()
    assert draft.status == StatementStatus.DRAFT

    # One who entered a correction on it has compiled it as well
    services_subsidy.statement_adjust(
        actor=other, statement_id=draft.pk, mediator=user("mediator"), amount=Decimal(8), note="补"
    )
    # (``justice`` computed it, ``other`` corrected it: neither may approve it)
    with pytest.raises(MediatorRuleError, match="编制人以外"):
        services_subsidy.statement_approve(actor=justice, statement_id=draft.pk)
    with pytest.raises(MediatorRuleError, match="编制人以外"):
        services_subsidy.statement_approve(actor=other, statement_id=draft.pk)

    # A statement recomputed by ``other`` alone is approved by ``justice``, on the page
    fresh_month = (month - timedelta(days=1)).replace(day=1)
    by_other = services_subsidy.statement_compute(actor=other, org=org, month=fresh_month)
    page = client.get(reverse("mediators:statement_detail", args=[by_other.pk])).content.decode()
    assert 'id="statement-approve"' in page
    assert "编制人以外" not in page
    client.post(reverse("mediators:statement_approve", args=[by_other.pk]))
    by_other.refresh_from_db()
    assert (by_other.status, by_other.approved_by) == (StatementStatus.APPROVED, justice)


def test_the_demo_statement_was_compiled_and_approved_by_two_people() -> None:
    statement = _demo_statement()
    assert statement.status == StatementStatus.APPROVED
    assert statement.approved_by == user("justice")
    assert statement.computed_by is not None
    assert statement.computed_by != statement.approved_by
    # by an account nobody logs in to
    assert not statement.computed_by.has_usable_password()
