from django.urls import path

from louyu.core import views

app_name = "core"
urlpatterns = [
    path("holidays/", views.holiday_calendar, name="holidays"),
]
