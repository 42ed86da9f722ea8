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
    # The org admin's pages (orgs.manage_orgs)
    path("new/", views.org_create, name="org_create"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/memberships/new/", views.membership_add, name="membership_add"),
    path("people/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
    path("people/<int:pk>/trainings/new/", views.training_add, name="training_add"),
    path("people/<int:pk>/recusals/new/", views.recusal_add, name="recusal_add"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("import/", views.import_page, name="import"),
    path("import/<slug:kind>-template.xlsx", views.import_template, name="import_template"),
]
