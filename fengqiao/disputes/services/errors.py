"""What the case services raise and take: ``CaseRuleError`` (a business rule refused the
request; its message is shown), ``StaleCase`` (someone moved the case since the form was
rendered) and ``PartyInput`` (a party as an intake report gives it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fengqiao.core.validators import validate_multiline
from fengqiao.disputes.choices import PartyKind
from fengqiao.disputes.models import Case


class StaleCase(Exception):
    """The case changed after the user's form was rendered: nothing was saved. ``changes``
    says what changed since and who did it; ``by_self`` when it was the same user (in another
    tab, with different content)."""

    def __init__(self, case: Case, changes: Sequence[str] = (), *, by_self: bool = False) -> None:
        self.case = case
        self.changes = list(changes)
        values = {"number": case.number, "status": case.get_status_display()}
        if by_self:
            message = (
                _(
                    "案件%(number)s已在另一页面中办理（当前状态：%(status)s），本次提交与之不同，未保存。"
                )
                % values
            )
        else:
            message = (
                _("案件%(number)s已被他人处理（当前状态：%(status)s），本次提交未保存。") % values
            )
        if self.changes:
            message += _("打开页面后的变化：%(changes)s。") % {"changes": "；".join(self.changes)}
        super().__init__(message + _("请刷新页面后再操作。"))


class AlreadyDone(StaleCase):
    """The same request arrived again (a double click, a resubmitted form): it was done once,
    and nothing was saved the second time."""

    def __init__(self, case: Case, what: str, at: str) -> None:
        self.case = case
        self.changes = []
        Exception.__init__(
            self,
            _("案件%(number)s的“%(what)s”已于%(at)s办理，本次重复提交未再保存。")
            % {"number": case.number, "what": what, "at": at},
        )


class CaseRuleError(Exception):
    """A business rule refused the request; the message is shown to the user."""


NOTE_MAX = 2000


def required_note(value: str, *, missing: str, limit: int = NOTE_MAX) -> str:
    """A note a person writes (a comment, a measure, a summary): stripped, required (``missing``
    is the message when empty), at most ``limit`` characters, no control characters. The forms
    check the same; the API and the tasks come here directly."""
    value = (value or "").strip()
    if not value:
        raise CaseRuleError(missing)
    if len(value) > limit:
        raise CaseRuleError(_("内容不能超过%(n)s字。") % {"n": limit})
    try:
        validate_multiline(value)
    except ValidationError as exc:
        raise CaseRuleError(" ".join(exc.messages)) from exc
    return value


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
