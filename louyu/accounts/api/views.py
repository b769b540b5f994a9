"""The signed-in user's own account over the API."""

from typing import cast

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.accounts.api.serializers import MeSerializer
from louyu.accounts.models import Membership, User


class MeApi(APIView):
    """Who am I: username, real name, masked phone and every role with its scope."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        memberships = Membership.objects.select_related("scope_type").prefetch_related("scope")
        user = User.objects.prefetch_related(
            Prefetch("memberships", queryset=memberships.order_by("role", "scope_id"))
        ).get(pk=cast(User, request.user).pk)
        return Response(MeSerializer(user).data)
