from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VenuesConfig(AppConfig):
    name = "louyu.venues"
    label = "venues"
    verbose_name = _("Venues")

    def ready(self) -> None:
        from louyu.core.audit import action_label_register
        from louyu.venues.notify import kinds_register
        from louyu.venues.todo import todo_items_register

        kinds_register()
        todo_items_register()
        for action, label in {
            "booking.request": pgettext_lazy("audit", "Venue booked"),
            "booking.approve": pgettext_lazy("audit", "Booking approved"),
            "booking.reject": pgettext_lazy("audit", "Booking turned down"),
            "booking.cancel": pgettext_lazy("audit", "Booking cancelled"),
            "booking.check_in": pgettext_lazy("audit", "Checked in at the venue"),
            "bookingseries.cancel": pgettext_lazy("audit", "Recurring booking cancelled"),
            "feedtoken.issue": pgettext_lazy("audit", "Calendar feed link issued"),
            "feedtoken.revoke": pgettext_lazy("audit", "Calendar feed link revoked"),
        }.items():
            action_label_register(action, label)
