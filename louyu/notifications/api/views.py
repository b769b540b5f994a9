"""/api/v1/notifications/: the caller's own notifications (another's id is 404), the unread
count, mark read / mark all read, and the caller's preferences."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.serializers import ErrorSerializer
from louyu.notifications import selectors, services
from louyu.notifications.api import serializers as s
from louyu.notifications.filtersets import NotificationFilterSet
from louyu.notifications.models import PERSONAL_CHANNELS, Notification, NotificationProfile
from louyu.notifications.registry import notification_kinds

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class NotificationListApi(generics.ListAPIView):
    """The caller's notifications, newest first; filters `unread`, `kind`, `pillar`."""

    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(self.request.user)


class NotificationDetailApi(APIView):
    @extend_schema(responses={200: s.NotificationSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        notification = selectors.get_notification_for_user(request.user, pk)
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadApi(APIView):
    """Mark one of the caller's notifications read."""

    @extend_schema(request=None, responses={200: s.NotificationSerializer, 404: ErrorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.get_notification_for_user(request.user, pk, write=True)
        services.notification_mark_read(actor=request.user, notification=notification)
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    """Mark all the caller's unread notifications read (of one `kind` if given)."""

    @extend_schema(request=s.ReadAllSerializer, responses={200: s.ReadAllResultSerializer})
    def post(self, request: Request) -> Response:
        data = s.ReadAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_all_read(
            actor=request.user, kind=data.validated_data.get("kind") or None
        )
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})


class UnreadCountApi(APIView):
    """The bell's figure."""

    @extend_schema(responses={200: s.UnreadCountSerializer})
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(request.user)})


def _preferences(user: Any) -> dict[str, Any]:
    table = services.channels_table(user)
    profile = NotificationProfile.objects.filter(user=user).first()
    return {
        "digest": profile.digest if profile else NotificationProfile.Digest.IMMEDIATE,
        "work_account": profile.work_account if profile else "",
        "preferences": [
            {
                "kind": k.key,
                "label": str(k.label),
                "pillar": k.pillar,
                "channel": c.value,
                "enabled": table[(k.key, c.value)],
                "locked": c.value == "inapp",
            }
            for k in notification_kinds()
            for c in PERSONAL_CHANNELS
        ],
    }


class PreferencesApi(APIView):
    """GET: every kind × channel with whether it is on (in-app is locked on), the e-mail
    rhythm and the work account. POST: change any of them (only what is sent)."""

    @extend_schema(responses={200: s.PreferencesSerializer})
    def get(self, request: Request) -> Response:
        return Response(_preferences(request.user))

    @extend_schema(
        request=s.PreferencesChangeSerializer, responses={200: s.PreferencesSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = s.PreferencesChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            for pref in values.get("preferences", []):
                services.preference_set(
                    actor=request.user,
                    kind=pref["kind"],
                    channel=pref["channel"],
                    enabled=pref["enabled"],
                )
            if "digest" in values or "work_account" in values:
                current = _preferences(request.user)
                services.profile_set(
                    actor=request.user,
                    digest=values.get("digest", current["digest"]),
                    work_account=values.get("work_account", current["work_account"]),
                )
        return Response(_preferences(request.user))


class ExportApi(APIView):
    """The caller's own notification data as JSON (PIPL access right); audited."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(services.notifications_export(actor=request.user, user=request.user))
