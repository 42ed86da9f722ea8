from django.contrib import admin

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.orgs.models import OrgKind


@admin.register(OrgKind)
class OrgKindAdmin(AuditedModelAdmin):
    list_display = [
        "code",
        "name",
        "family",
        "is_mediation_committee",
        "min_full_time_mediators",
        "sort_order",
    ]
    list_editable = ["min_full_time_mediators", "sort_order"]
    list_filter = ["family"]
