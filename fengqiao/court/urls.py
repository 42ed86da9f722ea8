"""The court's pages (queues, referral, confirmation); each part adds its routes here."""

from django.urls import URLPattern, URLResolver

app_name = "court"
urlpatterns: list[URLPattern | URLResolver] = []
