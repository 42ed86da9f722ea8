"""The admin lists keys (never their digest) and revokes them through the service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.accounts.tests.factories import grant
from fengqiao.api.choices import ApiScope
from fengqiao.api.models import ApiKey
from fengqiao.api.services import api_key_create
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent


def test_system_admin_with_key_permissions_lists_and_revokes(cast: Any, world: Any) -> None:
    key, _token = api_key_create(
        actor=None,
        name="热线对接",
        org=world.town_a_platform,
        user=cast.dispatcher,
        scopes=[ApiScope.CASES_READ],
    )
    role = Role.objects.create(code="api_keys", name="API 密钥管理", scope="all")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="api", codename__in=["view_apikey", "change_apikey"]
        )
    )
    grant(cast.system_admin, "api_keys")
    client = Client()
    client.force_login(cast.system_admin)
    page = client.get("/admin/api/apikey/")
    assert page.status_code == 200
    assert "热线对接" in page.content.decode()
    detail = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert key.secret_hash not in detail
    response = client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == cast.system_admin
    assert AuditEvent.objects.filter(
        event_type=EventType.API_KEY_REVOKED, actor=cast.system_admin
    ).exists()


def test_dispatcher_cannot_open_the_key_admin(cast: Any, world: Any) -> None:
    client = Client()
    client.force_login(cast.dispatcher)
    response = client.get("/admin/api/apikey/")
    assert response.status_code == 302
    assert ApiKey.objects.count() == 0
