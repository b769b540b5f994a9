"""/messaging/: the chat page, its search fragment and attachment downloads."""

from django.urls import path

from louyu.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("search/", views.search_results, name="search"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
