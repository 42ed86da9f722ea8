"""以案定补 — per-case subsidies: the rules, each org's monthly statement computed from the cases
its mediators concluded that month, corrections, approval and the XLSX export.

Which case earns what is decided by the statistics' own rule (``stats.facts.facts_of``,
docs/measures.md; not written again here), so a statement and the mediator's figures agree:
a case counts in the month its 办结时间
(``Case.closed_at``, Beijing time) falls in, for its handling org and its 承办调解员
(``Case.handler``). It was resolved when it has an agreement (调解协议), failed when it has a
调解不成 record; a case withdrawn or referred out without mediation earns nothing. Its agreement
is fully performed when it has 履行事项 and every one of them is 已履行. The rule applied is the
matching one with the highest priority, then the most specific.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory
from fengqiao.core.xlsx import XLSX_CONTENT_TYPE, table_workbook
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.mediators import policy
from fengqiao.mediators.choices import CaseOutcome, LineKind, StatementStatus
from fengqiao.mediators.errors import MediatorRuleError
from fengqiao.mediators.models import AMOUNT_MAX, SubsidyLine, SubsidyRule, SubsidyStatement
from fengqiao.mediators.selectors import statement_lines, statement_totals
from fengqiao.mediators.services import authorize
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.exports import watermark_for
from fengqiao.orgs.models import Membership, Organization
from fengqiao.stats.choices import Outcome
from fengqiao.stats.facts import facts_of

CENT = Decimal("0.01")


def _amount(value: Decimal, label: str, *, signed: bool = False) -> Decimal:
    low = -AMOUNT_MAX if signed else Decimal(0)
    if not low <= value <= AMOUNT_MAX:
        raise MediatorRuleError(
            _("%(label)s应在%(low)s至%(high)s元之间。")
            % {"label": label, "low": low, "high": AMOUNT_MAX}
        )
    return value.quantize(CENT)


# --- Rules ---------------------------------------------------------------------------------------


def subsidy_rule_add(
    *,
    actor: Any,
    name: str,
    outcome: str,
    amount: Decimal,
    effective_from: date,
    category: str = "",
    grade: str = "",
    min_amount: Decimal | None = None,
    performance_bonus: Decimal = Decimal(0),
    priority: int = 0,
    effective_to: date | None = None,
) -> SubsidyRule:
    authorize(actor, policy.SUBSIDY)
    if outcome not in CaseOutcome.values:
        raise MediatorRuleError(_("请选择调解结果。"))
    if category and category not in DisputeCategory.values:
        raise MediatorRuleError(_("纠纷类别不存在。"))
    if grade and grade not in RiskGrade.values:
        raise MediatorRuleError(_("风险等级不存在。"))
    if min_amount is not None and min_amount < 0:
        raise MediatorRuleError(_("标的额不能为负数。"))
    if effective_to is not None and effective_to < effective_from:
        raise MediatorRuleError(_("截止日期不能早于起始日期。"))
    if not 0 <= priority <= 1000:
        raise MediatorRuleError(_("优先级应在0至1000之间。"))
    with transaction.atomic():
        rule = SubsidyRule.objects.create(
            name=name,
            outcome=outcome,
            category=category,
            grade=grade,
            min_amount=min_amount,
            amount=_amount(amount, _("补贴金额")),
            performance_bonus=_amount(performance_bonus, _("履行加发")),
            priority=priority,
            effective_from=effective_from,
            effective_to=effective_to,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            event_type=EventType.SUBSIDY_RULE,
            obj=rule,
            after={
                "outcome": outcome,
                "category": category,
                "grade": grade,
                "min_amount": None if min_amount is None else str(min_amount),
                "amount": str(rule.amount),
                "bonus": str(rule.performance_bonus),
                "from": effective_from.isoformat(),
            },
        )
    return rule


def subsidy_rule_end(*, actor: Any, rule_id: int, effective_to: date) -> SubsidyRule:
    """停用 a rule from a day on (cases concluded after it no longer match it); a rule is never
    edited, so the statements that applied it read the same."""
    authorize(actor, policy.SUBSIDY)
    with transaction.atomic():
        rule = SubsidyRule.objects.select_for_update().get(pk=rule_id)
        if effective_to < rule.effective_from:
            raise MediatorRuleError(_("截止日期不能早于起始日期。"))
        before = rule.effective_to
        rule.effective_to = effective_to
        rule.save(update_fields=["effective_to"])
        audit_record(
            actor=actor,
            event_type=EventType.SUBSIDY_RULE,
            obj=rule,
            before={"to": None if before is None else before.isoformat()},
            after={"to": effective_to.isoformat()},
        )
    return rule


def _specificity(rule: SubsidyRule) -> int:
    return sum(1 for v in (rule.category, rule.grade, rule.min_amount) if v not in ("", None))


def rule_for(
    rules: list[SubsidyRule],
    *,
    outcome: str,
    category: str,
    grade: str,
    amount: Decimal | None,
    day: date,
) -> SubsidyRule | None:
    """The rule a case concluded on ``day`` earns by: highest priority, then most specific,
    then the older rule."""
    matching = [
        r
        for r in rules
        if r.outcome == outcome
        and r.effective_from <= day
        and (r.effective_to is None or day <= r.effective_to)
        and (not r.category or r.category == category)
        and (not r.grade or r.grade == grade)
        and (r.min_amount is None or (amount is not None and amount >= r.min_amount))
    ]
    if not matching:
        return None
    return min(matching, key=lambda r: (-r.priority, -_specificity(r), r.pk))


# --- Statements ----------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _month_bounds(first: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(_next_month(first), time.min, tzinfo=zone),
    )


@dataclass(frozen=True)
class CaseLine:
    case: Case
    outcome: str
    performed: bool


def concluded_cases(org: Organization, first: date) -> list[CaseLine]:
    """The cases of ``org`` its mediators concluded in the month starting ``first``, with how
    each ended (the module's docstring says how)."""
    start, end = _month_bounds(first)
    cases = list(
        Case.objects.filter(
            handling_org=org, handler__isnull=False, closed_at__gte=start, closed_at__lt=end
        ).order_by("closed_at", "pk")
    )
    # How each ended, by the statistics' one rule (stats.facts): the same case never earns a
    # subsidy as resolved while the figures count it otherwise.
    facts = facts_of(case.pk for case in cases)
    found = []
    for case in cases:
        fact = facts[case.pk]
        if fact.outcome == Outcome.RESOLVED:
            found.append(CaseLine(case, CaseOutcome.RESOLVED, fact.performed))
        elif fact.outcome == Outcome.FAILED:
            found.append(CaseLine(case, CaseOutcome.FAILED, False))
    return found


def _refresh_total(statement: SubsidyStatement, *, computed: bool = True) -> None:
    total = statement.lines.aggregate(t=Sum("amount"))["t"] or Decimal(0)
    statement.total = total
    extra = ["computed_at", "computed_by"] if computed else []
    statement.save(update_fields=["total", *extra])


def statement_compute(*, actor: Any, org: Organization, month: date) -> SubsidyStatement:
    """Compute (or recompute) ``org``'s statement of a finished month as a draft: a line per
    concluded case; correction lines already entered stay. An approved statement is frozen."""
    first = month_start(month)
    if first >= month_start(timezone.localdate()):
        raise MediatorRuleError(_("只能结算已经结束的月份。"))
    authorize(actor, policy.SUBSIDY, org)
    with transaction.atomic():
        statement, _created = SubsidyStatement.objects.select_for_update().get_or_create(
            org=org, month=first, defaults={"computed_by": actor}
        )
        statement.org = org
        authorize(actor, policy.PREPARE, statement)
        rules = list(SubsidyRule.objects.all())
        statement.lines.filter(kind=LineKind.CASE).delete()
        lines = []
        for found in concluded_cases(org, first):
            case = found.case
            if case.closed_at is None or case.handler_id is None:
                continue  # not possible by the query; keeps the types honest
            day = timezone.localdate(case.closed_at)
            rule = rule_for(
                rules,
                outcome=found.outcome,
                category=case.category,
                grade=case.grade,
                amount=case.amount,
                day=day,
            )
            base = rule.amount if rule else Decimal(0)
            bonus = (
                rule.performance_bonus
                if rule and found.performed and found.outcome == CaseOutcome.RESOLVED
                else Decimal(0)
            )
            lines.append(
                SubsidyLine(
                    statement=statement,
                    mediator_id=case.handler_id,
                    kind=LineKind.CASE,
                    case=case,
                    rule=rule,
                    outcome=found.outcome,
                    performed=found.performed,
                    base=base,
                    bonus=bonus,
                    amount=base + bonus,
                    note="" if rule else _("无适用的补贴标准"),
                    created_by=actor,
                )
            )
        SubsidyLine.objects.bulk_create(lines)
        statement.computed_at = timezone.now()
        statement.computed_by = actor
        _refresh_total(statement)
        audit_record(
            actor=actor,
            event_type=EventType.SUBSIDY_STATEMENT,
            obj=statement,
            after={"computed": True, "cases": len(lines), "total": str(statement.total)},
        )
    return statement


def _locked_statement(statement_id: int) -> SubsidyStatement:
    return (
        SubsidyStatement.objects.select_for_update(of=("self",))
        .select_related("org__region")
        .get(pk=statement_id)
    )


def statement_adjust(
    *,
    actor: Any,
    statement_id: int,
    mediator: Any,
    amount: Decimal,
    note: str,
    case: Case | None = None,
) -> SubsidyLine:
    """更正调整: a signed amount for a mediator of the org, with its reason (an earlier month
    paid too little or too much; the approved month itself never changes)."""
    amount = _amount(amount, _("调整金额"), signed=True)
    if amount == 0:
        raise MediatorRuleError(_("调整金额不能为0。"))
    if not note.strip():
        raise MediatorRuleError(_("请填写调整理由。"))
    with transaction.atomic():
        statement = _locked_statement(statement_id)
        authorize(actor, policy.PREPARE, statement)
        serves = Membership.objects.filter(
            person__user=mediator, org=statement.org, role__in=CASE_MEDIATOR_ROLES
        ).exists()
        if not serves:
            raise MediatorRuleError(_("该人员不是本单位的调解员。"))
        line = SubsidyLine.objects.create(
            statement=statement,
            mediator=mediator,
            kind=LineKind.ADJUSTMENT,
            case=case,
            amount=amount,
            note=note.strip(),
            created_by=actor,
        )
        # The computation's time and person stay: the correction's author is on its line, and
        # both have compiled the statement (neither may approve it, ``policy``).
        _refresh_total(statement, computed=False)
        audit_record(
            actor=actor,
            event_type=EventType.SUBSIDY_STATEMENT,
            obj=statement,
            after={"adjustment": str(amount), "mediator": mediator.pk, "note": line.note},
        )
    return line


def statement_approve(*, actor: Any, statement_id: int) -> SubsidyStatement:
    """审批: the statement is frozen from now on. Its compiler — who computed it or entered
    one of its lines — may not approve it (``policy``: separation of duties)."""
    with transaction.atomic():
        statement = _locked_statement(statement_id)
        authorize(actor, policy.APPROVE_STATEMENT, statement)
        statement.status = StatementStatus.APPROVED
        statement.approved_by = actor
        statement.approved_at = timezone.now()
        statement.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=actor,
            event_type=EventType.SUBSIDY_STATEMENT,
            obj=statement,
            after={"approved": True, "total": str(statement.total)},
        )
    return statement


@dataclass(frozen=True)
class ExportedFile:
    filename: str
    content: bytes
    content_type: str = XLSX_CONTENT_TYPE


def statement_export(*, actor: Any, statement_id: int) -> ExportedFile:
    """The approved statement as a watermarked workbook: a line per case or correction, then
    each mediator's total. No ID number or phone is in it; the export is audited."""
    statement = SubsidyStatement.objects.select_related("org__region").get(pk=statement_id)
    authorize(actor, policy.EXPORT, statement)
    now = timezone.localtime()
    lines = statement_lines(statement)
    title = _("%(org)s %(month)s 调解员案件补贴结算单") % {
        "org": statement.org.name,
        "month": f"{statement.month:%Y年%m月}",
    }
    rows: list[list[Any]] = [
        [
            line.mediator_name,  # type: ignore[attr-defined]
            line.case.number if line.case else "",
            line.case.get_category_display() if line.case else "",
            line.get_outcome_display() if line.outcome else line.get_kind_display(),
            _("是") if line.performed else "",
            line.rule.name if line.rule else "",
            line.base,
            line.bonus,
            line.amount,
            line.note,
        ]
        for line in lines
    ]
    rows.append([])
    for total in statement_totals(statement):
        rows.append([total.name, "", "", _("小计"), "", "", "", "", total.amount, ""])
    rows.append([_("合计"), "", "", "", "", "", "", "", statement.total, ""])
    content = table_workbook(
        title,
        [
            _("调解员"),
            _("案件编号"),
            _("纠纷类别"),
            _("调解结果"),
            _("履行完毕"),
            _("适用标准"),
            _("基本补贴（元）"),
            _("履行加发（元）"),
            _("金额（元）"),
            _("说明"),
        ],
        rows,
        preamble=[
            title,
            watermark_for(actor, now),
            _("审批人：%(who)s　审批时间：%(at)s")
            % {
                "who": getattr(statement.approved_by, "display_name", ""),
                "at": f"{timezone.localtime(statement.approved_at):%Y-%m-%d %H:%M}"
                if statement.approved_at
                else "",
            },
        ],
    )
    audit_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        obj=statement,
        after={"rows": len(lines), "total": str(statement.total)},
    )
    return ExportedFile(f"subsidy-{statement.org_id}-{statement.month:%Y%m}.xlsx", content)
