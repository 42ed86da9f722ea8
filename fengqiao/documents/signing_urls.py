"""The org admin's signing-credential pages (``orgs.manage_orgs``)."""

from django.urls import path

from fengqiao.documents import views

app_name = "signing"
urlpatterns = [
    path("", views.credential_list, name="credential_list"),
    path("orgs/<int:pk>/upload/", views.credential_upload, name="credential_upload"),
]
