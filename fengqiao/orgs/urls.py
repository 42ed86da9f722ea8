from django.urls import path

from fengqiao.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="org_list"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("roster/", views.roster, name="roster"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("reports/", views.report, name="reports"),
]
