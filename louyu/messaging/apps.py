from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "louyu.messaging"
    label = "messaging"
    verbose_name = _("Instant messaging")

    def ready(self) -> None:
        from louyu.messaging.todo import todo_items_register
        from louyu.notifications.registry import notification_kind_register

        todo_items_register()
        notification_kind_register(
            "messaging.question.escalated",
            label=_("Unanswered service question"),
            pillar="messaging",
            channels_default=("inapp", "work"),
        )
