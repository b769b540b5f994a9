from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    """Values every page needs: the profile and the idle timeout the page counts down."""
    return {"louyu_profile": settings.PROFILE, "louyu_idle_timeout": settings.LOUYU_IDLE_TIMEOUT}
