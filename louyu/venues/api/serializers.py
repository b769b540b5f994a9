from __future__ import annotations

from rest_framework import serializers

from louyu.venues.models import Booking, Venue


class VenueSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = Venue
        fields = [
            "id",
            "community",
            "community_name",
            "building",
            "name",
            "kind",
            "kind_display",
            "owner",
            "location",
            "capacity",
            "equipment",
            "description",
            "opening_hours",
            "bookers",
            "approval_required",
            "is_active",
        ]


class BookingSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display")
    venue_name = serializers.CharField(source="venue.name")
    booker_name = serializers.CharField(source="booker.display_name")

    class Meta:
        model = Booking
        fields = [
            "id",
            "venue",
            "venue_name",
            "booker",
            "booker_name",
            "organizer",
            "title",
            "starts_at",
            "ends_at",
            "attendees",
            "state",
            "state_display",
            "series",
            "decision_note",
            "checked_in_at",
            "created_at",
        ]


class BookingCreateSerializer(serializers.Serializer):
    venue = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    attendees = serializers.IntegerField(min_value=1, default=1)
    purpose = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    organizer = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class BookingActionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
