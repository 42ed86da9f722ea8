"""投诉处理's one transition table: 受理 → 调查 → 处理 (``services.complaint_*`` apply it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.mediators.choices import ComplaintStatus
from fengqiao.mediators.errors import MediatorRuleError

COMPLAINT_TRANSITIONS: dict[tuple[str, str], str] = {
    (ComplaintStatus.RECEIVED, "investigate"): ComplaintStatus.INVESTIGATING,
    (ComplaintStatus.INVESTIGATING, "conclude"): ComplaintStatus.CONCLUDED,
}


def complaint_actions(status: str) -> list[str]:
    return [action for (before, action) in COMPLAINT_TRANSITIONS if before == status]


def complaint_next_status(status: str, action: str) -> str:
    try:
        return COMPLAINT_TRANSITIONS[(status, action)]
    except KeyError:
        raise MediatorRuleError(_("投诉当前状态下不能进行该操作。")) from None
