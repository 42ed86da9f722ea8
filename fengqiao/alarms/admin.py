from django.contrib import admin

from fengqiao.alarms.models import AlarmRoute
from fengqiao.audit.admin import AuditedModelAdmin


@admin.register(AlarmRoute)
class AlarmRouteAdmin(AuditedModelAdmin):
    """报警路由: the station a place's alarms go to instead of its township's 派出所."""

    list_display = ["place", "station", "note"]
    search_fields = ["place__name", "station__name"]
    list_select_related = ["place", "station"]
