"""Pages of the building-economy information system (楼宇经济信息管理系统)."""

from django.urls import path  # noqa: F401

app_name = "economy"

urlpatterns: list = []

# Archives, lists and the dashboard (views/archives.py, views/dashboard.py).

# Imports and exports (views/transfer.py).

# Early warning and investment attraction (views/investment.py).
