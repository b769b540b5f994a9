"""WebSocket routes (louyu/asgi.py mounts them behind session authentication)."""

from django.urls import path

from louyu.core.consumers import EventsConsumer
from louyu.messaging.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
]
