"""Sign-in, sign-out, password and second-factor pages, and the workbench."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """django-axes calls this when an account or an IP address is locked out."""
    return HttpResponse(_("Too many failed sign-ins. Try again later."), status=429)
