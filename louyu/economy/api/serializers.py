from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.economy.selectors import DEFINITIONS


def money(**kwargs: Any) -> serializers.DecimalField:
    """Yuan as a decimal string with two places ("6270000000.00"): exact, unlike JSON numbers."""
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=True, **kwargs
    )


class DefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    district_share = serializers.BooleanField()
    exclude_real_estate = serializers.BooleanField()


# Cumulative counts: "100m" counts every building of at least 100 million yuan, "1b" included.
TierCountsSerializer = type(
    "TierCountsSerializer",
    (serializers.Serializer,),
    {key: serializers.IntegerField() for key in ("10m", "100m", "1b", "10b")},
)


class SummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    building_count = serializers.IntegerField(help_text=_("Target buildings of the year."))
    tax_total = money(help_text=_("Yuan, as a decimal string with two places."))
    tiers = TierCountsSerializer()
    definition = DefinitionSerializer()


class BuildingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    building = BuildingRefSerializer()
    tax = money()
    previous_tax = money(allow_null=True)
    growth = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True
    )
    tier = serializers.CharField()
    near_tier = serializers.CharField()
    tax_per_m2 = money(allow_null=True)
    tax_per_mu = money(allow_null=True)
    definition = serializers.CharField()


class BreakdownRowSerializer(serializers.Serializer):
    node = BuildingRefSerializer()
    building_count = serializers.IntegerField()
    tax_total = money()
    tiers = TierCountsSerializer()
    definition = serializers.CharField()


class FigureQuerySerializer(serializers.Serializer):
    """`?year=2013&definition=total&street=<id>&community=<id>` (and `node` for breakdown)."""

    year = serializers.IntegerField(min_value=1949, max_value=2100)
    definition = serializers.ChoiceField(choices=list(DEFINITIONS), required=False)
    street = serializers.IntegerField(min_value=1, required=False)
    community = serializers.IntegerField(min_value=1, required=False)
