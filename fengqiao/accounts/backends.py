"""Permissions come from role grants, so Django's own checks (the admin) see the same rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from fengqiao.accounts.access import user_perms


class RolePermissionBackend(BaseBackend):
    """Answers ``user.has_perm`` from the user's roles; authenticates nobody."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None:
            return set()
        return user_perms(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
