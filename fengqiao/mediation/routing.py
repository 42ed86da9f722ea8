"""The websocket route of the online mediation room (composed with the others in
``fengqiao.routing``)."""

from __future__ import annotations

from django.urls import path

from fengqiao.mediation.consumers import RoomConsumer

websocket_urlpatterns = [path("ws/room/<int:room_id>/", RoomConsumer.as_asgi())]
