"""Input and output shapes of the API's own endpoints (tokens) and of its error responses."""

from typing import Literal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.api.models import ApiToken


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"),
        max_length=4096,
        trim_whitespace=False,
        style={"input_type": "password"},
    )
    otp = serializers.CharField(
        label=_("second-factor code"),
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=_("Required for staff accounts when two-factor sign-in is enforced."),
    )
    name = serializers.CharField(
        label=_("client"),
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("A label for the client this token is for, shown in the list of tokens."),
    )


class TokenSerializer(serializers.Serializer):
    """A newly issued token: the key is in this answer only."""

    token = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)
    prefix = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of the caller's tokens, as listed: never the key."""

    state = serializers.SerializerMethodField()
    revoked_reason = serializers.ChoiceField(
        choices=ApiToken.RevokedReason.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Empty while the token is not revoked."),
    )

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked_reason",
            "state",
        )
        read_only_fields = fields

    def get_state(self, token: ApiToken) -> Literal["active", "expired", "revoked"]:
        if token.revoked_at is not None:
            return "revoked"
        return "expired" if token.is_expired else "active"


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # The metaclass moves declared fields off the class, so this does not shadow `.fields`.
    fields = serializers.DictField(required=False)  # type: ignore[assignment]
    extra = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one error shape: documents every 4xx response in the schema."""

    error = ErrorDetailSerializer()
