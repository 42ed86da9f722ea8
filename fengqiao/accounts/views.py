from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any, cast

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.accounts import lockout, resets, services
from fengqiao.accounts.access import has_perm
from fengqiao.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetWithCodeForm,
    RoleGrantForm,
    TotpConfirmForm,
    UserCreateForm,
    UserEditForm,
)
from fengqiao.accounts.hooks import grant_orgs, own_posts
from fengqiao.accounts.models import User
from fengqiao.accounts.permissions import MANAGE_ACCOUNTS, MANAGE_ROLES
from fengqiao.accounts.selectors import (
    audit_events_for_user,
    chain_head,
    grant_get_for_admin,
    grant_list_for_user,
    grants_for_user,
    permission_groups_for_role,
    permission_queryset_for_role,
    role_get_for_admin,
    role_list_for_admin,
    user_get_for_admin,
    user_list_for_admin,
)
from fengqiao.audit.choices import EventType
from fengqiao.audit.labels import event_object_labels
from fengqiao.audit.permissions import VIEW_AUDITEVENT
from fengqiao.audit.services import audit_verify

TOTP_SESSION_KEY = "fengqiao_totp_pending"


def _actor(request: HttpRequest) -> User:
    """The logged-in user (every view that writes is behind ``login_required``)."""
    return cast(User, request.user)


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    show_otp = False
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.login_check(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except services.LoginRefused as refused:
            form.add_error(None, refused.message)
            show_otp = refused.needs_otp
        else:
            login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = ""
            return redirect(target or "web:home")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "show_otp": show_otp, "next": request.GET.get("next", "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=user, user=user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password},
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {"grants": grants_for_user(request.user), "memberships": own_posts(request.user)},
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if request.method == "POST" and request.POST.get("action") == "disable":
        services.totp_disable(actor=user, user=user)
        messages.success(request, _("动态口令已停用。"))
        return redirect("accounts:profile")
    secret = request.session.get(TOTP_SESSION_KEY) or services.totp_begin(user=user)
    request.session[TOTP_SESSION_KEY] = secret
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(actor=user, secret=secret, code=form.cleaned_data["code"]):
            del request.session[TOTP_SESSION_KEY]
            messages.success(request, _("动态口令已启用，下次登录时需要输入。"))
            return redirect("accounts:profile")
        form.add_error("code", _("动态口令不正确，请核对手机时间后重试。"))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Fengqiao")
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "secret": secret, "qr_svg": _qr_svg(uri)},
    )


# --- System admin: accounts ------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    # The system admin manages accounts; the security admin needs the list to grant roles.
    perm = MANAGE_ACCOUNTS if has_perm(request.user, MANAGE_ACCOUNTS) else MANAGE_ROLES
    _require(request, perm)
    query = request.GET.get("q", "")
    page = Paginator(user_list_for_admin(request.user, query=query, perm=perm), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/user_list.html",
        {"page_obj": page, "q": query, "can_create": perm == MANAGE_ACCOUNTS},
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE_ACCOUNTS)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, _("用户“%(name)s”已创建。") % {"name": user.display_name})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建用户")})


def _user_admin_context(
    request: HttpRequest,
    target: User,
    *,
    edit_form: UserEditForm | None = None,
) -> dict[str, Any]:
    """The user page for whoever opens it: the account forms only for the system admin, the
    grant form only for the security admin (三员分立)."""
    can_manage_accounts = has_perm(request.user, MANAGE_ACCOUNTS)
    can_manage_roles = has_perm(request.user, MANAGE_ROLES)
    context: dict[str, Any] = {
        "target": target,
        "grants": grant_list_for_user(target),
        "can_manage_accounts": can_manage_accounts,
        "can_manage_roles": can_manage_roles,
        "is_self": target.pk == request.user.pk,
    }
    if can_manage_accounts:
        context["login_locked"] = lockout.name_locked(name=lockout.normalise_name(target.username))
    if can_manage_accounts:
        context["edit_form"] = edit_form or UserEditForm(
            initial={
                "real_name": target.real_name,
                "phone": target.phone,
                "is_active": target.is_active,
            }
        )
        context["reset_pending"] = resets.resets_pending().filter(user=target).first()
    if can_manage_roles:
        context["grant_form"] = RoleGrantForm(orgs=grant_orgs())
    return context


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    perm = MANAGE_ACCOUNTS if has_perm(request.user, MANAGE_ACCOUNTS) else MANAGE_ROLES
    _require(request, perm)
    target = user_get_for_admin(request.user, pk, perm=perm)
    return render(request, "accounts/user_detail.html", _user_admin_context(request, target))


@login_required
@require_POST
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE_ACCOUNTS)
    target = user_get_for_admin(request.user, pk)
    form = UserEditForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(actor=_actor(request), user=target, **form.cleaned_data)
        except services.AccessPolicyError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("用户信息已保存。"))
            return redirect("accounts:user_detail", pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        _user_admin_context(request, target, edit_form=form),
        status=400,
    )


@login_required
@require_POST
@never_cache
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """The system admin starts a reset and is shown the first half of the code, once; the
    page is rendered, not redirected to, so the half is kept in no session or message."""
    _require(request, MANAGE_ACCOUNTS)
    target = user_get_for_admin(request.user, pk)
    try:
        reset, half = resets.password_reset_start(actor=_actor(request), user=target)
    except services.AccessPolicyError as refused:
        context = _user_admin_context(request, target)
        context["reset_error"] = str(refused)
        return render(request, "accounts/user_detail.html", context, status=400)
    return render(
        request,
        "accounts/password_reset_started.html",
        {"target": target, "reset": reset, "half": half},
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE_ACCOUNTS)
    target = user_get_for_admin(request.user, pk)
    services.user_unlock(actor=_actor(request), user=target)
    messages.success(request, _("账户已解锁。"))
    return redirect("accounts:user_detail", pk=pk)


# --- Password resets: the security admin's half, the user's page ----------------------------


@login_required
def reset_list(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    return render(request, "accounts/password_reset_list.html", {"resets": resets.resets_pending()})


@login_required
@require_POST
@never_cache
def reset_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    reset = get_object_or_404(resets.resets_pending(), pk=pk)
    try:
        half = resets.password_reset_reveal(actor=_actor(request), reset=reset)
    except resets.ResetRefused as refused:
        messages.error(request, refused.message)
        return redirect("accounts:reset_list")
    return render(request, "accounts/password_reset_revealed.html", {"reset": reset, "half": half})


@never_cache
def password_reset_with_code(request: HttpRequest) -> HttpResponse:
    """The user, with both halves of the code, sets a password of their own."""
    form = PasswordResetWithCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resets.password_reset_complete(
                request=request,
                username=data["username"],
                first=data["first_half"],
                second=data["second_half"],
                password=data["new_password1"],
            )
        except services.LoginRefused as refused:
            form.add_error(None, refused.message)
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, _("新密码已设置，请用新密码登录。"))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/password_reset_with_code.html",
        {"form": form, "hours": settings.FENGQIAO_PASSWORD_RESET_HOURS},
    )


# --- Security admin: roles and grants ----------------------------------------------------------


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    return render(request, "accounts/role_list.html", {"roles": role_list_for_admin(request.user)})


@login_required
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    role = role_get_for_admin(request.user, pk)
    if request.method == "POST":
        posted = [v for v in request.POST.getlist("permissions") if v.isdigit()]
        chosen = list(permission_queryset_for_role(role).filter(pk__in=posted))
        try:
            services.role_set_permissions(actor=_actor(request), role=role, permissions=chosen)
        except services.AccessPolicyError as refused:
            messages.error(request, str(refused))
            current = {p.pk for p in chosen}
            status = 400
        else:
            messages.success(request, _("角色“%(role)s”的权限已保存。") % {"role": role.name})
            return redirect("accounts:role_list")
    else:
        current = set(role.permissions.values_list("pk", flat=True))
        status = 200
    return render(
        request,
        "accounts/role_edit.html",
        {"role": role, "groups": permission_groups_for_role(role), "current": current},
        status=status,
    )


@login_required
@require_POST
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    target = user_get_for_admin(request.user, pk, perm=MANAGE_ROLES)
    form = RoleGrantForm(request.POST, orgs=grant_orgs())
    if form.is_valid():
        try:
            services.role_grant(
                actor=_actor(request),
                user=target,
                role=form.cleaned_data["role"],
                org=form.cleaned_data["org"],
            )
        except services.AccessPolicyError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("已授予角色。"))
    else:
        messages.error(request, _("请选择角色和单位。"))
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    _require(request, MANAGE_ROLES)
    grant = grant_get_for_admin(request.user, pk, grant_pk)
    try:
        services.role_revoke(actor=_actor(request), grant=grant)
    except services.AccessPolicyError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("已撤销角色。"))
    return redirect("accounts:user_detail", pk=pk)


# --- The audit log (the auditor) ---------------------------------------------------------------


def _audit_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def audit_event_list(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, VIEW_AUDITEVENT):
        raise PermissionDenied
    g = request.GET
    qs = audit_events_for_user(
        request.user,
        event_type=g.get("type", ""),
        actor=g.get("actor", ""),
        object_query=g.get("object", ""),
        since=_audit_date(g.get("since", "")),
        until=_audit_date(g.get("until", "")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request,
        "accounts/audit_event_list.html",
        {
            "page_obj": page,
            "filters": g,
            "types": EventType.choices,
            "head": chain_head(),
            "labels": dict(EventType.choices),
            "objects": event_object_labels(page.object_list),
        },
    )


@login_required
@require_POST
def audit_chain_verify(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, VIEW_AUDITEVENT):
        raise PermissionDenied
    return render(request, "accounts/_audit_verify_result.html", {"result": audit_verify()})
