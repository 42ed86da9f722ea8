from django.urls import path

from fengqiao.regions import views

app_name = "regions"
urlpatterns = [path("", views.tree, name="tree")]
