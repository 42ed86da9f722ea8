from django.contrib import admin
from django.urls import include, path

from fengqiao.accounts.urls import audit_urlpatterns
from fengqiao.api.api import api
from fengqiao.web.health import healthz

urlpatterns = [
    path("", include("fengqiao.web.urls")),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("regions/", include("fengqiao.regions.urls")),
    path("orgs/", include("fengqiao.orgs.urls")),
    path("audit/", include((audit_urlpatterns, "audit"))),
    path("cases/", include("fengqiao.disputes.urls")),
    path("mediation/", include("fengqiao.mediation.urls")),
    path("court/", include("fengqiao.court.urls")),
    path("governance/", include("fengqiao.governance.urls")),
    path("mediators/", include("fengqiao.mediators.urls")),
    path("risk/", include("fengqiao.risk.urls")),
    path("ledgers/", include("fengqiao.ledgers.urls")),
    path("supervision/", include("fengqiao.supervision.urls")),
    path("stats/", include("fengqiao.stats.urls")),
    path("assessment/", include("fengqiao.assessment.urls")),
    path("alarms/", include("fengqiao.alarms.urls")),
    path("reports/", include("fengqiao.reports.urls")),
    path("notifications/", include("fengqiao.notify.urls")),
    path("verify/", include("fengqiao.documents.urls")),
    path("portal/", include("fengqiao.portal.urls")),
    path("signing/", include("fengqiao.documents.signing_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# A request that lost the database is answered 503 in Chinese (fengqiao.core.unavailable).
handler500 = "fengqiao.core.unavailable.server_error"
