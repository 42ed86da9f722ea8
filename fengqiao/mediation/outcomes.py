"""How mediation ends and after: 达成协议 (人民调解法 arts. 28, 29), 调解不成 with the undisputed
facts, 回访 and 更正回访. Each is a case write through the disputes machinery (``transition``,
``lock_case``, ``record_event``): one transaction, the case row locked, the workflow table
applied, a timeline and an audit event written with it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.choices import CaseAction
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import FOLLOW_UP, FOLLOW_UP_CORRECT, OTHER_SIDES, require_consent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    authorize,
    bump_version,
    check_version,
    lock_case,
    record_event,
    transition,
)
from fengqiao.mediation.choices import AgreementKind, MediationAction
from fengqiao.mediation.models import Agreement, Failure, FollowUp


def case_agree(
    *,
    actor: Any,
    case_id: int,
    version: int | None,
    kind: str,
    terms: str,
    facts: str = "",
    disputed_points: str = "",
    responsibilities: str = "",
    performance_method: str = "",
    performance_place: str = "",
    performance_deadline: date | None = None,
) -> Case:
    """达成协议 — written (人民调解法 art. 29) or oral (art. 28), with every party's consent
    still standing and the rights notice given (a party may withdraw consent mid-way)."""
    if not terms.strip():
        raise CaseRuleError(_("协议内容不能为空。"))
    if kind == AgreementKind.WRITTEN and not (facts.strip() and disputed_points.strip()):
        # 人民调解法 art. 29: a written agreement states the facts and the points in dispute.
        raise CaseRuleError(_("书面调解协议须载明纠纷的主要事实和争议事项。"))

    def apply(case: Case) -> None:
        require_consent(case, CaseAction.AGREE)
        Agreement.objects.create(
            case=case,
            kind=kind,
            terms=terms,
            facts=facts,
            disputed_points=disputed_points,
            responsibilities=responsibilities,
            performance_method=performance_method,
            performance_place=performance_place,
            performance_deadline=performance_deadline,
        )
        if case.handling_org is not None:
            # 化解层级: the level of the org that resolved it ("小事不出村、大事不出镇").
            case.resolved_level = case.handling_org.region.level

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.AGREE,
        version=version,
        apply=apply,
        data={"kind": kind},
    )


def case_fail(
    *, actor: Any, case_id: int, version: int | None, undisputed_facts: str, note: str = ""
) -> Case:
    """调解不成 — with the undisputed facts (无争议事实记载), kept for the court or whoever
    takes the case next."""
    facts = undisputed_facts.strip()
    if not facts:
        raise CaseRuleError(_("调解不成须填写无争议事实记载（双方均无异议的事实）。"))

    def apply(case: Case) -> None:
        Failure.objects.create(
            case=case,
            undisputed_facts=facts,
            note=note.strip(),
            recorded_by=actor if isinstance(actor, User) else None,
        )

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.FAIL,
        version=version,
        note=note,
        apply=apply,
        data={"undisputed_facts": facts},
    )


def follow_up_record(
    *, actor: Any, case_id: int, satisfaction: int, comment: str = "", version: int | None = None
) -> FollowUp:
    """回访 — satisfaction 1–5 and the parties' comments."""
    if not 1 <= satisfaction <= 5:
        raise CaseRuleError(_("满意度应为1至5分。"))
    with transaction.atomic():
        case = lock_case(actor, case_id)
        check_version(
            case, actor, FOLLOW_UP, version, note=comment, data={"satisfaction": satisfaction}
        )
        if case.is_open:
            raise CaseRuleError(_("案件办结后才能回访。"))
        authorize(actor, case, OTHER_SIDES[FOLLOW_UP])
        visit = FollowUp.objects.create(
            case=case, visitor=actor, satisfaction=satisfaction, comment=comment
        )
        record_event(
            case,
            actor=actor,
            action=MediationAction.FOLLOW_UP,
            from_status=case.status,
            to_status=case.status,
            note=comment,
            data={"from_version": bump_version(case), "satisfaction": satisfaction},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            after={"follow_up": satisfaction},
        )
    return visit


def follow_up_correct(
    *,
    actor: Any,
    follow_up_id: int,
    satisfaction: int,
    comment: str,
    reason: str,
    version: int | None = None,
) -> FollowUp:
    """更正回访 — a visit recorded wrongly is corrected, never deleted: by whoever may record a
    visit on the case, with a reason; the timeline and the audit log keep what it said before."""
    if not 1 <= satisfaction <= 5:
        raise CaseRuleError(_("满意度应为1至5分。"))
    if not reason.strip():
        raise CaseRuleError(_("更正回访须说明理由。"))
    case_id = FollowUp.objects.filter(pk=follow_up_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseRuleError(_("该回访记录不存在。"))
    with transaction.atomic():
        case = lock_case(actor, case_id)
        check_version(
            case,
            actor,
            FOLLOW_UP_CORRECT,
            version,
            note=reason,
            data={"follow_up": follow_up_id, "satisfaction": satisfaction},
        )
        authorize(actor, case, OTHER_SIDES[FOLLOW_UP])
        visit = FollowUp.objects.select_for_update().get(pk=follow_up_id, case=case)
        before = {"satisfaction": visit.satisfaction, "comment": visit.comment}
        after = {"satisfaction": satisfaction, "comment": comment}
        if before == after:
            raise CaseRuleError(_("更正内容与原记录相同，未作更改。"))
        visit.satisfaction, visit.comment = satisfaction, comment
        visit.save(update_fields=["satisfaction", "comment"])
        data = {
            "from_version": bump_version(case),
            "follow_up": visit.pk,
            "from_satisfaction": before["satisfaction"],
            "satisfaction": satisfaction,
            "reason": reason,
        }
        record_event(
            case,
            actor=actor,
            action=MediationAction.FOLLOW_UP_CORRECT,
            from_status=case.status,
            to_status=case.status,
            note=reason,
            data=data,
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            before={"follow_up": visit.pk, **before},
            after={"follow_up": visit.pk, **after, "reason": reason},
        )
    return visit
