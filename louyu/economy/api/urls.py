"""/api/v1/economy/: figures of the building economy."""

from django.urls import path

from louyu.economy.api.views import BreakdownApi, RankingApi, SummaryApi

urlpatterns = [
    path("summary/", SummaryApi.as_view(), name="economy-summary"),
    path("ranking/", RankingApi.as_view(), name="economy-ranking"),
    path("breakdown/", BreakdownApi.as_view(), name="economy-breakdown"),
]
