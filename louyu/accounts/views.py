"""Sign-in, sign-out, password and second-factor pages, and the workbench."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """django-axes calls this when an account or an IP address is locked out."""
    return HttpResponse(_("Too many failed sign-ins. Try again later."), status=429)


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/workbench.html", {})
