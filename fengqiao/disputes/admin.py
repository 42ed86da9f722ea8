from django.contrib import admin

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.disputes.models import CalendarOverride, DeadlineLimit, SubjectRule, TerritoryRule


@admin.register(TerritoryRule)
class TerritoryRuleAdmin(AuditedModelAdmin):
    """属地规则: risk grade → the lowest level allowed to handle it."""

    list_display = ["grade", "min_level", "note"]
    list_editable = ["min_level", "note"]


@admin.register(SubjectRule)
class SubjectRuleAdmin(AuditedModelAdmin):
    """属事规则: category → the org kinds that handle it."""

    list_display = ["category", "kind", "requires_declared", "weight", "is_active"]
    list_editable = ["requires_declared", "weight", "is_active"]
    list_filter = ["category", "kind", "is_active"]
    list_select_related = ["kind"]


@admin.register(DeadlineLimit)
class DeadlineLimitAdmin(AuditedModelAdmin):
    """时限标准: working days to accept a dispatched case and to report its result, per handling
    level and risk grade; a level and grade without a row uses the default in deadlines.py."""

    list_display = ["kind", "level", "grade", "working_days", "note"]
    list_editable = ["working_days", "note"]
    list_filter = ["kind", "level", "grade"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedModelAdmin):
    """节假日调整: a day's working status for years the calendar package does not know yet, or a
    local holiday; the deadline engine reads it before the package."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
