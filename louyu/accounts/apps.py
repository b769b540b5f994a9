from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "louyu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connects the sign-in audit receivers (login, failure, logout, lockout).
        from louyu.accounts import services  # noqa: F401
