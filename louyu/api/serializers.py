"""Input and output shapes of the API's own endpoints (tokens) and of its error responses."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # The metaclass moves declared fields off the class, so this does not shadow `.fields`.
    fields = serializers.DictField(required=False)  # type: ignore[assignment]
    extra = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one error shape: documents every 4xx response in the schema."""

    error = ErrorDetailSerializer()
