"""The one place that turns (user, permission, queryset) into what that user may see.

Every selector calls :func:`restrict`. A model opts in by declaring ``scope_lookups``: the ORM
lookups that lead from a row to the region path (``region``), the owning org id (``org``) and the
handling user (``own``). A scope a model does not declare grants nothing on that model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from fengqiao.accounts.choices import DataScope
from fengqiao.core.paths import subtree_q

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_paths: frozenset[str] = field(default_factory=frozenset)
    org_ids: frozenset[int] = field(default_factory=frozenset)
    own_user_id: int | None = None
    # Orgs the user acts for under this permission, whatever the scope kind: a model may let
    # them see rows tied to those orgs beyond the region (a case dispatched to their committee
    # from another village) through a ``scope_member_q`` classmethod.
    member_org_ids: frozenset[int] = field(default_factory=frozenset)
    # The families of those orgs' kinds (``orgs.choices.OrgFamily``): a court or a police
    # station also sees the cases it sent and those of the rooms and committees tied to it.
    member_families: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_paths or self.org_ids or self.own_user_id)


NO_ACCESS = Scope()


def _grants(user: Any) -> list[Any]:
    """The user's grants with their roles, orgs and regions, and each role's permission codes
    (``role.perm_codes``): two queries per request, then cached on the user object. The codes
    are read as plain tuples, not as Permission and ContentType objects, since every request
    of the platform pays for this."""
    cached = getattr(user, "_fengqiao_grants", None)
    if cached is None:
        from fengqiao.accounts.models import Role, RoleGrant

        cached = list(
            RoleGrant.objects.filter(user=user).select_related("role", "org__region", "org__kind")
        )
        codes: dict[int, set[str]] = {grant.role_id: set() for grant in cached}
        rows = Role.permissions.through.objects.filter(role_id__in=list(codes)).values_list(
            "role_id", "permission__content_type__app_label", "permission__codename"
        )
        for role_id, app_label, codename in rows:
            codes[role_id].add(f"{app_label}.{codename}")
        for grant in cached:
            grant.role.perm_codes = frozenset(codes[grant.role_id])
        user._fengqiao_grants = cached
    return cached


def _perm_codes(role: Any) -> frozenset[str]:
    codes: frozenset[str] = role.perm_codes
    return codes


def scope_for(user: Any, perm: str) -> Scope:
    """The union of the scopes of every grant whose role carries ``perm``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    everything = False
    paths: set[str] = set()
    orgs: set[int] = set()
    own = None
    members: set[int] = set()
    families: set[str] = set()
    for grant in _grants(user):
        if perm not in _perm_codes(grant.role):
            continue
        if grant.org_id is not None:
            members.add(grant.org_id)
            families.add(str(grant.org.kind.family))
        scope = grant.role.scope
        if scope == DataScope.ALL:
            everything = True
        elif scope == DataScope.REGION and grant.org is not None:
            paths.add(grant.org.region.path)
        elif scope == DataScope.ORG and grant.org is not None:
            orgs.add(grant.org_id)
        elif scope == DataScope.OWN:
            own = user.pk
    return Scope(
        everything, frozenset(paths), frozenset(orgs), own, frozenset(members), frozenset(families)
    )


def holds_at(user: Any, perm: str, org_ids: Any) -> bool:
    """``user`` holds ``perm`` through a grant made at one of ``org_ids`` (from the grants
    already loaded for the request: no query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    ids = {pk for pk in org_ids if pk is not None}
    return any(g.org_id in ids and perm in _perm_codes(g.role) for g in _grants(user))


def grant_org_ids(user: Any) -> frozenset[int]:
    """The orgs ``user`` holds a grant at, whatever its permissions (from the loaded grants)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(g.org_id for g in _grants(user) if g.org_id is not None)


def role_codes(user: Any) -> frozenset[str]:
    """The codes of the roles ``user`` holds (from the loaded grants: no query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(str(g.role.code) for g in _grants(user))


def has_perm(user: Any, perm: str) -> bool:
    return not scope_for(user, perm).is_empty


def user_perms(user: Any) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    perms: set[str] = set()
    for grant in _grants(user):
        perms |= _perm_codes(grant.role)
    return perms


def scope_q(model: type[Model], scope: Scope) -> Q:
    if scope.everything:
        return Q()
    lookups: dict[str, str] = getattr(model, "scope_lookups", {})
    q = Q(pk__in=[])
    if scope.region_paths and "region" in lookups:
        q |= subtree_q(scope.region_paths, field=lookups["region"])
    if scope.org_ids and "org" in lookups:
        q |= Q(**{f"{lookups['org']}__in": scope.org_ids})
    if scope.own_user_id and "own" in lookups:
        q |= Q(**{lookups["own"]: scope.own_user_id})
    member_q = getattr(model, "scope_member_q", None)
    if scope.member_org_ids and member_q is not None:
        q |= member_q(scope.member_org_ids, scope.member_families)
    return q


def restrict(queryset: QuerySet[M], user: Any, perm: str) -> QuerySet[M]:
    """``queryset`` narrowed to what ``user`` may see under ``perm`` (empty without it)."""
    scope = scope_for(user, perm)
    if scope.is_empty:
        return queryset.none()
    if scope.everything:
        return queryset
    q = scope_q(queryset.model, scope)
    filtered = queryset.filter(q)
    # A lookup through a to-many relation (a user's grants) can repeat rows.
    if getattr(queryset.model, "scope_distinct", False):
        filtered = filtered.distinct()
    return filtered


def forget_grants(user: Any) -> None:
    """Drop the per-request cache of ``user``'s grants after they change."""
    user.__dict__.pop("_fengqiao_grants", None)


def require(user: Any, perm: str) -> Scope:
    scope = scope_for(user, perm)
    if scope.is_empty:
        raise PermissionDenied
    return scope
