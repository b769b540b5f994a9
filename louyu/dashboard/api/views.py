"""GET /api/v1/todo/: the caller's to-do list (the workbench's, same counts)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.dashboard.api.serializers import TodoListSerializer
from louyu.notifications.todo import todo_for


class TodoApi(APIView):
    """What waits for the caller, per kind of to-do of the roles they hold: the count, the
    oldest row's age, the first few rows and the list page that shows exactly those rows."""

    @extend_schema(responses=TodoListSerializer, operation_id="todo_list")
    def get(self, request: Request) -> Response:
        groups = todo_for(request.user)
        payload = {"count": sum(group.count for group in groups), "groups": groups}
        return Response(TodoListSerializer(payload).data)
