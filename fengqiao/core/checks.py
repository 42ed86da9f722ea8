"""System checks. Each app names its permissions once, in ``<app>/permissions.py``; a name that
matches no permission of a model would deny silently everywhere it is used, so it fails
``manage.py check`` instead."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register


def declared_permissions() -> set[str]:
    """Every ``app_label.codename`` the models declare: Django's defaults per model
    (``default_permissions``) and each Meta's ``permissions``."""
    codes: set[str] = set()
    for model in apps.get_models():
        opts = model._meta
        codes |= {f"{opts.app_label}.{a}_{opts.model_name}" for a in opts.default_permissions}
        codes |= {f"{opts.app_label}.{codename}" for codename, _name in opts.permissions}
    return codes


def _permission_constants(module: Any) -> Iterable[tuple[str, str]]:
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, str):
            yield name, value


def check_permission_constants(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    known = declared_permissions()
    errors: list[CheckMessage] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("fengqiao."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for name, code in _permission_constants(module):
            if code not in known:
                errors.append(
                    Error(
                        f"{config.name}.permissions.{name} = {code!r} names no permission "
                        "of any model (a typo would deny silently).",
                        id="fengqiao.E001",
                    )
                )
    return errors


def register_checks() -> None:
    register(check_permission_constants)
