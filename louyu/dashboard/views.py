"""The workbench (工作台): each user's landing page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from louyu.dashboard.selectors import workbench_for


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """What waits for the signed-in user, one section per kind of role they hold."""
    user = request.user
    roles = sorted(user.roles())  # type: ignore[union-attr]
    return render(
        request,
        "dashboard/workbench.html",
        {"sections": workbench_for(user), "role_labels": _role_labels(roles)},  # type: ignore[arg-type]
    )


def _role_labels(roles: list[str]) -> list[str]:
    from louyu.accounts.models import Role

    return [str(Role(role).label) for role in roles if role in Role.values]
