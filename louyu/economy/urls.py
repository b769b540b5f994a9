"""Pages of the building-economy information system (楼宇经济信息管理系统)."""

from django.urls import path

from louyu.economy.views import archives, dashboard, investment, targets, transfer

app_name = "economy"

urlpatterns = [
    # Archives, lists and the dashboard.
    path("", dashboard.economy_dashboard, name="dashboard"),
    path("buildings/", archives.building_list, name="building_list"),
    path("buildings/export/", archives.building_export, name="building_export"),
    path("buildings/<int:pk>/", archives.building_detail, name="building_detail"),
    path("buildings/<int:pk>/photos/", archives.building_photo_add, name="building_photo_add"),
    path(
        "buildings/<int:pk>/photos/<int:photo_pk>/",
        archives.building_photo,
        name="building_photo",
    ),
    path(
        "buildings/<int:pk>/photos/<int:photo_pk>/delete/",
        archives.building_photo_delete,
        name="building_photo_delete",
    ),
    path("enterprises/", archives.enterprise_list, name="enterprise_list"),
    path("enterprises/export/", archives.enterprise_export, name="enterprise_export"),
    path("enterprises/<int:pk>/", archives.enterprise_detail, name="enterprise_detail"),
    path("dashboard/export/", dashboard.dashboard_export, name="dashboard_export"),
    # The yearly target set (目标楼宇), the district office's.
    path("targets/", targets.target_list, name="targets"),
    path("targets/add/", targets.target_add_view, name="target_add"),
    path("targets/remove/", targets.target_remove_view, name="target_remove"),
    path("targets/copy/", targets.target_copy_view, name="target_copy"),
    # Imports and exports.
    path("import/", transfer.import_start, name="import_start"),
    path("import/template/<str:kind>/", transfer.import_template, name="import_template"),
    path("import/<str:job_id>/", transfer.import_job, name="import_job"),
    path("import/<str:job_id>/progress/", transfer.import_progress, name="import_progress"),
    path("import/<str:job_id>/confirm/", transfer.import_confirm, name="import_confirm"),
    path("export/ranking/", transfer.export_ranking, name="export_ranking"),
    path("export/breakdown/", transfer.export_breakdown, name="export_breakdown"),
    # Early warning and investment attraction; /vacancies/ is public.
    path("warnings/", investment.warning_list_view, name="warning_list"),
    path("warnings/<int:pk>/visit/", investment.warning_visit_view, name="warning_visit"),
    path("vacancy-listings/", investment.vacancy_list_view, name="vacancy_list"),
    path("vacancy-listings/new/", investment.vacancy_create_view, name="vacancy_create"),
    path("vacancy-listings/<int:pk>/", investment.vacancy_detail_view, name="vacancy_detail"),
    path("vacancy-listings/<int:pk>/edit/", investment.vacancy_edit_view, name="vacancy_edit"),
    path(
        "vacancy-listings/<int:pk>/publish/",
        investment.vacancy_publish_view,
        name="vacancy_publish",
    ),
    path(
        "vacancy-listings/<int:pk>/floor-plan/",
        investment.vacancy_floor_plan_view,
        name="vacancy_floor_plan",
    ),
    path("vacancies/", investment.vacancy_public_list_view, name="vacancy_public_list"),
    path(
        "vacancies/<int:pk>/",
        investment.vacancy_public_detail_view,
        name="vacancy_public_detail",
    ),
    path(
        "vacancies/<int:pk>/floor-plan/",
        investment.vacancy_public_floor_plan_view,
        name="vacancy_public_floor_plan",
    ),
    path("leads/", investment.lead_list_view, name="lead_list"),
    path("leads/new/", investment.lead_create_view, name="lead_create"),
    path("leads/<int:pk>/", investment.lead_detail_view, name="lead_detail"),
    path("leads/<int:pk>/edit/", investment.lead_edit_view, name="lead_edit"),
    path("leads/<int:pk>/stage/", investment.lead_stage_view, name="lead_stage"),
]
