"""Reads of users, roles and grants, and of the audit log, through the data-scope helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fengqiao.accounts.access import restrict
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.accounts.permissions import MANAGE_ACCOUNTS, MANAGE_ROLES
from fengqiao.accounts.roles import assignable_permission_codes, permission_label
from fengqiao.audit.labels import case_events_for_number, case_object_types
from fengqiao.audit.models import AuditChainHead, AuditEvent
from fengqiao.audit.permissions import VIEW_AUDITEVENT


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


def grant_get_for_admin(actor: Any, user_pk: int, grant_pk: int) -> RoleGrant:
    """A grant of a user the security admin can see."""
    target = user_get_for_admin(actor, user_pk, perm=MANAGE_ROLES)
    return get_object_or_404(
        RoleGrant.objects.select_related("role", "org", "user"), pk=grant_pk, user=target
    )


def role_get_for_admin(actor: Any, pk: int) -> Role:
    return get_object_or_404(role_list_for_admin(actor), pk=pk)


@dataclass(frozen=True)
class PermissionChoice:
    pk: int
    label: str
    code: str


@dataclass(frozen=True)
class PermissionGroup:
    label: str
    choices: list[PermissionChoice]


def permission_queryset_for_role(role: Role) -> QuerySet[Permission]:
    """What the role edit page offers: every permission the platform acts on, and whatever the
    role holds already (so saving the page never drops a permission the page did not show)."""
    q = Q(pk__in=role.permissions.values("pk"))
    for code in assignable_permission_codes():
        app_label, codename = code.split(".", 1)
        q |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(q).select_related("content_type")


def permission_groups_for_role(role: Role) -> list[PermissionGroup]:
    groups: dict[str, list[PermissionChoice]] = {}
    for perm in permission_queryset_for_role(role):
        app_label = perm.content_type.app_label
        groups.setdefault(app_label, []).append(
            PermissionChoice(perm.pk, permission_label(perm), f"{app_label}.{perm.codename}")
        )
    result = []
    for app_label in sorted(groups):
        try:
            label = str(apps.get_app_config(app_label).verbose_name)
        except LookupError:
            label = app_label
        result.append(PermissionGroup(label, sorted(groups[app_label], key=lambda c: c.code)))
    return result


# --- The audit log, read by the auditor (三员分立) ----------------------------------------------


def audit_events_for_user(
    user: Any,
    *,
    event_type: str = "",
    actor: str = "",
    object_query: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    qs = restrict(AuditEvent.objects.all(), user, VIEW_AUDITEVENT)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if actor:
        qs = qs.filter(actor_name__icontains=actor.strip())
    if object_query:
        # Events about cases match their case number exactly, never words of a recorded
        # title: a search for a party's name must not tell the auditor which cases hold it.
        query = object_query.strip()
        qs = qs.filter(
            Q(object_repr__icontains=query) & ~Q(object_type__in=case_object_types())
            | case_events_for_number(query)
        )
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-id")


def chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()
