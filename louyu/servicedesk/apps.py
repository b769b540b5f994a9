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
        self.notification_kinds_register()
        from louyu.servicedesk.calendar import request_deadlines
        from louyu.venues.feeds import feed_source_register

        feed_source_register("servicedesk.deadlines", request_deadlines)
        from louyu.servicedesk.todo import todo_items_register

        todo_items_register()

    def notification_kinds_register(self) -> None:
        """What the service center tells people (issue 14): the requester on each step of
        their request, staff on new and urgent requests, assignment, escalation and bad
        ratings."""
        from louyu.notifications.registry import notification_kind_register

        mail = ("inapp", "email")
        kinds = [
            ("request.created", _("New request in the community"), ("inapp",)),
            ("request.urgent", _("Urgent request"), ("inapp", "email", "sms")),
            ("request.accepted", _("My request was accepted"), mail),
            ("request.refused", _("My request was refused"), mail),
            ("request.documents", _("My request needs documents"), mail),
            ("request.documents_received", _("Documents received"), ("inapp",)),
            ("request.dispatched", _("My request was dispatched"), mail),
            ("request.transferred", _("My request was transferred"), mail),
            ("request.assigned", _("A request for my department"), mail),
            ("request.reply", _("A reply on my request"), mail),
            ("request.done", _("My request was completed"), mail),
            ("request.reopened", _("A request was reopened"), ("inapp",)),
            ("request.deadline", _("A deadline moved"), ("inapp",)),
            ("request.rating_reminder", _("Reminder to rate my request"), mail),
            ("request.escalated", _("Overdue request escalated"), mail),
            ("rating.bad", _("Bad rating"), mail),
        ]
        for key, label, channels in kinds:
            notification_kind_register(
                f"servicedesk.{key}", label=label, pillar="service", channels_default=channels
            )
