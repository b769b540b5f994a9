import axes.apps
import django_otp.plugins.otp_static.apps as otp_static_apps
import django_otp.plugins.otp_totp.apps as otp_totp_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # The module holds other AppConfigs too (third-party apps renamed): this one is the app's.
    default = True
    name = "louyu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Connects the sign-in audit receivers (login, failure, logout, lockout).
        from louyu.accounts import services  # noqa: F401

        # django-otp names its model in plain English (no gettext): name it for the admin only.
        # Options set here are not in the model's original_attrs, so migrations do not see them.
        TOTPDevice._meta.verbose_name = _("authenticator app")
        TOTPDevice._meta.verbose_name_plural = _("authenticator apps")
        StaticDevice._meta.verbose_name = _("backup codes")
        StaticDevice._meta.verbose_name_plural = _("backup codes")


# Third-party apps under Chinese names in the admin (issue 12: AXES, OTP_TOTP): the same apps,
# listed in INSTALLED_APPS through these subclasses.
class AxesConfig(axes.apps.AppConfig):
    default = False
    verbose_name = _("Sign-in lockouts")


class OtpTotpConfig(otp_totp_apps.DefaultConfig):
    default = False
    verbose_name = _("Second factor: authenticator apps")


class OtpStaticConfig(otp_static_apps.DefaultConfig):
    default = False
    verbose_name = _("Second factor: backup codes")
