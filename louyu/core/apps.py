import django_tasks_db.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    # The module holds other AppConfigs too (third-party apps renamed): this one is the app's.
    default = True
    name = "louyu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from louyu.core.jobs import stale_policy_register
        from louyu.core.selectors import calendar_arrangement, calendar_stamp
        from louyu.core.tasks import job_run_execute
        from louyu.lib import workdays

        workdays.configure(load=calendar_arrangement, stamp=calendar_stamp)
        # A periodic job is a sweep that claims its rows: running it again is safe (issue 13).
        stale_policy_register(job_run_execute, requeue=True)


class TasksDatabaseConfig(django_tasks_db.apps.TasksAppConfig):
    """django-tasks' database backend under a Chinese name in the admin (issue 12)."""

    default = False
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # a lazy str, as Django reads it
