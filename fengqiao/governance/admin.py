from django.contrib import admin

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.governance.models import MeetingType


@admin.register(MeetingType)
class MeetingTypeAdmin(AuditedModelAdmin):
    """会议类型 and the cadence each township or county platform must hold them at."""

    list_display = ["name", "code", "cadence", "township_required", "county_required", "is_active"]
    list_editable = ["cadence", "township_required", "county_required", "is_active"]
    search_fields = ["name", "code"]
