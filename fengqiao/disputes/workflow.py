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
    """The state diagram, generated from the table (states named in Chinese)."""
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{status.label}" as {status.value}' for status in S]
    lines.append(f"    [*] --> {S.REGISTERED.value}")
    for (state, action), target in TRANSITIONS.items():
        lines.append(f"    {S(state).value} --> {S(target).value}: {A(action).label}")
    lines.append(f"    {S.ARCHIVED.value} --> [*]")
    return "\n".join(lines)


def state_document() -> str:
    """docs/case-states.md: the diagram and the table it is drawn from."""
    rows = [
        f"| {S(state).label} `{S(state).value}` | {A(action).label} `{A(action).value}` "
        f"| {S(target).label} `{S(target).value}` |"
        for (state, action), target in TRANSITIONS.items()
    ]
    return "\n".join(
        [
            "# 案件状态 — case states",
            "",
            "Generated from `fengqiao/disputes/workflow.py` (`TRANSITIONS`) by",
            "`python manage.py case_state_diagram > docs/case-states.md`; a test fails when this",
            "file and the table differ. Edit the table, not this file.",
            "",
            "Any (state, action) pair not listed is refused with `TransitionNotAllowed`.",
            "Accepting or declining a 交办单 while the case is already handled (a coordinating",
            "org joining a joint mediation) does not change the state and is not listed.",
            "Beyond the table, 开始调解 and 达成协议 need every applicant's and respondent's",
            "consent and the rights notice (人民调解法 arts. 17, 23); a party's refusal stops",
            "both and the case page offers 转出 instead.",
            "",
            "上报 goes one level up from where the case is handled: the org handling it below",
            "its platform (a village committee handling a township's case) hands it back to that",
            "platform, which re-dispatches it or escalates it again; the platform, or an org at",
            "the platform's level, hands it to the platform above (village → township → county).",
            "",
            "```mermaid",
            mermaid(),
            "```",
            "",
            "| 状态 state | 动作 action | 新状态 new state |",
            "|---|---|---|",
            *rows,
            "",
        ]
    )
