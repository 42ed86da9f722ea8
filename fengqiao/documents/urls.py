from django.urls import path

from fengqiao.documents import views

app_name = "documents"
urlpatterns = [
    path("roots/<int:pk>.crt", views.trust_root_download, name="trust_root"),
    path("<str:public_id>", views.verify, name="verify"),
]
