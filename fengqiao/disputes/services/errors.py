"""What the case services raise and take: ``CaseRuleError`` (a business rule refused the
request; its message is shown), ``StaleCase`` (someone moved the case since the form was
rendered) and ``PartyInput`` (a party as an intake report gives it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fengqiao.disputes.choices import PartyKind
from fengqiao.disputes.models import Case


class StaleCase(Exception):
    """Someone else changed the case after the user's form was rendered."""

    def __init__(self, case: Case) -> None:
        self.case = case
        super().__init__(
            _("案件%(number)s已被他人处理（当前状态：%(status)s），请刷新页面后再操作。")
            % {"number": case.number, "status": case.get_status_display()}
        )


class CaseRuleError(Exception):
    """A business rule refused the request; the message is shown to the user."""


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
