"""API tokens: `POST /api/v1/auth/token/` exchanges a username and password for a token,
`DELETE` revokes it. Sign-in failures count toward the django-axes lockout like the web login."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.accounts.services import totp_verify
from louyu.api.exceptions import LockedOut
from louyu.api.serializers import ErrorSerializer, TokenObtainSerializer, TokenSerializer
from louyu.api.services import token_issue, token_revoke
from louyu.core.exceptions import ApplicationError


class TokenApi(APIView):
    """Issue (POST) or revoke (DELETE) the caller's API token."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        description="Exchange a username and password (and, for staff when enforced, a TOTP "
        "code) for the caller's API token; send it as `Authorization: Token <token>`.",
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: ErrorSerializer,
            429: OpenApiResponse(ErrorSerializer, description="Locked out after failed sign-ins."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        # The plain HttpRequest, as the web login passes it, so axes counts the same attempts.
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if user is None:
            # The failure itself is audited by accounts' user_login_failed receiver.
            if getattr(http_request, "axes_locked_out", False):
                # Answered here in the API's error shape; AxesMiddleware would send its page.
                http_request.axes_locked_out = False  # type: ignore[attr-defined]
                raise LockedOut
            raise ApplicationError(
                _("The username or password is not correct."), code="invalid_credentials"
            )
        if settings.LOUYU_REQUIRE_2FA and user.is_staff_role:
            otp = data.get("otp") or ""
            if not otp:
                raise ApplicationError(
                    _("Enter the code from your authenticator app."), code="otp_required"
                )
            if totp_verify(actor=user, user=user, token=otp) is None:
                raise ApplicationError(_("The code is not correct."), code="otp_invalid")
        # A success clears the account's failure count, as AXES_RESET_ON_SUCCESS does on the web
        # (without user_logged_in, whose receivers would open a session for a token client).
        axes_reset(username=user.get_username())
        token, _created = token_issue(actor=user)
        return Response(TokenSerializer({"token": token.key}).data, status=status.HTTP_200_OK)

    @extend_schema(
        description="Revoke the caller's API token.",
        request=None,
        responses={204: None, 401: ErrorSerializer},
    )
    def delete(self, request: Request) -> Response:
        token_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
