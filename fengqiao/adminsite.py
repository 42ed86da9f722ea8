"""The Django admin, for reference data only (regions, org kinds), opened by role rather than by
Django's ``is_staff`` flag: a user reaches it when a role gives them a permission on one of its
models (the system admin's role does; case-handling roles do not). Every ModelAdmin inherits
``fengqiao.core.admin.AuditedModelAdmin``, so each edit made here is an audit event."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.access import user_perms
from fengqiao.disputes.permissions import (
    CHANGE_CALENDAROVERRIDE,
    CHANGE_DEADLINELIMIT,
    CHANGE_SUBJECTRULE,
    CHANGE_TERRITORYRULE,
)
from fengqiao.orgs.permissions import CHANGE_ORGKIND
from fengqiao.regions.permissions import CHANGE_REGION

ADMIN_PERMS = {
    CHANGE_REGION,
    CHANGE_ORGKIND,
    CHANGE_TERRITORYRULE,
    CHANGE_SUBJECTRULE,
    CHANGE_CALENDAROVERRIDE,
    CHANGE_DEADLINELIMIT,
}


class FengqiaoAdminSite(AdminSite):
    site_header = _("枫桥平台 · 基础数据管理")
    site_title = _("枫桥平台")
    index_title = _("基础数据")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user_perms(user) & ADMIN_PERMS)

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # One login for the whole platform, with its lockout, TOTP and audit.
        target = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class FengqiaoAdminConfig(AdminConfig):
    default_site = "fengqiao.adminsite.FengqiaoAdminSite"

    def ready(self) -> None:
        super().ready()
        # Roles carry the platform's permissions, not Django groups; a group edited here would
        # grant permissions beside the roles (ModelBackend reads groups) and unaudited.
        from django.contrib import admin
        from django.contrib.auth.models import Group

        if admin.site.is_registered(Group):
            admin.site.unregister(Group)
