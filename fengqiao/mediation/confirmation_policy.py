"""Who may ask the parties to confirm an agreement: one function, ``agreement_may``, that the
case page's panel asks (whether to offer 请当事人确认) and the service asks (whether to do it).

- ``REQUEST`` (``obj``: the case): the handling org's mediators while the case stands resolved
  with its agreement (``disputes.policy`` ``FULFIL``: they follow the agreement until the
  case is filed).

Parties have no account: they hold the link sent to their phone
(``confirmations.invite_check``), never a policy action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import FULFIL, case_may

REQUEST = "request"


def _has_agreement(case: Case) -> bool:
    try:
        return case.agreement is not None
    except ObjectDoesNotExist:
        return False


def agreement_may(actor: Any, action: str, case: Case) -> bool:
    """Whether ``actor`` may take ``action`` on the agreement of ``case``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action == REQUEST:
        return _has_agreement(case) and case_may(actor, case, FULFIL)
    return False
