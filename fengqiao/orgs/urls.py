from django.urls import path

from fengqiao.orgs import manage_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="org_list"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("roster/", views.roster, name="roster"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("reports/", views.report, name="reports"),
    # The org admin's pages (orgs.manage_orgs)
    path("new/", manage_views.org_create, name="org_create"),
    path("<int:pk>/edit/", manage_views.org_edit, name="org_edit"),
    path("people/new/", manage_views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", manage_views.person_edit, name="person_edit"),
    path("people/<int:pk>/memberships/new/", manage_views.membership_add, name="membership_add"),
    path("people/<int:pk>/profile/", manage_views.profile_edit, name="profile_edit"),
    path("people/<int:pk>/trainings/new/", manage_views.training_add, name="training_add"),
    path("people/<int:pk>/recusals/new/", manage_views.recusal_add, name="recusal_add"),
    path("memberships/<int:pk>/edit/", manage_views.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/end/", manage_views.membership_end, name="membership_end"),
    path("import/", manage_views.import_page, name="import"),
    path("import/<slug:kind>-template.xlsx", manage_views.import_template, name="import_template"),
]
