"""The alarm button on every page (for those who may raise one) and, for a police station's
users, the alarms waiting for them. No query unless the page shows them: the grants are
already loaded for the request; the open alarms are read lazily."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fengqiao.accounts.access import orgs_with
from fengqiao.alarms.policy import RAISE, alarm_may
from fengqiao.alarms.selectors import open_alarms_received
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.orgs.choices import OrgFamily


def alarm_button(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict[str, Any] = {}
    if alarm_may(user, RAISE):
        # A fresh key per page: tapping twice sends the same key, which raises one alarm.
        context["alarm_token"] = uuid.uuid4().hex
    if any(org.kind.family == OrgFamily.POLICE for org in orgs_with(user, VIEW_CASE)):
        context["alarms_waiting"] = SimpleLazyObject(lambda: open_alarms_received(user))
    return context
