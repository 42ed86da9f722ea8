from django.contrib import admin
from django.http import HttpRequest

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.governance.models import MeetingType, ScreeningPlan


@admin.register(MeetingType)
class MeetingTypeAdmin(AuditedModelAdmin):
    """会议类型 and the cadence each township or county platform must hold them at."""

    list_display = ["name", "code", "cadence", "township_required", "county_required", "is_active"]
    list_editable = ["cadence", "township_required", "county_required", "is_active"]
    search_fields = ["name", "code"]


@admin.register(ScreeningPlan)
class ScreeningPlanAdmin(AuditedModelAdmin):
    """排查计划: how often each unit level files its 排查 report."""

    list_display = ["level", "cadence", "is_active", "note"]
    list_editable = ["cadence", "is_active"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One plan per level, loaded by the migration: edited, never added or deleted.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
