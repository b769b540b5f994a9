"""/api/v1/todo/ (included by louyu/api/urls.py)."""

from django.urls import path

from louyu.dashboard.api.views import TodoApi

urlpatterns = [path("", TodoApi.as_view(), name="todo")]
