from django.urls import path

from fengqiao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset_with_code, name="password_reset_with_code"),
    path("me/", views.profile, name="profile"),
    path("me/totp/", views.totp_setup, name="totp_setup"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/grants/", views.grant_add, name="grant_add"),
    path("users/<int:pk>/grants/<int:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("resets/", views.reset_list, name="reset_list"),
    path("resets/<int:pk>/reveal/", views.reset_reveal, name="reset_reveal"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
]

# The auditor's pages, under /audit/ in the "audit" namespace (fengqiao/urls.py).
audit_urlpatterns = [
    path("", views.audit_event_list, name="event_list"),
    path("verify/", views.audit_chain_verify, name="verify"),
]
