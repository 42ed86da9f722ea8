"""三员分立: the system admin cannot take over the security admin's or the auditor's account."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts import resets, services
from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent


@pytest.mark.parametrize("target", ["security_admin", "auditor"])
def test_system_admin_cannot_reset_or_disable_the_other_admins(
    cast: Any, client: Client, target: str
) -> None:
    victim = getattr(cast, target)
    client.force_login(cast.system_admin)

    reset = client.post(
        f"/accounts/users/{victim.pk}/password/", {"password": "Takeover-Passw0rd!"}
    )
    edit = client.post(
        f"/accounts/users/{victim.pk}/edit/",
        {"real_name": victim.real_name, "phone": "", "is_active": ""},
    )

    assert reset.status_code == 400
    assert "三员分立" in reset.content.decode()
    assert edit.status_code == 400
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    assert victim.is_active
    assert not AuditEvent.objects.filter(
        object_id=str(victim.pk),
        event_type__in=[EventType.PASSWORD_RESET, EventType.USER_UPDATED],
    ).exists()


def test_system_admin_still_resets_ordinary_accounts_and_admins_change_their_own(
    cast: Any,
) -> None:
    resets.password_reset_start(actor=cast.system_admin, user=cast.mediator_east)
    services.user_set_password(actor=cast.auditor, user=cast.auditor, password="Own-Passw0rd-2026!")
    cast.mediator_east.refresh_from_db()
    assert not cast.mediator_east.has_usable_password()
    cast.auditor.refresh_from_db()
    assert cast.auditor.check_password("Own-Passw0rd-2026!")
