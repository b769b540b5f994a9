"""The workbench (工作台): each user's landing page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/workbench.html", {})
