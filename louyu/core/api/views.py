"""Read-only API over the jurisdiction tree, scoped to the caller's nodes."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from louyu.core.api.serializers import NodeSerializer
from louyu.core.filtersets import NodeFilterSet
from louyu.core.models import Node
from louyu.core.selectors import get_node_for_user


class NodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Jurisdiction nodes the caller may see; a node that is not theirs is not found."""

    serializer_class = NodeSerializer
    filterset_class = NodeFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Node]:
        return Node.objects.visible_to(self.request.user).with_current_code()

    def get_object(self) -> Node:
        node = get_node_for_user(self.request.user, int(self.kwargs["pk"]))
        return Node.objects.filter(pk=node.pk).with_current_code().get()
