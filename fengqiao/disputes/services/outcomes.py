"""How a case ends without mediation's outcome: 转出, 不予受理, 撤回, and 立卷归档 (协议, 调解不成
and 回访 are mediation's: ``mediation.outcomes``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import CaseAction, ReferralTarget
from fengqiao.disputes.models import ArchiveCounter, Case, Referral
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import take_next, transition
from fengqiao.orgs.models import Organization


def _referral(
    case: Case, *, actor: Any, action: str, target: str, receiver: str, note: str
) -> Referral:
    return Referral.objects.create(
        case=case,
        action=action,
        target=target,
        receiver=receiver,
        note=note.strip(),
        referred_by=actor if isinstance(actor, User) else None,
    )


def case_refer(
    *, actor: Any, case_id: int, version: int | None, target: str, receiver: str, note: str = ""
) -> Case:
    """转出 — litigation, arbitration, administrative, police or 信访, with who receives it."""
    if target not in ReferralTarget.values:
        raise CaseRuleError(_("请选择转出方向（诉讼、仲裁、行政处理、公安机关或信访部门）。"))
    receiver = receiver.strip()
    if not receiver:
        raise CaseRuleError(_("请填写接收单位。"))

    def apply(case: Case) -> None:
        _referral(
            case, actor=actor, action=CaseAction.REFER, target=target, receiver=receiver, note=note
        )

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REFER,
        version=version,
        note=note,
        apply=apply,
        data={"target": target, "receiver": receiver},
    )


def case_reject(
    *, actor: Any, case_id: int, version: int | None, reason: str, receiver: str = ""
) -> Case:
    """不予受理 — not mediable (e.g. already in litigation); referred to where it belongs."""
    if not reason.strip():
        raise CaseRuleError(_("请说明不予受理的理由。"))
    receiver = receiver.strip()

    def apply(case: Case) -> None:
        _referral(
            case, actor=actor, action=CaseAction.REJECT, target="", receiver=receiver, note=reason
        )

    return transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.REJECT,
        version=version,
        note=reason,
        apply=apply,
        data={"receiver": receiver},
    )


def case_withdraw(*, actor: Any, case_id: int, version: int | None, reason: str) -> Case:
    if not reason.strip():
        raise CaseRuleError(_("撤回须说明理由。"))
    """撤回 — the applicant withdraws; pending orders and running deadlines are cancelled."""
    return transition(
        actor=actor, case_id=case_id, action=CaseAction.WITHDRAW, version=version, note=reason
    )


def _archive_number(org: Organization, year: int) -> str:
    seq = take_next(ArchiveCounter, org=org, year=year)
    return f"（{year}）{org.region.name[:2]}人调字第{seq}号"


def case_archive(*, actor: Any, case_id: int, version: int | None) -> Case:
    """立卷归档 — with a file number like （2026）枫溪人调字第12号."""

    def apply(case: Case) -> None:
        org = case.handling_org or case.platform
        case.archive_number = _archive_number(org, timezone.localtime().year)

    return transition(
        actor=actor, case_id=case_id, action=CaseAction.ARCHIVE, version=version, apply=apply
    )
