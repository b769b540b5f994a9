"""/api/v1/messaging/."""

from django.urls import path

from louyu.messaging.api import views

urlpatterns = [
    path("conversations/", views.ConversationListApi.as_view(), name="messaging-conversations"),
    path(
        "conversations/<int:pk>/",
        views.ConversationDetailApi.as_view(),
        name="messaging-conversation",
    ),
    path(
        "conversations/<int:pk>/members/", views.MemberListApi.as_view(), name="messaging-members"
    ),
    path(
        "conversations/<int:pk>/messages/",
        views.MessageListApi.as_view(),
        name="messaging-messages",
    ),
    path("conversations/<int:pk>/read/", views.ReadApi.as_view(), name="messaging-read"),
    path(
        "conversations/<int:pk>/attachments/",
        views.AttachmentUploadApi.as_view(),
        name="messaging-upload",
    ),
    path("conversations/<int:pk>/mute/", views.MuteApi.as_view(), name="messaging-mute"),
    path("conversations/<int:pk>/export/", views.ExportApi.as_view(), name="messaging-export"),
    path("messages/<int:pk>/", views.MessageDetailApi.as_view(), name="messaging-message"),
    path("messages/<int:pk>/reactions/", views.ReactionApi.as_view(), name="messaging-react"),
    path("messages/<int:pk>/reads/", views.ReadCountApi.as_view(), name="messaging-reads"),
    path("messages/<int:pk>/report/", views.ReportApi.as_view(), name="messaging-report"),
    path("messages/<int:pk>/remove/", views.RemoveApi.as_view(), name="messaging-remove"),
    path(
        "messages/<int:pk>/to-request/", views.ToRequestApi.as_view(), name="messaging-to-request"
    ),
    path("direct/", views.DirectOpenApi.as_view(), name="messaging-direct"),
    path("search/", views.SearchApi.as_view(), name="messaging-search"),
]
