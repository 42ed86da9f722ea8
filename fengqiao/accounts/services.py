"""Every write to accounts, roles and grants; login with lockout. Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import pyotp
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from fengqiao.accounts import lockout
from fengqiao.accounts.access import forget_grants
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record


class LoginRefused(Exception):
    """Login refused; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, needs_otp: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.needs_otp = needs_otp


@dataclass(frozen=True)
class LoginOutcome:
    user: User


def login_attempt(request: HttpRequest | None, username: str) -> tuple[str, str, User | None]:
    """Who a login, or a password set with a reset code, names: the name as counted, the
    address, and the account if there is one. ``LoginRefused`` at once while the name or the
    address is locked out — the same answer whether the account exists or not."""
    name, ip = lockout.normalise_name(username), lockout.address(request)
    user = User.objects.filter(username__iexact=username).first()
    refused = lockout.refuse(name=name, ip=ip, user=user)
    if refused is not None:
        raise LoginRefused(refused)
    return name, ip, user


def login_check(
    *, request: HttpRequest | None, username: str, password: str, otp: str = ""
) -> LoginOutcome:
    """Check a login attempt. Failures are counted per name and address (``lockout``); a known
    and an unknown name get the same answers at the same points."""
    username = username.strip()
    name, ip, user = login_attempt(request, username)
    # For an unknown name Django's ModelBackend hashes the password all the same, so the
    # answer takes as long as for a known one (test_login.test_unknown_name_costs_one_hash).
    authenticated = authenticate(
        request, username=user.username if user else username, password=password
    )
    if authenticated is None or not isinstance(authenticated, User):
        _login_failed(user, username, ip, _("用户名或密码错误。"))
    if authenticated.totp_enabled:
        if not otp:
            raise LoginRefused(_("请输入动态口令。"), needs_otp=True)
        step = _totp_step(authenticated.totp_secret, otp)
        if step is None or not _totp_use(authenticated, step):
            _login_failed(authenticated, username, ip, _("动态口令错误。"), needs_otp=True)
    with transaction.atomic():
        lockout.clear_address(name=name, ip=ip)
        User.objects.filter(pk=authenticated.pk).update(failed_login_count=0, locked_until=None)
    return LoginOutcome(authenticated)


def _totp_step(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to, allowing one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    code = code.strip()
    for step in (current - 1, current, current + 1):
        if constant_time_compare(code, totp.generate_otp(step)):
            return step
    return None


def _totp_use(user: User, step: int) -> bool:
    """Spend the code of ``step``; False when it (or a later one) was used already. The
    conditional update makes two logins racing with the same code accept only one."""
    fresh = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
    return User.objects.filter(fresh, pk=user.pk).update(totp_last_step=step) == 1


def _login_failed(
    user: User | None, username: str, ip: str, message: str, *, needs_otp: bool = False
) -> NoReturn:
    """Audit and count a failure, then refuse with ``message`` or, when this failure starts a
    lock, with the lock's message."""
    name = lockout.normalise_name(username)
    with transaction.atomic():
        if user is None:
            audit_record(
                actor=None,
                event_type=EventType.LOGIN_FAILED,
                object_type="accounts.user",
                object_repr=username[: lockout.NAME_MAX_LENGTH],
            )
        else:
            audit_record(actor=None, event_type=EventType.LOGIN_FAILED, obj=user)
        locked = lockout.record_failure(name=name, ip=ip, user=user)
    if locked is not None:
        raise LoginRefused(lockout.refused_message(locked))
    raise LoginRefused(message, needs_otp=needs_otp)


def user_unlock(*, actor: User, user: User) -> User:
    """Lift the account's lock and every count of its name, from every address."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        cleared = lockout.clear_name(name=lockout.normalise_name(user.username))
        if not user.is_locked() and user.failed_login_count == 0 and not cleared:
            return user
        user.locked_until, user.failed_login_count = None, 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(actor=actor, event_type=EventType.ACCOUNT_UNLOCKED, obj=user)
    return user


def user_create(
    *,
    actor: User | None,
    username: str,
    real_name: str,
    password: str,
    phone: str = "",
    must_change_password: bool = True,
) -> User:
    user = User(
        username=username.strip(),
        real_name=real_name.strip(),
        phone=phone.strip(),
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            event_type=EventType.USER_CREATED,
            obj=user,
            after={"username": user.username, "real_name": user.real_name},
        )
    return user


class AccessPolicyError(ValueError):
    """A grant or a role change that the access policy (三员分立) does not allow; the message is
    shown to the user as is."""


def _check_account_change(actor: User, user: User) -> None:
    """三员分立: the system admin manages accounts, but not those of the security admin and the
    auditor, so that no one admin can take over another's account. Those are reset at the
    server console (``manage.py changepassword``)."""
    from fengqiao.accounts.choices import BuiltinRole

    if actor.pk == user.pk:
        return
    guarded = {BuiltinRole.SECURITY_ADMIN, BuiltinRole.AUDITOR}
    if RoleGrant.objects.filter(user=user, role__code__in=guarded).exists():
        raise AccessPolicyError(
            _(
                "三员分立：安全管理员和安全审计员的账户不能由系统管理员修改、停用或重置密码，"
                "请由运维人员在服务器上执行 manage.py changepassword。"
            )
        )


def user_update(*, actor: User, user: User, real_name: str, phone: str, is_active: bool) -> User:
    _check_account_change(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {"real_name": user.real_name, "phone_changed": False, "is_active": user.is_active}
        changed_phone = user.phone != phone.strip()
        if (
            user.real_name == real_name.strip()
            and not changed_phone
            and user.is_active == is_active
        ):
            return user
        user.real_name, user.phone, user.is_active = real_name.strip(), phone.strip(), is_active
        user.save()
        # The phone number itself is personal data: the log records only that it changed.
        audit_record(
            actor=actor,
            event_type=EventType.USER_UPDATED,
            obj=user,
            before=before,
            after={
                "real_name": user.real_name,
                "phone_changed": changed_phone,
                "is_active": user.is_active,
            },
        )
    return user


def user_set_password(*, actor: User, user: User, password: str) -> None:
    """A user changes their own password. An administrator never sets one: a reset goes
    through ``accounts.resets`` (三员分立)."""
    if actor.pk != user.pk:
        raise AccessPolicyError(_("只能修改自己的密码；他人的密码请通过“重置密码”办理。"))
    validate_password(password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=actor, event_type=EventType.PASSWORD_CHANGED, obj=user)


def _code(perm: Permission) -> str:
    return f"{perm.content_type.app_label}.{perm.codename}"


def _check_grant(*, actor: User | None, user: User, role: Role, org: Any | None) -> None:
    from fengqiao.accounts.choices import DataScope
    from fengqiao.accounts.roles import is_admin_role

    if role.scope in (DataScope.REGION, DataScope.ORG) and org is None:
        raise AccessPolicyError(
            _("“%(role)s”的数据范围按单位确定，必须选择所在单位。") % {"role": role}
        )
    held = list(RoleGrant.objects.filter(user=user).select_related("role"))
    # Nobody changes their own roles; only an account's very first grant, recorded by a
    # bootstrap command with the account itself as actor, is let through.
    if actor is not None and actor.pk == user.pk and held:
        raise AccessPolicyError(_("不能为自己授予或撤销角色。"))
    others = {g.role.code: g.role for g in held if g.role_id != role.pk}
    if others and (is_admin_role(role) or any(is_admin_role(r) for r in others.values())):
        raise AccessPolicyError(
            _(
                "三员分立：系统管理员、安全管理员、安全审计员须使用专用账户，"
                "不能与其他角色同时授予同一用户（该用户已有：%(held)s）。"
            )
            % {"held": "、".join(sorted(r.name for r in others.values()))}
        )


def role_grant(*, actor: User | None, user: User, role: Role, org: Any | None) -> RoleGrant:
    with transaction.atomic():
        # The user row is the lock that serialises concurrent grants to the same account.
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_grant(actor=actor, user=user, role=role, org=org)
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, org=org, defaults={"granted_by": actor}
        )
        if created:
            audit_record(
                actor=actor,
                event_type=EventType.ROLE_GRANTED,
                obj=user,
                after={"role": role.code, "org": org.pk if org else None},
            )
    forget_grants(user)
    return grant


def role_revoke(*, actor: User, grant: RoleGrant) -> None:
    if grant.user_id == actor.pk:
        raise AccessPolicyError(_("不能为自己授予或撤销角色。"))
    with transaction.atomic():
        deleted, _rows = RoleGrant.objects.filter(pk=grant.pk).delete()
        if deleted:
            audit_record(
                actor=actor,
                event_type=EventType.ROLE_REVOKED,
                obj=grant.user,
                before={"role": grant.role.code, "org": grant.org_id},
            )
    forget_grants(grant.user)


def _check_role_permissions(role: Role, permissions: list[Permission]) -> None:
    from fengqiao.accounts.roles import (
        ADMIN_DEFINING_PERMS,
        ADMIN_ROLES,
        is_admin_role,
        is_case_data_permission,
    )

    for perm in permissions:
        owner = ADMIN_DEFINING_PERMS.get(_code(perm))
        if owner is not None and owner != role.code:
            raise AccessPolicyError(
                _("三员分立：“%(perm)s”只属于%(owner)s角色。")
                % {"perm": _code(perm), "owner": owner.label}
            )
    if not is_admin_role(role):
        return
    for perm in permissions:
        if is_case_data_permission(perm.content_type.app_label, perm.content_type.model):
            raise AccessPolicyError(
                _("三员分立：管理员角色不能拥有案件数据权限（%(perm)s）。") % {"perm": _code(perm)}
            )
    chosen = {_code(p) for p in permissions}
    for other in Role.objects.filter(code__in=ADMIN_ROLES).exclude(pk=role.pk):
        shared = chosen & {_code(p) for p in other.permissions.select_related("content_type")}
        if shared:
            raise AccessPolicyError(
                _("三员分立：权限%(perms)s已属于“%(other)s”，管理员角色之间不能共用权限。")
                % {"perms": "、".join(sorted(shared)), "other": other.name}
            )


def role_set_permissions(*, actor: User, role: Role, permissions: list[Permission]) -> Role:
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        before = sorted(_code(p) for p in role.permissions.select_related("content_type"))
        after = sorted(_code(p) for p in permissions)
        if before == after:
            return role
        _check_role_permissions(role, permissions)
        role.permissions.set(permissions)
        audit_record(
            actor=actor,
            event_type=EventType.ROLE_CHANGED,
            obj=role,
            before={"permissions": before},
            after={"permissions": after},
        )
    return role


def totp_begin(*, user: User) -> str:
    """A new secret for the user to scan; it takes effect only after ``totp_confirm``."""
    return pyotp.random_base32()


def totp_confirm(*, actor: User, secret: str, code: str) -> bool:
    step = _totp_step(secret, code)
    if step is None:
        return False
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        # The code that confirmed the setup cannot then be used to log in.
        user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
        user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
        audit_record(actor=actor, event_type=EventType.TOTP_ENABLED, obj=user)
    return True


def totp_disable(*, actor: User, user: User) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.totp_enabled:
            return
        user.totp_secret, user.totp_enabled, user.totp_last_step = "", False, None
        user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
        audit_record(actor=actor, event_type=EventType.TOTP_DISABLED, obj=user)
