"""Session security (MLPS level 3): idle timeout, absolute session lifetime, and the second
factor that staff must confirm before they reach any page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_LOGIN_AT = "louyu_login_at"
SESSION_LAST_SEEN = "louyu_last_seen"
# Cached per session: does this user need a second factor, and do they have a device?
SESSION_OTP_FACTS = "louyu_otp_facts"
# Last-activity is written at most this often, so a busy page does not save the session on
# every request.
LAST_SEEN_RESOLUTION = 60


def _now() -> int:
    return int(timezone.now().timestamp())


def session_mark_login(request: HttpRequest) -> None:
    """Start the idle and lifetime clocks; called when a user signs in."""
    now = _now()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    request.session.pop(SESSION_OTP_FACTS, None)


def session_forget_otp_facts(request: HttpRequest) -> None:
    """Call after the user's devices change so the next request looks again."""
    request.session.pop(SESSION_OTP_FACTS, None)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows with a full page load instead of swapping a fragment."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SessionSecurityMiddleware:
    """Ends sessions idle for LOUYU_IDLE_TIMEOUT seconds or older than LOUYU_SESSION_MAX_AGE,
    and sends a user who must use a second factor to enrolment or verification first.

    Sits after OTPMiddleware (it reads `user.is_verified()`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            response = self._check_lifetime(request) or self._check_second_factor(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check_lifetime(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = _now()
        login_at = session.get(SESSION_LOGIN_AT)
        if login_at is None:
            # A session from before this middleware, or a login outside the login signal.
            session[SESSION_LOGIN_AT] = session[SESSION_LAST_SEEN] = now
            return None
        last_seen = session.get(SESSION_LAST_SEEN, login_at)
        if now - last_seen > settings.LOUYU_IDLE_TIMEOUT:
            return self._expire(request, "idle_timeout")
        if now - login_at > settings.LOUYU_SESSION_MAX_AGE:
            return self._expire(request, "max_age")
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            session[SESSION_LAST_SEEN] = now
        return None

    def _expire(self, request: HttpRequest, reason: str) -> HttpResponse | None:
        request.louyu_logout_reason = reason  # type: ignore[attr-defined]
        logout(request)
        if _is_api(request):
            # Carry on as anonymous: the API answers with its own error shape.
            return None
        # MessageMiddleware runs after this one, so store the message ourselves.
        storage = default_storage(request)
        storage.add(messages.WARNING, _("Your session timed out. Please sign in again."))
        response = _redirect(request, _with_next(reverse(settings.LOGIN_URL), request))
        storage.update(response)
        return response

    def _check_second_factor(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        if user.is_verified():
            return None
        facts = request.session.get(SESSION_OTP_FACTS)
        if facts is None:
            facts = {
                "staff": bool(user.is_staff_role or user.is_staff or user.is_superuser),
                "device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            }
            request.session[SESSION_OTP_FACTS] = facts
        # A user who enrolled a device always confirms it; staff must enrol in production.
        if not (facts["device"] or (settings.LOUYU_REQUIRE_2FA and facts["staff"])):
            return None
        if self._exempt(request):
            return None
        if _is_api(request):
            return JsonResponse({"error": _("Confirm your second factor first.")}, status=403)
        name = "accounts:2fa_verify" if facts["device"] else "accounts:2fa_setup"
        return _redirect(request, _with_next(reverse(name), request))

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        """Pages a user who still owes a second factor may reach."""
        exempt = (
            reverse("accounts:2fa_setup"),
            reverse("accounts:2fa_verify"),
            reverse("accounts:logout"),
            reverse("set_language"),
            reverse("healthz"),
        )
        return request.path in exempt or request.path.startswith(settings.STATIC_URL)
