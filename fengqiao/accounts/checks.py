"""The built-in roles name other apps' permissions as text (accounts sits below those apps and
imports none of them): each must be a real permission, or ``manage.py check`` fails."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error

from fengqiao.accounts.roles import ADMIN_DEFINING_PERMS, BUILTIN_ROLES, REFERENCE_MODELS
from fengqiao.core.checks import declared_permissions


def check_builtin_role_permissions(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    known = declared_permissions()
    models = {model._meta.label_lower for model in apps.get_models()}
    errors: list[CheckMessage] = []
    named = [(str(role), code) for role, spec in BUILTIN_ROLES.items() for code in spec["perms"]]
    named += [("ADMIN_DEFINING_PERMS", code) for code in ADMIN_DEFINING_PERMS]
    for where, code in named:
        if code not in known:
            errors.append(
                Error(
                    f"accounts.roles: {where} names {code!r}, which is no permission of any model.",
                    id="fengqiao.E002",
                )
            )
    for model in sorted(REFERENCE_MODELS - models):
        errors.append(
            Error(f"accounts.roles.REFERENCE_MODELS names {model!r}, no model.", id="fengqiao.E002")
        )
    return errors
