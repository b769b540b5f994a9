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
from django_otp import DEVICE_ID_SESSION_KEY
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


def session_expiry_reason(session: Any) -> str | None:
    """ "idle_timeout" or "max_age" when the session has run out, else None."""
    login_at = session.get(SESSION_LOGIN_AT)
    if login_at is None:
        return None
    now = _now()
    if now - session.get(SESSION_LAST_SEEN, login_at) > settings.LOUYU_IDLE_TIMEOUT:
        return "idle_timeout"
    if now - login_at > settings.LOUYU_SESSION_MAX_AGE:
        return "max_age"
    return None


def session_otp_facts(session: Any, user: Any) -> dict[str, bool]:
    """Is the user staff, and do they have a confirmed device? Cached in the session."""
    facts = session.get(SESSION_OTP_FACTS)
    if facts is None:
        facts = {
            "staff": bool(user.is_staff_role or user.is_staff or user.is_superuser),
            "device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        }
        session[SESSION_OTP_FACTS] = facts
    return facts


def owes_second_factor(facts: dict[str, bool]) -> bool:
    """A user who enrolled a device always confirms it; staff must enrol when 2FA is required."""
    return facts["device"] or (settings.LOUYU_REQUIRE_2FA and facts["staff"])


def session_refusal(session: Any, user: Any) -> str | None:
    """Why a signed-in session may not be used outside the HTTP middleware (WebSockets):
    "idle_timeout", "max_age" or "second_factor"; None when it may."""
    reason = session_expiry_reason(session)
    if reason is not None:
        return reason
    if session.get(DEVICE_ID_SESSION_KEY) is None and owes_second_factor(
        session_otp_facts(session, user)
    ):
        return "second_factor"
    return None


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
        if session.get(SESSION_LOGIN_AT) is None:
            # A session from before this middleware, or a login outside the login signal.
            session_mark_login(request)
            return None
        reason = session_expiry_reason(session)
        if reason is not None:
            return self._expire(request, reason)
        now = _now()
        if now - session[SESSION_LAST_SEEN] >= LAST_SEEN_RESOLUTION:
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
        facts = session_otp_facts(request.session, user)
        if not owes_second_factor(facts) or self._exempt(request):
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
