from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from louyu.accounts.models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["role", "role_display", "title", "scope"]
        read_only_fields = fields

    def get_scope(self, membership: Membership) -> dict[str, Any]:
        scope_type = membership.scope_type
        return {
            "type": f"{scope_type.app_label}.{scope_type.model}",
            "id": membership.scope_id,
            "name": str(membership.scope) if membership.scope is not None else "",
        }


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user as the API shows them: the phone only ever masked."""

    phone = serializers.CharField(source="masked_phone", read_only=True, label=_("phone"))
    roles = MembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "real_name", "phone", "roles"]
        read_only_fields = fields
