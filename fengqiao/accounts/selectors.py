"""Reads of users, roles and grants, through the data-scope helper."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fengqiao.accounts.access import restrict
from fengqiao.accounts.models import Role, RoleGrant, User

MANAGE_ACCOUNTS = "accounts.manage_accounts"
MANAGE_ROLES = "accounts.manage_roles"


def grants_for_user(user: Any) -> list[RoleGrant]:
    if not user.is_authenticated:
        return []
    return list(RoleGrant.objects.filter(user=user).select_related("role", "org"))


def user_list_for_admin(
    actor: Any, *, query: str = "", perm: str = MANAGE_ACCOUNTS
) -> QuerySet[User]:
    qs = restrict(User.objects.all(), actor, perm)
    if query:
        query = query.strip()
        qs = qs.filter(Q(username__icontains=query) | Q(real_name__icontains=query))
    return qs.order_by("username")


def user_get_for_admin(actor: Any, pk: int, *, perm: str = MANAGE_ACCOUNTS) -> User:
    return get_object_or_404(user_list_for_admin(actor, perm=perm), pk=pk)


def role_list_for_admin(actor: Any) -> QuerySet[Role]:
    return restrict(Role.objects.all(), actor, MANAGE_ROLES).prefetch_related("permissions")


def grant_list_for_user(target: User) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=target).select_related("role", "org", "org__region")
