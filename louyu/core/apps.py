from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "louyu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from louyu.core.selectors import calendar_arrangement, calendar_stamp
        from louyu.lib import workdays

        workdays.configure(load=calendar_arrangement, stamp=calendar_stamp)
