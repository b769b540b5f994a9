from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    name = "louyu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from louyu.core.audit import action_label_register
        from louyu.notifications.registry import notification_kind_register
        from louyu.notifications.services import bell_warm

        notification_kind_register(
            "notifications.welcome", label=_("Welcome"), pillar="system", retention_days=3650
        )
        labels = {
            "notifications.preference_set": pgettext_lazy("audit", "Notification channel set"),
            "notifications.profile_set": pgettext_lazy("audit", "Notification settings changed"),
            "notifications.delivery_retry": pgettext_lazy("audit", "Notification sent again"),
            "notifications.export": pgettext_lazy("audit", "Notification data exported"),
            "notifications.purge": pgettext_lazy("audit", "Old notifications deleted"),
            "notifications.demo_seed": pgettext_lazy("audit", "Demo notifications written"),
        }
        for action, label in labels.items():
            action_label_register(action, label)
        # The bell's cache is filled at sign-in, so a page costs no query for it (a cache).
        user_logged_in.connect(bell_warm, dispatch_uid="notifications.bell_warm")
