from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
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
