"""Sign-in, sign-out, password, second-factor and API-token pages, and the lockout answer."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from louyu.accounts import services
from louyu.accounts.forms import (
    LoginForm,
    PasswordChangeInputForm,
    PasswordConfirmForm,
    TokenForm,
)
from louyu.accounts.middleware import session_forget_otp_facts
from louyu.api.selectors import get_token_for_user, token_list
from louyu.api.services import token_revoke

TOKENS_PER_PAGE = 20


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes calls this when an account or an IP address is locked out: a page for
    people, `{"error": …}` for API and JSON clients; 429 either way."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    wants_json = (
        request.path.startswith("/api/")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or request.content_type == "application/json"
        or (request.accepts("application/json") and not request.accepts("text/html"))
    )
    if wants_json:
        return JsonResponse({"error": message}, status=429)
    return render(request, "accounts/lockout.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    """Password sign-in. Staff then confirm a second factor (SessionSecurityMiddleware)."""

    form_class = LoginForm
    template_name = "accounts/login.html"


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


def _next_url(request: HttpRequest) -> str:
    """The safe `next` target of a page, or the workbench."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the user's other sessions end, this one stays."""
    form = PasswordChangeInputForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_password_set(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("workbench")
    return render(request, "accounts/password_change.html", {"form": form})


# Session key of the hex TOTP secret a user is enrolling, until a code confirms it.
PENDING_TOTP_KEY = "louyu_totp_pending"


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code."""
    if _confirmed_device(request.user) is not None:
        # Never let a password alone replace an enrolled device.
        if not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("accounts:2fa_verify")
        return render(request, "accounts/2fa_enabled.html")
    # The secret lives in the session until a code confirms it: visiting the page stores nothing.
    key = request.session.get(PENDING_TOTP_KEY)
    if key is None:
        key = request.session[PENDING_TOTP_KEY] = random_hex(20)
    pending = TOTPDevice(user=request.user, name="TOTP", key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_device_confirm(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            key=key,
            token=form.cleaned_data["token"],
        )
        if device is not None:
            del request.session[PENDING_TOTP_KEY]
            otp_login(request, device)
            session_forget_otp_facts(request)
            messages.success(request, _("Two-step verification is on."))
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Try again."))
    secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr_data_uri": segno.make(pending.config_url, error="m").svg_data_uri(scale=5),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/2fa_setup.html", context)


@sensitive_post_parameters("token")
@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Confirm the second factor after the password."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if _confirmed_device(request.user) is None:
        return redirect("accounts:2fa_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            token=form.cleaned_data["token"],
        )
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Try again."))
    return render(
        request,
        "accounts/2fa_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off after re-entering the password. Staff who must use it are
    sent back to enrolment by the middleware."""
    if _confirmed_device(request.user) is None:
        messages.info(request, _("Two-step verification is off."))
        return redirect("workbench")
    form = PasswordConfirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.totp_disable(actor=request.user, user=request.user)  # type: ignore[arg-type]
        session_forget_otp_facts(request)
        messages.success(request, _("Two-step verification is off."))
        return redirect("workbench")
    return render(request, "accounts/2fa_disable.html", {"form": form})


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens (one per app or client), newest first, to revoke one."""
    page = Paginator(token_list(user=request.user), TOKENS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "days": settings.LOUYU_API_TOKEN_DAYS}
    return render(request, "accounts/tokens.html", context)


@never_cache
@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens; someone else's answers 404 like a missing one."""
    token = get_token_for_user(request.user, pk)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")
