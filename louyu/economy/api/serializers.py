from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.api.fields import IdField
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
    street = IdField(required=False)
    community = IdField(required=False)


def rate(**kwargs: Any) -> serializers.DecimalField:
    """A share as a decimal string with four places ("0.4167"); null when it has no base."""
    return serializers.DecimalField(
        max_digits=12, decimal_places=4, coerce_to_string=True, allow_null=True, **kwargs
    )


class RankingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    definition = DefinitionSerializer()
    results = RankingRowSerializer(many=True)


class BuildingFiguresSerializer(RankingRowSerializer):
    rank = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    is_target = serializers.BooleanField()


class WatchListQuerySerializer(FigureQuerySerializer):
    margin = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1), required=False
    )


class NodeQuerySerializer(serializers.Serializer):
    """`?year=2013&node=<id>&definition=total&top=5`."""

    year = serializers.IntegerField(min_value=1949, max_value=2100)
    node = IdField(required=False)
    definition = serializers.ChoiceField(choices=list(DEFINITIONS), required=False)
    top = serializers.IntegerField(min_value=1, max_value=100, required=False, default=5)


class TrendQuerySerializer(serializers.Serializer):
    """`?node=<id>&definition=total&since=2011&until=2015`."""

    node = IdField(required=False)
    definition = serializers.ChoiceField(choices=list(DEFINITIONS), required=False)
    since = serializers.IntegerField(min_value=1949, max_value=2100, required=False)
    until = serializers.IntegerField(min_value=1949, max_value=2100, required=False)


class NodeRefSerializer(BuildingRefSerializer):
    kind = serializers.CharField()


class TrendRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    building_count = serializers.IntegerField()
    tax_total = money()
    growth = rate()
    definition = serializers.CharField()


class TrendSerializer(serializers.Serializer):
    node = NodeRefSerializer()
    definition = DefinitionSerializer()
    years = TrendRowSerializer(many=True)


class EnterpriseTaxRowSerializer(serializers.Serializer):
    enterprise = BuildingRefSerializer()
    tax = money()
    share = rate()
    definition = serializers.CharField()


class DrilldownSerializer(serializers.Serializer):
    """`rows` are BreakdownRow objects (street, community or building level) or, under a
    building (`level` "enterprise"), EnterpriseTaxRow objects."""

    year = serializers.IntegerField()
    node = NodeRefSerializer()
    level = serializers.CharField()
    tax_total = money()
    top_share = rate(help_text=_("Share of the building's tax paid by its top enterprises."))
    definition = DefinitionSerializer()
    rows = serializers.ListField(child=serializers.DictField())


class IndicatorQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("Day of the figures; default today."))


class IndustryShareSerializer(serializers.Serializer):
    industry = serializers.DictField(child=serializers.CharField())
    enterprises = serializers.IntegerField()
    share = rate()


class IndicatorsSerializer(serializers.Serializer):
    on = serializers.DateField()
    building = BuildingRefSerializer()
    enterprises = serializers.IntegerField()
    registration_rate = rate()
    tax_in_district_rate = rate()
    lettable_area = money()
    occupied_area = money()
    let_not_moved_in_area = money()
    vacant_area = money()
    intends_to_leave_area = money()
    occupancy_rate = rate()
    vacancy_rate = rate()
    industry_hhi = rate()
    dominant_industry = serializers.CharField()
    dominant_industry_share = rate()
    industry_mix = IndustryShareSerializer(many=True)
    basis = serializers.DictField(child=serializers.CharField())


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1949, max_value=2100)


class MoveMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    moved_in = serializers.IntegerField()
    moved_in_area = money()
    moved_out = serializers.IntegerField()
    moved_out_area = money()


class MovesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    building = BuildingRefSerializer()
    months = MoveMonthSerializer(many=True)
    basis = serializers.CharField()


class EnterpriseTaxMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    amount = money()
    in_district = money()
    district_share = money()


class EnterpriseTaxSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    enterprise = BuildingRefSerializer()
    months = EnterpriseTaxMonthSerializer(many=True)
    amount = money()
    in_district = money()
    district_share = money()
    basis = serializers.CharField()


class YearDefinitionQuerySerializer(YearQuerySerializer):
    definition = serializers.ChoiceField(choices=list(DEFINITIONS), required=False)
