from typing import Any

from django.http import HttpRequest


def bell(request: HttpRequest) -> dict[str, Any]:
    """`notifications_unread` for the header's bell: evaluated only when a page shows it (a
    callable), and read from the cache, so a page costs no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from louyu.notifications.services import unread_count_cached

    return {"notifications_unread": lambda: unread_count_cached(user)}
