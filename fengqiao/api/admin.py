from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.api.models import ApiKey
from fengqiao.api.services import api_key_revoke
from fengqiao.audit.admin import AuditedModelAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedModelAdmin):
    """Keys are listed and revoked here, and their request limit changed (每分钟请求上限); they
    are created with ``manage.py create_api_key``, which shows the token once."""

    list_display = [
        "name",
        "prefix",
        "org",
        "user",
        "scopes",
        "rate_per_minute",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "org__name", "user__username"]
    readonly_fields = [
        "name",
        "org",
        "user",
        "scopes",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A revoked key stays on record: audit rows refer to it.
        return False

    @admin.action(description=_("撤销所选 API 密钥"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(actor=request.user, key_id=key.pk)
        messages.success(request, _("已撤销 %(n)d 个 API 密钥。") % {"n": queryset.count()})
