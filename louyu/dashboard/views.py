"""The workbench (工作台): each user's landing page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from louyu.dashboard.selectors import workbench_for
from louyu.notifications.todo import todo_for


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """What waits for the signed-in user: their to-do list first (issue 14), then one section
    per kind of role they hold."""
    user = request.user
    roles = sorted(user.roles())  # type: ignore[union-attr]
    todo = todo_for(user)
    return render(
        request,
        "dashboard/workbench.html",
        {
            "todo": todo,
            "todo_total": sum(group.count for group in todo),
            "sections": workbench_for(user),  # type: ignore[arg-type]
            "role_labels": _role_labels(roles),
        },
    )


def _role_labels(roles: list[str]) -> list[str]:
    from louyu.accounts.models import Role

    return [str(Role(role).label) for role in roles if role in Role.values]
