"""API tokens: `POST /api/v1/auth/token/` exchanges a username and password for a new token,
`DELETE` revokes the one the call was made with; `/api/v1/auth/tokens/` lists the caller's
tokens and revokes one of them. Sign-in failures count toward the django-axes lockout like the
web login. The tokens are checked by api/authentication.py."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.accounts.services import totp_verify
from louyu.api.exceptions import LockedOut
from louyu.api.models import ApiToken, ApiTokenQuerySet
from louyu.api.selectors import get_token_for_user, token_list
from louyu.api.serializers import (
    ApiTokenSerializer,
    ErrorSerializer,
    TokenObtainSerializer,
    TokenSerializer,
)
from louyu.api.services import token_issue, token_revoke
from louyu.core.exceptions import ApplicationError


class TokenApi(APIView):
    """Issue (POST) or revoke (DELETE) the caller's API token. The credentials come as JSON or,
    as token endpoints commonly take them, as a form."""

    parser_classes = [JSONParser, FormParser]

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        description="Exchange a username and password (and, for staff when enforced, a TOTP "
        "code) for a new API token; send it as `Authorization: Token <token>`. The token is in "
        "this answer only; it is refused after `expires_at`, when revoked, and once the "
        "password changes or the account is disabled. Each client should get its own token "
        "(`name` labels it in the list of tokens).",
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: ErrorSerializer,
            401: OpenApiResponse(
                ErrorSerializer,
                description="The username or password is not correct, or the second-factor "
                "code is missing or wrong (`invalid_credentials`, `otp_required`, `otp_invalid`).",
            ),
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
            # 401: a well-formed request whose credentials are refused (not an invalid one).
            raise ApplicationError(
                _("The username or password is not correct."),
                code="invalid_credentials",
                status=status.HTTP_401_UNAUTHORIZED,
            )
        if settings.LOUYU_REQUIRE_2FA and user.is_staff_role:
            otp = data.get("otp") or ""
            if not otp:
                raise ApplicationError(
                    _("Enter the code from your authenticator app."),
                    code="otp_required",
                    status=status.HTTP_401_UNAUTHORIZED,
                )
            if totp_verify(actor=user, user=user, token=otp) is None:
                raise ApplicationError(
                    _("The code is not correct."),
                    code="otp_invalid",
                    status=status.HTTP_401_UNAUTHORIZED,
                )
        # A success clears the account's failure count, as AXES_RESET_ON_SUCCESS does on the web
        # (without user_logged_in, whose receivers would open a session for a token client).
        axes_reset(username=user.get_username())
        token, key = token_issue(actor=user, name=data.get("name") or "")
        body = {
            "token": key,
            "id": token.pk,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        }
        return Response(TokenSerializer(body).data, status=status.HTTP_200_OK)

    @extend_schema(
        description="Revoke the API token this call is made with.",
        request=None,
        responses={204: None, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise ApplicationError(
                _("This call was not made with an API token."), code="not_token_auth"
            )
        token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(generics.ListAPIView):
    """The caller's own API tokens, newest first, revoked and expired ones too; never a key."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> ApiTokenQuerySet:
        return token_list(user=self.request.user)

    @extend_schema(
        description="The caller's own API tokens (prefix, label, dates, state); never the key.",
        responses={200: ApiTokenSerializer(many=True), 401: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TokenRevokeApi(APIView):
    """Revoke one of the caller's own tokens; someone else's answers 404 like a missing one."""

    @extend_schema(
        description="Revoke one of the caller's own API tokens (a lost phone, a retired client).",
        request=None,
        responses={204: None, 401: ErrorSerializer, 404: ErrorSerializer},
    )
    def delete(self, request: Request, pk: int) -> Response:
        token_revoke(actor=request.user, token=get_token_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
