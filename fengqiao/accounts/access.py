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
from django.db.models.expressions import RawSQL

from fengqiao.accounts.choices import DataScope
from fengqiao.core.compiled import CompiledQuery
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


def _codes_sql() -> str:
    """A subquery of the grant's role's permissions as ``app_label.codename`` joined by spaces
    (one value per grant, NULL for a role without any). Plain SQL: the ORM would spend more
    time building it than the database spends running it, on every request."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from fengqiao.accounts.models import Role, RoleGrant

    q = connection.ops.quote_name
    rp, perm, ct = Role.permissions.through._meta, Permission._meta, ContentType._meta
    code = f"ct.{q('app_label')} || '.' || p.{q('codename')}"
    joined = (
        f"STRING_AGG({code}, ' ')"
        if connection.vendor == "postgresql"
        else f"GROUP_CONCAT({code}, ' ')"
    )
    # Identifiers from the models' metadata, quoted; no values.
    return (
        f"SELECT {joined} FROM {q(rp.db_table)} rp "  # noqa: S608
        f"JOIN {q(perm.db_table)} p ON p.{q('id')} = rp.{q(rp.get_field('permission').column)} "
        f"JOIN {q(ct.db_table)} ct ON ct.{q('id')} = p.{q(perm.get_field('content_type').column)} "
        f"WHERE rp.{q(rp.get_field('role').column)} = "
        f"{q(RoleGrant._meta.db_table)}.{q(RoleGrant._meta.get_field('role').column)}"
    )


def _grants_of_user(user_id: int) -> QuerySet[Any]:
    from fengqiao.accounts.models import RoleGrant

    return (
        RoleGrant.objects.filter(user_id=user_id)
        .select_related("role", "org__region", "org__kind")
        .annotate(perm_list=RawSQL(_codes_sql(), ()))  # noqa: S611 (no values in it)
    )


# Every request reads its user's grants: compiled once (fengqiao.core.compiled).
_GRANTS_OF_USER: CompiledQuery[Any] = CompiledQuery(_grants_of_user, int)


def _grants(user: Any) -> list[Any]:
    """The user's grants with their roles, orgs and regions, and each role's permission codes
    (``role.perm_codes``): one query per request, then cached on the user object. The codes
    are read as plain text, not as Permission and ContentType objects, since every request of
    the platform pays for this."""
    cached = getattr(user, "_fengqiao_grants", None)
    if cached is None:
        cached = _GRANTS_OF_USER.all(user.pk)
        for grant in cached:
            grant.role.perm_codes = frozenset((grant.perm_list or "").split())
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


def orgs_with(user: Any, perm: str) -> list[Any]:
    """The orgs where ``user`` holds ``perm``, with their kinds and regions, in the order the
    grants were made (from the grants already loaded for the request: no query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    found = {
        g.org_id: g.org
        for g in sorted(_grants(user), key=lambda g: g.pk)
        if g.org is not None and perm in _perm_codes(g.role)
    }
    return list(found.values())


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
