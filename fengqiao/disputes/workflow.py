"""The case workflow: one table of (state, action) → state, and the one function that applies it.

Nothing else writes ``Case.status``. ``docs/case-states.md`` is generated from ``TRANSITIONS``
(``manage.py case_state_diagram``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.disputes.choices import CaseAction as A
from fengqiao.disputes.choices import CaseStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REGISTERED, A.ASSESS): S.ASSESSED,
    (S.REGISTERED, A.REJECT): S.REFERRED_OUT,
    (S.ASSESSED, A.ASSESS): S.ASSESSED,
    (S.ASSESSED, A.DISPATCH): S.DISPATCHED,
    (S.ASSESSED, A.ESCALATE): S.ASSESSED,
    (S.ASSESSED, A.REJECT): S.REFERRED_OUT,
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.RETURN): S.ASSESSED,
    (S.ACCEPTED, A.START): S.MEDIATING,
    (S.ACCEPTED, A.RETURN): S.ASSESSED,
    (S.ACCEPTED, A.ESCALATE): S.ASSESSED,
    (S.ACCEPTED, A.REFER): S.REFERRED_OUT,
    (S.MEDIATING, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESUME): S.MEDIATING,
    (S.MEDIATING, A.AGREE): S.RESOLVED,
    (S.MEDIATING, A.FAIL): S.FAILED,
    (S.MEDIATING, A.ESCALATE): S.ASSESSED,
    (S.MEDIATING, A.REFER): S.REFERRED_OUT,
    (S.FAILED, A.REFER): S.REFERRED_OUT,
    (S.FAILED, A.ARCHIVE): S.ARCHIVED,
    (S.RESOLVED, A.ARCHIVE): S.ARCHIVED,
    (S.REFERRED_OUT, A.ARCHIVE): S.ARCHIVED,
    (S.WITHDRAWN, A.ARCHIVE): S.ARCHIVED,
}
# 撤回: any open state may be withdrawn.
for _state in (S.REGISTERED, S.ASSESSED, S.DISPATCHED, S.ACCEPTED, S.MEDIATING, S.SUSPENDED):
    TRANSITIONS[(_state, A.WITHDRAW)] = S.WITHDRAWN


class TransitionNotAllowed(Exception):
    """The action is not allowed from the case's current state."""

    def __init__(self, status: str, action: str) -> None:
        self.status, self.action = status, action
        super().__init__(
            _("案件当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": S(status).label, "action": A(action).label}
        )


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionNotAllowed(status, action) from None


def allowed_actions(status: str) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == status]


def mermaid() -> str:
    """The state diagram, generated from the table."""
    lines = ["stateDiagram-v2"]
    for (state, action), target in TRANSITIONS.items():
        lines.append(f"    {state} --> {target}: {A(action).label}")
    return "\n".join(lines)
