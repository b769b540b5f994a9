from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EconomyConfig(AppConfig):
    name = "louyu.economy"
    label = "economy"
    verbose_name = _("Building economy")

    def ready(self) -> None:
        from louyu.accounts.models import Role
        from louyu.accounts.scopes import scope_kind_register
        from louyu.core.jobs import stale_policy_register
        from louyu.economy import tasks
        from louyu.economy.models import Enterprise

        # An enterprise role lets its holder see the building the enterprise operates in.
        scope_kind_register(
            model="economy.enterprise",
            roles={Role.ENTERPRISE_CONTACT, Role.EMPLOYEE},
            nodes=lambda ids: Enterprise.objects.filter(
                pk__in=ids, building__isnull=False
            ).values_list("building_id", flat=True),
        )

        # What becomes of a task whose worker died (issue 13): recomputing grades is safe to
        # repeat; an import is failed, and its progress page told so.
        stale_policy_register(tasks.import_run, on_fail=tasks.import_run_interrupted)
        stale_policy_register(tasks.warnings_refresh_task, requeue=True)
        stale_policy_register(tasks.warnings_refresh_all_task, requeue=True)

        from louyu.core.audit import action_label_register
        from louyu.economy.todo import todo_items_register
        from louyu.notifications.registry import notification_kind_register

        todo_items_register()
        notification_kind_register(
            "economy.warning.visit",
            label=_("Proactive visit from an early warning"),
            pillar="economy",
            channels_default=("inapp", "work"),
        )
        for action, label in {
            "targetbuilding.add": pgettext_lazy("audit", "Target building added"),
            "targetbuilding.remove": pgettext_lazy("audit", "Target building removed"),
            "targetbuilding.copy": pgettext_lazy("audit", "Target set copied from another year"),
            "targetbuilding.replace": pgettext_lazy("audit", "Target set replaced"),
        }.items():
            action_label_register(action, label)
