from django.urls import path

from fengqiao.documents import views

app_name = "documents"
urlpatterns = [
    path("<str:public_id>", views.verify, name="verify"),
]
