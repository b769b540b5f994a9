"""Input and output shapes of /api/v1/notifications/."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.notifications.models import (
    PERSONAL_CHANNELS,
    Channel,
    Notification,
    NotificationProfile,
)
from louyu.notifications.registry import notification_kinds


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "pillar",
            "title",
            "text",
            "url",
            "actor_name",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True)


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    channel = serializers.CharField(help_text="inapp, email, sms or work")
    enabled = serializers.BooleanField()
    label = serializers.CharField()  # type: ignore[assignment]
    pillar = serializers.CharField()
    locked = serializers.BooleanField(help_text="In-app notifications are always on.")


class PreferencesSerializer(serializers.Serializer):
    digest = serializers.ChoiceField(choices=NotificationProfile.Digest.choices)
    work_account = serializers.CharField()
    preferences = PreferenceSerializer(many=True)


# The channels a user may turn on or off (in-app is always on); its own enum in the schema.
WRITABLE_CHANNEL_CHOICES = [(c.value, c.label) for c in PERSONAL_CHANNELS if c != Channel.INAPP]


class PreferenceChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], help_text="A registered kind of notification.")
    channel = serializers.ChoiceField(
        choices=WRITABLE_CHANNEL_CHOICES,
        error_messages={
            "invalid_choice": _(
                "Choose e-mail, SMS or work message: notifications in the app are always on."
            )
        },
    )
    enabled = serializers.BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registry is filled in the apps' ready(), after this module is imported.
        kind = self.fields["kind"]
        assert isinstance(kind, serializers.ChoiceField)
        kind.choices = [(k.key, k.label) for k in notification_kinds()]


class PreferencesChangeSerializer(serializers.Serializer):
    """Only what is sent changes."""

    digest = serializers.ChoiceField(choices=NotificationProfile.Digest.choices, required=False)
    work_account = serializers.CharField(required=False, allow_blank=True, max_length=100)
    preferences = PreferenceChangeSerializer(many=True, required=False)
