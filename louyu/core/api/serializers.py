from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.core.models import Node


class NodeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    division_code = serializers.CharField(
        read_only=True,
        label=_("division code"),
        help_text=_("The GB/T 2260 code valid today, or an empty string."),
    )

    class Meta:
        model = Node
        fields = ["id", "kind", "kind_display", "name", "parent", "is_target", "division_code"]
        read_only_fields = fields
