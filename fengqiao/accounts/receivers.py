"""Audit of Django's own login/logout signals (the session itself is Django's)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, event_type=EventType.LOGIN, obj=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, event_type=EventType.LOGOUT, obj=user)


def create_builtin_roles(sender: Any, **kwargs: Any) -> None:
    """Runs once per migrate, after the last app with models, when every permission exists."""
    from django.apps import apps

    from fengqiao.accounts.roles import ensure_builtin_roles

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        ensure_builtin_roles()
