from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "louyu.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from louyu.api.fields import refuse_numbers_as_strings

        refuse_numbers_as_strings()
