"""Filters of the booking list, shared by "my bookings", the approval queue and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from louyu.core.filtersets import BoolFilter, IdFilter
from louyu.venues.models import Booking, Venue


class BookingFilterSet(django_filters.FilterSet):
    venue = IdFilter(label=_("venue"), field_name="venue_id")
    community = IdFilter(label=_("building community"), field_name="venue__community_id")
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), choices=Booking.State.choices, distinct=False
    )
    starts_after = django_filters.DateFilter(
        label=_("on or after"), field_name="starts_at__date", lookup_expr="gte"
    )
    starts_before = django_filters.DateFilter(
        label=_("on or before"), field_name="starts_at__date", lookup_expr="lte"
    )
    mine = BoolFilter(label=_("booked by me"), method="filter_mine")
    series = IdFilter(label=_("series"), field_name="series_id")

    class Meta:
        model = Booking
        fields = ["venue", "community", "state", "starts_after", "starts_before", "mine", "series"]

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        if value:
            return queryset.filter(booker_id=getattr(user, "pk", None))
        return queryset.exclude(booker_id=getattr(user, "pk", None))


class VenueFilterSet(django_filters.FilterSet):
    community = IdFilter(label=_("building community"), field_name="community_id")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Venue.Kind.choices)
    active = BoolFilter(label=_("active"), field_name="is_active")

    class Meta:
        model = Venue
        fields = ["community", "kind", "active"]
