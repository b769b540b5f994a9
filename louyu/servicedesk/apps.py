from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "louyu.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service center")

    def ready(self) -> None:
        from louyu.core.services import calendar_listener_register
        from louyu.servicedesk.services import request_deadlines_recompute

        calendar_listener_register(request_deadlines_recompute)
