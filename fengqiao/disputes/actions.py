"""The actions a user takes on a case from its page, each declared once: the form that parses
it, the service it calls, the policy action (``policy.case_may``) that decides whether it is
offered and what the page says when it is done. (Its words are the timeline's:
``timeline.action_label``.)

The form hands the service its keyword arguments itself (``CaseActionForm.service_kwargs``):
there is no adapter between a form and its service. One view (``views.case_act``) runs every
action the same way: the form's version reaches the service, so a stale submit is refused and
the same submit again is answered 本次重复提交未再保存, never "saved".

Apps above disputes (mediation) add their actions with ``register``, their part of the case
page with ``register_panel`` and their part of 我的工作 with ``register_work_panel`` from their
``AppConfig.ready``: disputes never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fengqiao.disputes import forms, policy
from fengqiao.disputes.choices import CaseAction
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import (
    case_assess,
    case_dispatch_with_tasks,
    case_escalate,
)
from fengqiao.disputes.services.handling import (
    case_extend,
    case_resume,
    case_suspend,
    mediation_start,
)
from fengqiao.disputes.services.outcomes import (
    case_archive,
    case_refer,
    case_reject,
    case_withdraw,
)


@dataclass(frozen=True)
class ActionSpec:
    """One action on a case. ``name`` is its address (``/cases/<pk>/act/<name>/``) and the
    key of its form on the page; ``policy`` the action ``case_may`` is asked about; ``panel``
    the panel that shows its form ("": the actions column); ``prefix`` the form's prefix
    (field names in a panel, where several forms share one page section)."""

    name: str
    form: type[forms.CaseActionForm]
    service: Callable[..., object]
    policy: str
    done: Any
    ending: bool = False
    panel: str = ""
    prefix: str | None = None

    def make_form(
        self, case: Case, user: Any, data: Any = None, files: Any = None
    ) -> forms.CaseActionForm:
        auto_id = "id_%s" if self.prefix else f"id_{self.name}_%s"
        return self.form(data, files, case=case, user=user, prefix=self.prefix, auto_id=auto_id)

    def run(self, user: Any, form: forms.CaseActionForm) -> object:
        """Call the service with what the (valid) form parsed."""
        return self.service(actor=user, **form.service_kwargs())


@dataclass(frozen=True)
class Panel:
    """A section of the case page an app above disputes renders: ``context(user, case)``
    gives what its template needs beside the action forms."""

    template: str
    context: Callable[[Any, Case], dict[str, Any]]


@dataclass(frozen=True)
class WorkPanel:
    """A section of 我的工作 an app above disputes renders: ``context(user)`` gives what its
    template needs (an empty dict: nothing to show this user)."""

    template: str
    context: Callable[[Any], dict[str, Any]]


_actions: dict[str, ActionSpec] = {}
_panels: list[Panel] = []
_work_panels: list[WorkPanel] = []


def register(*specs: ActionSpec) -> None:
    """Declare actions; a name already taken by another action is refused."""
    for spec in specs:
        known = _actions.get(spec.name)
        if known is not None and known != spec:
            raise ImproperlyConfigured(f"case action {spec.name!r} is declared twice")
        _actions[spec.name] = spec


def register_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def register_work_panel(panel: WorkPanel) -> None:
    if panel not in _work_panels:
        _work_panels.append(panel)


def work_panels() -> list[WorkPanel]:
    return list(_work_panels)


def get(name: str) -> ActionSpec | None:
    return _actions.get(name)


def all_actions() -> list[ActionSpec]:
    return list(_actions.values())


def panels() -> list[Panel]:
    return list(_panels)


register(
    ActionSpec(
        "assess",
        forms.AssessForm,
        case_assess,
        CaseAction.ASSESS,
        _("研判结果已保存。"),
    ),
    ActionSpec(
        "dispatch",
        forms.DispatchForm,
        case_dispatch_with_tasks,
        CaseAction.DISPATCH,
        _("已交办。"),
    ),
    ActionSpec(
        "escalate",
        forms.EscalateForm,
        case_escalate,
        CaseAction.ESCALATE,
        _("已上报上级平台。"),
    ),
    ActionSpec(
        "start",
        forms.NoteForm,
        mediation_start,
        CaseAction.START,
        _("已开始调解。"),
    ),
    ActionSpec(
        "suspend",
        forms.SuspendForm,
        case_suspend,
        CaseAction.SUSPEND,
        _("调解已中止，期限暂停计算。"),
    ),
    ActionSpec(
        "resume",
        forms.NoteForm,
        case_resume,
        CaseAction.RESUME,
        _("调解已恢复。"),
    ),
    ActionSpec("extend", forms.ExtendForm, case_extend, policy.EXTEND, _("调解期限已延长。")),
    ActionSpec(
        "refer",
        forms.ReferForm,
        case_refer,
        CaseAction.REFER,
        _("案件已转出。"),
    ),
    # 不予受理 and 撤回 end the case without mediating it: shown last and in red.
    ActionSpec(
        "reject",
        forms.RejectForm,
        case_reject,
        CaseAction.REJECT,
        _("已不予受理。"),
        ending=True,
    ),
    ActionSpec(
        "withdraw",
        forms.WithdrawForm,
        case_withdraw,
        CaseAction.WITHDRAW,
        _("案件已撤回。"),
        ending=True,
    ),
    ActionSpec(
        "archive",
        forms.ArchiveForm,
        case_archive,
        CaseAction.ARCHIVE,
        _("案件已归档。"),
    ),
)
