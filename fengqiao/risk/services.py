"""风险评定: the grade a case takes, asked by disputes (``disputes.hooks.risk_grade``) when it
registers a case (every intake channel), when 研判 changes its facts and when a 重复反映 adds to
them. A person's grade different from the computed one is an override: it is recorded with
its reason (the 研判意见), audited and written on the timeline, and stands until the facts
change materially — until the set of rules that fire is no longer the one it was made against
(docs/risk.md)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import record_event
from fengqiao.risk.alerts import rises_to_warning, warning_raise
from fengqiao.risk.choices import RiskAction
from fengqiao.risk.engine import Grading, current_ruleset, evaluate
from fengqiao.risk.models import RiskAssessment
from fengqiao.risk.policy import OPEN_EMERGENCY, warning_may
from fengqiao.risk.selectors import assessment_for, case_emergencies, case_facts, case_warnings


def grade_case(case: Case) -> Grading:
    """The grade the rules give ``case`` now, with the rules that fired (nothing written)."""
    return evaluate(current_ruleset(), case_facts(case))


def _reasons(grading: Grading) -> str:
    return "；".join(f.reason for f in grading.fired) or _("未触发任何风险规则")


def _is_user(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False)


def risk_grade(
    case: Case,
    *,
    actor: Any,
    chosen: str | None = None,
    reason: str = "",
    registering: bool = False,
) -> str:
    """Grade ``case`` (registered or locked by the caller, in its transaction) and return the
    grade it carries: the computed one, or an override that still stands.

    ``chosen`` is the grade a person (研判) gave it with ``reason`` (the 研判意见): equal to
    the computed grade it ends any override; different, it becomes the override (recorded on
    the timeline with the reason, audited) unless it is the standing override kept as it was.
    ``registering``: the case is new (no earlier assessment or 重复反映 to read)."""
    # A case being registered has no assessment and no 重复反映 yet: two reads saved on intake.
    assessment = (
        None
        if registering
        else RiskAssessment.objects.select_for_update().filter(case=case).first()
    )
    facts = case_facts(case, new=registering)
    grading = evaluate(current_ruleset(), facts)
    codes = sorted(f.code for f in grading.fired)
    fired = [f.as_dict() for f in grading.fired]
    now = timezone.now()
    first = assessment is None
    if assessment is None:
        assessment = RiskAssessment(case=case, computed_grade=grading.grade)
    # A first grading that found nothing is not worth a line on the timeline; any later change
    # of grade or reasons is.
    if first:
        changed = bool(fired)
    else:
        changed = assessment.computed_grade != grading.grade or assessment.fired != fired
    before = assessment.grade
    if assessment.override_grade and sorted(assessment.override_basis) != codes:
        record_event(
            case,
            actor=actor,
            action=RiskAction.OVERRIDE_LAPSED,
            from_status="",
            to_status="",
            note=_("触发的风险规则已变化，人工调整的等级（%(g)s）不再适用，按系统评定。")
            % {"g": RiskGrade(assessment.override_grade).label},
            data={"override_grade": assessment.override_grade, "fired": codes},
        )
        _clear_override(assessment)
    assessment.computed_grade, assessment.fired, assessment.assessed_at = grading.grade, fired, now
    if changed:
        record_event(
            case,
            actor=actor,
            action=RiskAction.GRADE,
            from_status="",
            to_status="",
            note=_("系统评定风险等级：%(g)s（%(r)s）")
            % {"g": RiskGrade(grading.grade).label, "r": _reasons(grading)},
            data={"grade": grading.grade, "fired": codes},
        )
    if chosen is not None:
        _apply_choice(case, assessment, actor=actor, chosen=chosen, reason=reason, codes=codes)
    assessment.save()
    # A grade that rises to 高 or 重大 (a new case graded so, new facts, or a person's
    # override) warns the 属地 and 属事 orgs (alerts.py).
    if rises_to_warning(None if first else before, assessment.grade):
        reasons = [f.reason for f in grading.fired]
        if assessment.override_grade:
            reasons.append(_("人工调整：%(r)s") % {"r": assessment.override_reason or _("未说明")})
        warning_raise(case, grade=assessment.grade, reasons=reasons, facts=facts, actor=actor)
    if assessment.grade != before and not first:
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            before={"grade": before},
            after={"grade": assessment.grade, "computed_grade": grading.grade, "fired": codes},
        )
    return assessment.grade


def _clear_override(assessment: RiskAssessment) -> None:
    assessment.override_grade, assessment.override_reason = "", ""
    assessment.override_by, assessment.override_at, assessment.override_basis = None, None, []


def _apply_choice(
    case: Case,
    assessment: RiskAssessment,
    *,
    actor: Any,
    chosen: str,
    reason: str,
    codes: list[str],
) -> None:
    if chosen == assessment.computed_grade:
        _clear_override(assessment)
        return
    if chosen == assessment.override_grade:
        # The standing override, kept as it was (研判 saved again for other fields).
        return
    reason = reason.strip()
    if not reason:
        raise CaseRuleError(
            _("系统评定的风险等级为“%(c)s”；调整为“%(g)s”须在研判意见中写明理由。")
            % {"c": RiskGrade(assessment.computed_grade).label, "g": RiskGrade(chosen).label}
        )
    assessment.override_grade, assessment.override_reason = chosen, reason
    assessment.override_by = actor if _is_user(actor) else None
    assessment.override_at, assessment.override_basis = timezone.now(), codes
    record_event(
        case,
        actor=actor,
        action=RiskAction.OVERRIDE,
        from_status="",
        to_status="",
        note=_("风险等级由系统评定的“%(c)s”调整为“%(g)s”，理由：%(r)s")
        % {
            "c": RiskGrade(assessment.computed_grade).label,
            "g": RiskGrade(chosen).label,
            "r": reason,
        },
        data={"computed_grade": assessment.computed_grade, "grade": chosen, "fired": codes},
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_UPDATED,
        obj=case,
        before={"computed_grade": assessment.computed_grade},
        after={"override_grade": chosen, "override_reason": reason},
    )


def case_panel_context(user: Any, case: Any) -> dict[str, Any]:
    """The case page's 风险研判 panel: the computed grade, the rules that fired, the override,
    the case's warnings and emergency responses, and whether the user may open one."""
    return {
        "risk_assessment": assessment_for(case),
        "risk_warnings": case_warnings(case),
        "risk_emergencies": case_emergencies(case),
        "may_open_emergency": warning_may(user, OPEN_EMERGENCY, case),
    }
