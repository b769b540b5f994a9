"""/api/v1/economy/: figures of the building economy."""

from django.urls import include, path

from louyu.economy.api.views import (
    BreakdownApi,
    BuildingFiguresApi,
    BuildingIndicatorsApi,
    BuildingMovesApi,
    DrilldownApi,
    EnterpriseTaxApi,
    RankingApi,
    SummaryApi,
    TrendApi,
    WatchListApi,
)

urlpatterns = [
    path("summary/", SummaryApi.as_view(), name="economy-summary"),
    path("ranking/", RankingApi.as_view(), name="economy-ranking"),
    path("watch-list/", WatchListApi.as_view(), name="economy-watch-list"),
    path("breakdown/", BreakdownApi.as_view(), name="economy-breakdown"),
    path("drilldown/", DrilldownApi.as_view(), name="economy-drilldown"),
    path("trend/", TrendApi.as_view(), name="economy-trend"),
    path(
        "buildings/<int:pk>/figures/", BuildingFiguresApi.as_view(), name="economy-building-figures"
    ),
    path(
        "buildings/<int:pk>/indicators/",
        BuildingIndicatorsApi.as_view(),
        name="economy-building-indicators",
    ),
    path("buildings/<int:pk>/moves/", BuildingMovesApi.as_view(), name="economy-building-moves"),
    path("enterprises/<int:pk>/tax/", EnterpriseTaxApi.as_view(), name="economy-enterprise-tax"),
    path("", include("louyu.economy.api.investment")),  # warnings, vacancies, lead funnel
    path("", include("louyu.economy.api.targets")),  # the yearly target set
]
