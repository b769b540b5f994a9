"""The to-do list over the API (issue 14): the caller's groups, counts and oldest age."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from louyu.notifications.todo import TodoGroup


class TodoItemSerializer(serializers.Serializer):
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="What the row is (number and title, name …)."
    )
    url = serializers.CharField(help_text="The page of the row's object.")
    at = serializers.DateTimeField(allow_null=True, help_text="The row's age timestamp.")


class TodoGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The kind of to-do, e.g. servicedesk.due_today.")
    label = serializers.CharField()  # type: ignore[assignment]
    pillar = serializers.CharField(help_text="The app that contributes it.")
    count = serializers.IntegerField(help_text="How many rows wait.")
    oldest = serializers.DateTimeField(
        allow_null=True, help_text="When the oldest waiting row started waiting."
    )
    oldest_age_seconds = serializers.SerializerMethodField(
        help_text="The oldest row's age in seconds (null when nothing waits)."
    )
    url = serializers.CharField(help_text="The list page showing exactly the rows counted.")
    items = TodoItemSerializer(many=True, help_text="The oldest few rows.")

    def get_oldest_age_seconds(self, group: TodoGroup) -> int | None:
        age = group.age
        return None if age is None else int(age.total_seconds())

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["label"] = str(instance.label)
        return data


class TodoListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows waiting over all groups.")
    groups = TodoGroupSerializer(many=True)
