"""/messaging/: the chat page, its fragments, attachment downloads and the export list."""

from django.urls import path

from louyu.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("search/", views.search_results, name="search"),
    path("presence/", views.presence, name="presence"),
    path("export/", views.export_list, name="export"),
    path("<int:pk>/people/", views.people, name="people"),
    path("<int:pk>/mention-candidates/", views.mention_candidates, name="mention-candidates"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
