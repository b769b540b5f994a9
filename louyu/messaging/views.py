"""The chat page (/messaging/), its search fragment (htmx) and attachment downloads, which
only members of the attachment's conversation can fetch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from louyu.messaging import selectors
from louyu.messaging.models import Attachment, Reaction


@login_required
@require_GET
def chat(request: HttpRequest) -> HttpResponse:
    """Conversation list with unread badges; the pane and composer are driven by chat-app.js
    over the REST API and the /ws/chat/ connection."""
    conversations = list(selectors.conversation_list(request.user))
    latest = max((c.last_message_id for c in conversations), default=0)
    return render(
        request,
        "messaging/chat.html",
        {
            "conversations": conversations,
            "latest_id": latest,
            "emojis": Reaction.Emoji.values,
            "me": request.user,
        },
    )


@login_required
@require_GET
def search_results(request: HttpRequest) -> HttpResponse:
    """Search results as an HTML fragment for htmx."""
    query = (request.GET.get("q") or "").strip()[:100]
    results = list(selectors.message_search(request.user, query)[:30]) if query else []
    return render(
        request,
        "messaging/_search_results.html",
        {"query": query, "results": results},
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, to members only (404 for everyone else); never rendered inline unless an image."""
    attachment = selectors.get_attachment_for_user(request.user, pk)
    inline = attachment.kind == Attachment.Kind.IMAGE
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
