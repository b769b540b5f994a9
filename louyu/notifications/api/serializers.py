"""Input and output shapes of /api/v1/notifications/."""

from rest_framework import serializers

from louyu.notifications.models import Notification, NotificationProfile


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
    # A string (the service checks it): a second "channel" enum would collide in the schema.
    channel = serializers.CharField(help_text="inapp, email, sms or work")
    enabled = serializers.BooleanField()
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    pillar = serializers.CharField(read_only=True)
    locked = serializers.BooleanField(read_only=True)


class PreferencesSerializer(serializers.Serializer):
    digest = serializers.ChoiceField(choices=NotificationProfile.Digest.choices, required=False)
    work_account = serializers.CharField(required=False, allow_blank=True, max_length=100)
    preferences = PreferenceSerializer(many=True, required=False)
