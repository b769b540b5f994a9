"""WebSocket routes (louyu/asgi.py mounts them behind session authentication)."""

from django.urls import path

from louyu.core.consumers import EventsConsumer

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
]
