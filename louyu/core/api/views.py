"""Read-only API over the jurisdiction tree, scoped to the caller's nodes."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import viewsets

from louyu.core.api.serializers import NodeSerializer
from louyu.core.filtersets import NodeFilterSet
from louyu.core.models import DivisionCode, Node
from louyu.core.selectors import get_node_for_user


def with_division_code(queryset: QuerySet[Node]) -> QuerySet[Node]:
    """Annotate each node with the division code valid today (one subquery, no N+1)."""
    today = timezone.localdate()
    current = (
        DivisionCode.objects.filter(node=OuterRef("pk"), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from")
        .values("code")[:1]
    )
    return queryset.annotate(division_code=Coalesce(Subquery(current), Value("")))


class NodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Jurisdiction nodes the caller may see; a node that is not theirs is not found."""

    serializer_class = NodeSerializer
    filterset_class = NodeFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Node]:
        return with_division_code(Node.objects.visible_to(self.request.user))

    def get_object(self) -> Node:
        node = get_node_for_user(self.request.user, int(self.kwargs["pk"]))
        return with_division_code(Node.objects.filter(pk=node.pk)).get()
