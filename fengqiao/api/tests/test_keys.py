"""Creating and revoking API keys: the token is shown once and never stored; both are audited."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from fengqiao.accounts.models import Role
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.api.choices import ApiScope
from fengqiao.api.models import ApiKey
from fengqiao.api.selectors import api_key_for_token
from fengqiao.api.services import ApiKeyError, api_key_create, api_key_revoke
from fengqiao.api.tests.conftest import ApiClient
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent


def test_token_is_returned_once_and_only_its_digest_is_kept(cast: Any, world: Any) -> None:
    key, token = api_key_create(
        actor=None,
        name="12345热线对接",
        org=world.town_a_platform,
        user=cast.dispatcher,
        scopes=[ApiScope.CASES_WRITE, ApiScope.CASES_READ, ApiScope.CASES_READ],
    )
    assert token.startswith(f"fq_{key.prefix}_")
    secret = token.split("_", 2)[2]
    assert len(secret) == 48
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    assert key.scopes == ["cases:read", "cases:write"]
    assert api_key_for_token(token) == key
    event = AuditEvent.objects.get(event_type=EventType.API_KEY_CREATED)
    assert event.object_id == str(key.pk)
    assert event.after is not None
    assert event.after["prefix"] == key.prefix
    assert secret not in str(event.after)


def test_refused_keys(cast: Any, world: Any) -> None:
    def create(**kwargs: Any) -> Any:
        params: dict[str, Any] = {
            "actor": None,
            "name": "对接",
            "org": world.town_a_platform,
            "user": cast.dispatcher,
            "scopes": [ApiScope.CASES_READ],
            **kwargs,
        }
        return api_key_create(**params)

    with pytest.raises(ApiKeyError, match="权限范围无效"):
        create(scopes=["cases:delete"])
    with pytest.raises(ApiKeyError, match="权限范围无效"):
        create(scopes=[])
    with pytest.raises(ApiKeyError, match="名称"):
        create(name="  ")
    # The acting user must hold a role at the key's org.
    with pytest.raises(ApiKeyError, match="没有角色"):
        create(user=cast.mediator_east)
    # Managing keys takes the api permissions: the system admin's role carries them, no other.
    for name, user in cast.all().items():
        if name == "system_admin":
            continue
        with pytest.raises(PermissionDenied):
            create(actor=user)
    assert not ApiKey.objects.exists()
    key, _secret = create(actor=cast.system_admin)
    assert key.pk is not None


def test_an_admin_given_the_permission_creates_and_revokes(cast: Any, world: Any) -> None:
    role = Role.objects.create(code="api_admin", name="接口管理", scope="all")
    role.permissions.set(
        Permission.objects.filter(content_type__app_label="api", codename__endswith="_apikey")
    )
    admin = UserFactory(username="api_admin")
    grant(admin, "api_admin")
    key, _token = api_key_create(
        actor=admin,
        name="对接",
        org=world.town_a_platform,
        user=cast.dispatcher,
        scopes=[ApiScope.CASES_READ],
    )
    assert key.created_by == admin
    with pytest.raises(PermissionDenied):
        api_key_revoke(actor=cast.dispatcher, key_id=key.pk)
    key = api_key_revoke(actor=admin, key_id=key.pk)
    assert key.revoked_at is not None
    assert key.revoked_by == admin
    # Revoking again changes nothing and writes no second event.
    api_key_revoke(actor=admin, key_id=key.pk)
    assert AuditEvent.objects.filter(event_type=EventType.API_KEY_REVOKED).count() == 1


def test_create_api_key_command_prints_a_working_token(cast: Any, world: Any) -> None:
    out = StringIO()
    call_command(
        "create_api_key",
        name="法院对接",
        org=world.town_a_platform.pk,
        user=cast.dispatcher.username,
        scope=["cases:read"],
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("fq_")
    assert ApiClient(token).get("/cases").status_code == 200
    with pytest.raises(CommandError, match="没有角色"):
        call_command(
            "create_api_key",
            name="x",
            org=world.committee_west.pk,
            user=cast.dispatcher.username,
            scope=["cases:read"],
            stdout=StringIO(),
        )
