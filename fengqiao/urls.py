from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from fengqiao.web.health import healthz

admin.site.site_header = _("枫桥平台 · 基础数据管理")
admin.site.site_title = _("枫桥平台")
admin.site.index_title = _("基础数据")

urlpatterns = [
    path("", include("fengqiao.web.urls")),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("regions/", include("fengqiao.regions.urls")),
    path("orgs/", include("fengqiao.orgs.urls")),
    path("audit/", include("fengqiao.audit.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
